/**
 * The patronage rows of the gas benchmark (Mutual only: OpenZeppelin has no counterpart): what members pay to
 * record a contribution, attest one, finalize a period, claim a share, and what anyone pays to sweep a pot back to
 * the treasury. A co-op of 17 members whose card, ledger and distributor the deployer still owns (so that the
 * threshold and the pot are set by direct calls; in a running co-op they come from passed proposals, which no
 * measured figure depends on). Every transaction is checked: the entry's status, the period's finalization, and
 * each claim paying exactly the share the rules give (lib/rules/patronage.ts, computed from the contract's own units).
 */
import { encodeBytes32String, id, parseEther, ZeroAddress, type Wallet } from "ethers";

import { finalizationOrder, periodFigures, shareOf } from "../../lib/rules/patronage.ts";
import { defaultConfig } from "../../deploy/coop.ts";
import type { ContributionLedger, PatronageDistributor } from "../../types/ethers-contracts/index.ts";
import {
  check,
  deployOwnedCoop,
  fixedWallet,
  measure,
  mined,
  progress,
  type Connection,
  type Measured,
} from "./chain.ts";
import { floorOf, patronageFloorComponents, type Floor } from "./floors.ts";
import { makeRow, type Row } from "./report.ts";

const MEMBERS = 17;
const PERIOD = 30 * 24 * 60 * 60;
const REVIEW = 7 * 24 * 60 * 60;
const RATIO = 6n;
const CLAIM_WINDOW = 90 * 24 * 60 * 60;
const EVIDENCE_URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

export interface PatronageResult {
  rows: Row[];
  floors: Floor[];
}

export async function measurePatronage(connection: Connection): Promise<PatronageResult> {
  const { ethers, networkHelpers } = connection;
  const [deployer] = await ethers.getSigners();
  const members: Wallet[] = Array.from({ length: MEMBERS }, (_, i) => fixedWallet(connection, `contributor ${i}`));

  progress(`patronage: a co-op of ${MEMBERS} members with its ledger and distributor, owned by the deployer`);
  for (const m of members) await mined("fund", deployer.sendTransaction({ to: m.address, value: parseEther("1") }));
  const coop = await deployOwnedCoop(connection, defaultConfig([]));
  await mined("admit", coop.card.admitMany(members.map((m) => m.address)));
  const ledger = (await ethers.deployContract(
    "ContributionLedger",
    [await coop.card.getAddress(), PERIOD, REVIEW, 1, deployer.address],
    deployer,
  )) as unknown as ContributionLedger;
  await ledger.waitForDeployment();
  const distributor = (await ethers.deployContract(
    "PatronageDistributor",
    [await ledger.getAddress(), RATIO, CLAIM_WINDOW, deployer.address],
    deployer,
  )) as unknown as PatronageDistributor;
  await distributor.waitForDeployment();

  const labour = encodeBytes32String("labour");
  const record = (i: number, units: bigint) =>
    ledger.connect(members[i]).record(labour, units, id(`timesheet ${i} ${units}`), EVIDENCE_URI);
  const status = async (entry: bigint) => Number((await ledger.entry(entry)).status);
  const [PENDING, VALIDATED] = [1, 2];

  progress("patronage: record and attest");
  // One entry that needs two attestations, to measure an attestation that does not validate it.
  await mined("threshold 2", ledger.setAttestationThreshold(2));
  const mRecord = await measure("record", record(0, 10n));
  const mAttestPending = await measure("attest, pending", ledger.connect(members[1]).attest(1n));
  check((await status(1n)) === PENDING, "the first entry still waits for a second attestation");
  await mined("threshold 1", ledger.setAttestationThreshold(1));

  await mined("record", record(1, 20n));
  const mAttestFirst = await measure("attest, validates", ledger.connect(members[2]).attest(2n));
  check((await status(2n)) === VALIDATED, "the period's first validated entry");
  await mined("record", record(1, 5n));
  const mAttestLater = await measure("attest, validates a later entry", ledger.connect(members[3]).attest(3n));
  check((await ledger.validatedUnits(0n, 2n)) === 25n, "card 2 holds both of its entries' units");
  for (let i = 2; i < MEMBERS; i++) {
    await mined("record", record(i, BigInt(10 + i * 7)));
    await mined("attest", ledger.connect(members[i === MEMBERS - 1 ? 2 : i + 1]).attest(await ledger.entryCount()));
  }

  progress("patronage: finalize, allocate, claim, sweep");
  const [, , reviewEnd] = await ledger.periodTimes(0n);
  await networkHelpers.time.increaseTo(reviewEnd);
  const cards = Array.from({ length: MEMBERS }, (_, i) => BigInt(i + 1));
  const unitsList = await ledger.validatedUnitsBatch(0n, cards);
  const units = new Map(cards.map((c, i) => [c, unitsList[i]]));
  const order = finalizationOrder(units);
  check(order.length === MEMBERS - 1, "every member but the first (whose entry never validated) contributed");
  const mFinalizeFirst = await measure("finalize, first", distributor.finalize(0n, order.slice(0, 1)));
  const mFinalizeNext = await measure("finalize, next", distributor.finalize(0n, order.slice(1, 2)));
  const rest = order.slice(2);
  const mFinalizeLast = await measure("finalize, last", distributor.finalize(0n, rest));
  check((await distributor.finalization(0n)).finalized, "the period is finalized");

  const pot = parseEther("1");
  await mined("allocate", distributor.allocate(0n, ZeroAddress, pot, { value: pot }));
  const figures = periodFigures(units, RATIO);
  const claim = async (i: number): Promise<Measured> => {
    const card = BigInt(i + 1);
    const expected = shareOf(pot, units.get(card)!, figures);
    check(expected > 0n && (await distributor.shareOf(1n, card)) === expected, `card ${card}'s share is the rules'`);
    const before = await ethers.provider.getBalance(members[i].address);
    const sent = await distributor.connect(members[i]).claim(1n);
    const receipt = await mined("claim", Promise.resolve(sent));
    const fee = receipt.gasUsed * receipt.gasPrice;
    check((await ethers.provider.getBalance(members[i].address)) === before + expected - fee, "paid exactly the share");
    return { gas: receipt.gasUsed, data: sent.data };
  };
  const mClaimFirst = await claim(1);
  const mClaimLater = await claim(2);
  await networkHelpers.time.increaseTo((await distributor.pot(1n)).deadline + 1n);
  const mSweep = await measure("sweep", distributor.sweep(1n));
  check((await distributor.pot(1n)).swept, "the pot is swept");

  const specs = patronageFloorComponents(EVIDENCE_URI);
  const floors: Floor[] = [];
  const row = (operation: string, m: Measured, spec: (typeof specs)[keyof typeof specs]): Row => {
    const f = floorOf(spec, m.data);
    floors.push(f);
    return makeRow(`patronage: ${operation}`, m.gas, null, f.total, f.operation);
  };
  const rows = [
    row("record a contribution", mRecord, specs.record),
    row("attest, the entry still waits", mAttestPending, specs.attestPending),
    row("attest, validates the period's first entry", mAttestFirst, specs.attestValidatesFirst),
    row("attest, validates a later entry of the card", mAttestLater, specs.attestValidatesLater),
    row("finalize, first call (1 contributor)", mFinalizeFirst, specs.finalizeFirst),
    row("finalize, a later call (1 contributor)", mFinalizeNext, specs.finalizeNext),
    row(`finalize, the last call (${rest.length} contributors)`, mFinalizeLast, specs.finalizeLast),
    row("claim a share (ETH), the pot's first claim", mClaimFirst, specs.claimFirst),
    row("claim a share (ETH), a later claim", mClaimLater, specs.claimLater),
    row("sweep a pot after its deadline", mSweep, specs.sweep),
  ];
  return { rows, floors };
}
