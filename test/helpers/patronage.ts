/**
 * Shared set-up for the patronage tests: the ledger rebuilt from its events with the shared module (lib/rules/patronage.ts),
 * finalization in chunks in the order that module computes, and a read-out of everything a refused record, attestation,
 * allocation or claim must leave untouched.
 */
import { expect } from "chai";
import type { EventLog, Result } from "ethers";

import { chunk, finalizationOrder, ledgerModelFromLogs, type LedgerModel } from "../../lib/rules/patronage.ts";
import type { ContributionLedger, PatronageDistributor } from "../../types/ethers-contracts/index.ts";
import type { Ctx } from "./governor-fixtures.ts";

/** The ledger rebuilt from every event it emitted, by the shared module's rules. */
export async function ledgerModelOf(ledger: ContributionLedger): Promise<LedgerModel> {
  return ledgerModelFromLogs((await ledger.queryFilter("*" as never)) as EventLog[]);
}

/** Finalizes `period` from its events, `size` contributors per transaction; returns the order submitted. */
export async function finalizePeriod(ctx: Ctx, period: bigint, size = 2): Promise<bigint[]> {
  const order = finalizationOrder((await ledgerModelOf(ctx.coop.ledger)).periodUnits(period));
  const pieces = order.length === 0 ? [[]] : chunk(order, size);
  for (const piece of pieces) await (await ctx.coop.distributor.finalize(period, piece)).wait();
  return order;
}

function plain(value: unknown): unknown {
  if (value !== null && typeof value === "object" && typeof (value as Result).toArray === "function") {
    return (value as Result).toArray().map(plain);
  }
  return value;
}

/** What the patronage state reader looks at. */
export interface PatronageScope {
  entryIds: bigint[];
  periods: bigint[];
  potIds: bigint[];
  accounts: string[];
  /** ERC-20 tokens whose balances count. */
  tokens?: { balanceOf(account: string): Promise<bigint>; getAddress(): Promise<string> }[];
}

/** Everything the ledger and the distributor hold in `scope`, and the balances of accounts and contracts. */
export async function readPatronage(ctx: Ctx, scope: PatronageScope) {
  const { ledger, distributor, card, timelock } = ctx.coop;
  const cards = await Promise.all(scope.accounts.map((a) => card.cardOf(a)));
  const holders = [...scope.accounts, await distributor.getAddress(), await timelock.getAddress()];
  return {
    entryCount: await ledger.entryCount(),
    threshold: await ledger.attestationThreshold(),
    entries: await Promise.all(
      scope.entryIds.map(async (id) => ({
        entry: plain(await ledger.entry(id)),
        attested: await Promise.all(cards.map((c) => ledger.hasAttested(id, c))),
      })),
    ),
    periods: await Promise.all(
      scope.periods.map(async (p) => ({
        totals: plain(await ledger.periodTotals(p)),
        units: await Promise.all(cards.map((c) => ledger.validatedUnits(p, c))),
        finalization: plain(await distributor.finalization(p)),
      })),
    ),
    potCount: await distributor.potCount(),
    pots: await Promise.all(
      scope.potIds.map(async (id) => ({
        pot: plain(await distributor.pot(id)),
        claimed: await Promise.all(cards.map((c) => distributor.hasClaimed(id, c))),
      })),
    ),
    eth: await Promise.all(holders.map((a) => ctx.ethers.provider.getBalance(a))),
    tokens: await Promise.all((scope.tokens ?? []).map((t) => Promise.all(holders.map((a) => t.balanceOf(a))))),
  };
}

/**
 * Runs `attempt` (which asserts a refusal) and checks that {readPatronage} is the same before and after. (A refused
 * call is caught when its gas is estimated, so it is never mined and costs its sender nothing.)
 */
export async function expectPatronageUnchanged(
  ctx: Ctx,
  scope: PatronageScope,
  attempt: () => Promise<unknown>,
): Promise<void> {
  const before = await readPatronage(ctx, scope);
  await attempt();
  expect(await readPatronage(ctx, scope)).to.deep.equal(before);
}

/** The distributor's figures for `period`, as the shared module names them. */
export async function finalizationOf(distributor: PatronageDistributor, period: bigint) {
  const f = await distributor.finalization(period);
  return { minUnits: f.minUnits, ratio: BigInt(f.ratio), cappedSum: f.cappedSum, finalized: f.finalized };
}
