/**
 * Replays a demo co-op (seeds/bakery.ts by default) onto a freshly deployed co-op on a local chain, with
 * time travel between phases, so that every proposal ends in the state the data says.
 *
 * Phases (by each proposal's final state), one after the other:
 *  1. history — Executed, Defeated, Canceled: proposed together; the Canceled ones are cancelled by their
 *     proposer at once (still Pending); the others are voted on, the vote is left to close, deposits are
 *     settled, and the passed ones are queued, wait out the timelock delay and are executed. An admission
 *     executes here, so the new member can take part from phase 2 on.
 *  2. recent — Succeeded, Queued: voted on, the vote closes, the Queued ones are queued. Their timelock
 *     delay is still running when seeding ends (phases 3 and 4 take the voting delay plus a few seconds).
 *  3. open — Active: proposed, the voting delay passes, some votes are cast. Seeding ends well within the
 *     vote (a late-quorum extension only ever lengthens it).
 *  4. new — Pending: proposed last; their vote has not started.
 *
 * Patronage, when the demo has it and the co-op has a ledger and a distributor: before phase 1, the members record
 * and attest the closed period's contributions, the chain moves past that period's review and the period is finalized
 * (in the order lib/rules/patronage.ts computes from the ledger's events); a phase-1 proposal allocates the pot; after phase
 * 4 some members claim their share and the period under way gets a few entries of its own.
 *
 * Signed ballots are collected per phase and submitted by the relayer in one `castBallots` transaction.
 * Nothing is sent before the chain is known to be local, the data is consistent and the co-op is fresh.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  AbiCoder,
  encodeBytes32String,
  formatEther,
  ZeroAddress,
  getAddress,
  id as keccakText,
  isAddress,
  parseEther,
  type Interface,
  type TypedDataField,
} from "ethers";

import {
  Support,
  ballotTuple,
  governorDomain,
  quadraticBallotTypes,
  voteRefusals,
  type SignedBallot,
} from "../lib/ballots/ballot.ts";
import { voteCost } from "../lib/rules/quadratic.ts";
import { chunk, finalizationOrder, ledgerModelFromLogs, type DecodedLedgerLog } from "../lib/rules/patronage.ts";
import type { Coop } from "../deploy/coop.ts";
import { assertLocalChain } from "../lib/deployment.ts";
import { formatChainTime, formatDuration, proposalStates, type ProposalStateName } from "../lib/format.ts";
import {
  bakery,
  type DemoAction,
  type DemoContribution,
  type DemoCoop,
  type DemoFinalState,
  type DemoPerson,
  type DemoProposal,
  type DemoVote,
} from "./bakery.ts";

/** What `seedCoop` needs of a Hardhat network connection (`network.create()` or `hre.network.create("localhost")`). */
export interface SeedConnection {
  ethers: HardhatEthers;
  networkHelpers: {
    time: { latest(): Promise<number>; increaseTo(timestamp: number | bigint): Promise<void> };
  };
}

/**
 * The contracts of a co-op (a `Coop` from deployCoop, or contracts attached from a deployment file). Without the
 * ledger and the distributor (a co-op deployed before patronage existed) the demo's patronage is left out.
 */
export type CoopContracts = Pick<Coop, "card" | "credits" | "governor" | "timelock"> &
  Partial<Pick<Coop, "ledger" | "distributor">>;

/** What the demo's patronage left on chain. */
export interface SeededPatronage {
  /** The closed, finalized period. */
  period: bigint;
  contributors: number;
  minUnits: bigint;
  ratio: bigint;
  cappedSum: bigint;
  potId: bigint;
  /** The pot, in wei. */
  pot: bigint;
  claims: { name: string; units: bigint; amount: bigint }[];
  /** Entries recorded in the period under way, and how many of them still wait for attestation. */
  currentEntries: number;
  currentPending: number;
}

export interface SeededProposal {
  /** 1-based position in the governor's enumeration (proposalIdAt(number - 1)). */
  number: number;
  key: string;
  id: bigint;
  title: string;
  proposer: string;
  expected: DemoFinalState;
  actual: ProposalStateName;
  /** How its deposit was settled, if it was. */
  deposit?: "returned" | "burned";
}

export interface SeedReport {
  chainId: bigint;
  name: string;
  governor: string;
  treasury: string;
  treasuryBalance: bigint;
  members: number;
  /** Chain time when seeding ended. */
  chainTime: number;
  /** In the order they were made. */
  proposals: SeededProposal[];
  /** The demo's patronage, when it was seeded. */
  patronage?: SeededPatronage;
  /** Every proposal is in its expected state (and the patronage seeded as the data says). */
  ok: boolean;
}

/** The contribution period the demo closes, finalizes and allocates a pot to: the ledger's first. */
export const CLOSED_PERIOD = 0n;
/** Contributors per finalize transaction. */
const FINALIZE_CHUNK = 50;

/** The phases, in order, and the final states whose proposals are made in each. */
export const PHASES: readonly { name: string; states: readonly DemoFinalState[] }[] = [
  { name: "history: proposals that run to the end", states: ["Executed", "Defeated", "Canceled"] },
  { name: "recent: votes that closed, one waiting in the timelock", states: ["Succeeded", "Queued"] },
  { name: "open: a vote in progress", states: ["Active"] },
  { name: "new: a proposal whose vote has not started", states: ["Pending"] },
];

const SUPPORT: Record<DemoVote["side"], number> = {
  for: Support.For,
  against: Support.Against,
  abstain: Support.Abstain,
};
const PASSING: readonly DemoFinalState[] = ["Executed", "Queued", "Succeeded"];
const coder = AbiCoder.defaultAbiCoder();
/** `1 credit`, `4 credits`. */
const plural = (count: number | bigint, noun: string) => `${count} ${noun}${BigInt(count) === 1n ? "" : "s"}`;
const ballotTypes = quadraticBallotTypes as unknown as Record<string, TypedDataField[]>;

/** The on-chain description of a demo proposal: its title as a Markdown heading, then its body. */
export function proposalDescription(p: DemoProposal): string {
  return `# ${p.title}\n\n${p.description}`;
}

/** The index in PHASES of the phase in which a proposal ending in `state` is made. */
export function phaseOf(state: DemoFinalState): number {
  return PHASES.findIndex((phase) => phase.states.includes(state));
}

/** Members needed for quorum: ⌈members × bps / 10 000⌉, and at least one (the governor's rule). */
function quorumOf(members: number, bps: number): number {
  return Math.max(1, Math.ceil((members * bps) / 10_000));
}

/** Votes for and against, and the number of voters, in `votes`. */
export function tallyOf(votes: readonly DemoVote[]): { forVotes: number; againstVotes: number; voters: number } {
  let forVotes = 0;
  let againstVotes = 0;
  for (const v of votes) {
    if (v.side === "for") forVotes += v.votes;
    if (v.side === "against") againstVotes += v.votes;
  }
  return { forVotes, againstVotes, voters: votes.length };
}

/**
 * Everything wrong with `demo` that would make seeding fail or end in other states than it says: unknown or
 * duplicate people, suppliers and proposals, votes by non-members (the applicant only counts from phase 2, if
 * admitted in phase 1), votes on proposals that are never voted on, outcomes the votes cannot produce, deposit
 * settlements the rules would not give. Empty when the demo is consistent.
 */
export function demoProblems(demo: DemoCoop): string[] {
  const problems: string[] = [];
  const people = [...demo.members, demo.applicant, demo.relayer];
  const duplicates = (values: readonly (string | number)[]) => values.filter((v, i) => values.indexOf(v) !== i);
  for (const key of duplicates(people.map((p) => p.key))) problems.push(`person key "${key}" is used twice`);
  for (const account of duplicates(people.map((p) => p.account)))
    problems.push(`account ${account} is used by two people`);
  for (const key of duplicates(demo.suppliers.map((s) => s.key))) problems.push(`supplier key "${key}" is used twice`);
  for (const key of duplicates(demo.proposals.map((p) => p.key))) problems.push(`proposal key "${key}" is used twice`);
  for (const title of duplicates(demo.proposals.map((p) => p.title)))
    problems.push(`proposal title "${title}" is used twice`);
  for (const s of demo.suppliers)
    if (!isAddress(s.address)) problems.push(`supplier ${s.key}: "${s.address}" is not an address`);

  const admitted = demo.proposals.some(
    (p) => p.finalState === "Executed" && p.actions.some((a) => a.kind === "admit" && a.person === demo.applicant.key),
  );
  const memberAt = (key: string, phase: number) =>
    demo.members.some((m) => m.key === key) || (key === demo.applicant.key && admitted && phase > phaseOf("Executed"));

  for (const p of demo.proposals) {
    const where = `proposal "${p.key}"`;
    const phase = phaseOf(p.finalState);
    if (phase < 0) {
      problems.push(`${where}: final state ${p.finalState} cannot be seeded`);
      continue;
    }
    if (!memberAt(p.proposer, phase))
      problems.push(`${where}: proposer "${p.proposer}" is not a member when it is made`);
    if (p.actions.length === 0) problems.push(`${where}: has no action (every proposal must do something)`);
    for (const a of p.actions) {
      if (a.kind === "pay") {
        if (!demo.suppliers.some((s) => s.key === a.supplier))
          problems.push(`${where}: unknown supplier "${a.supplier}"`);
        let wei = 0n;
        try {
          wei = parseEther(a.eth);
        } catch {
          // reported below
        }
        if (wei <= 0n) problems.push(`${where}: "${a.eth}" is not a positive amount of ETH`);
      }
      if (a.kind === "admit" && a.person !== demo.applicant.key)
        problems.push(`${where}: only the applicant can be admitted, not "${a.person}"`);
      if (a.kind === "patronage") {
        if (demo.patronage === undefined) problems.push(`${where}: allocates patronage, but the demo has none`);
        if (p.finalState !== "Executed" && p.finalState !== "Queued" && p.finalState !== "Succeeded")
          problems.push(`${where}: a patronage pot is allocated only by a proposal that passes`);
        let wei = 0n;
        try {
          wei = parseEther(a.eth);
        } catch {
          // reported below
        }
        if (wei <= 0n) problems.push(`${where}: "${a.eth}" is not a positive amount of ETH`);
      }
    }

    const voted = p.finalState !== "Pending" && p.finalState !== "Canceled";
    if (!voted && p.votes.length > 0) problems.push(`${where}: a ${p.finalState} proposal cannot have votes`);
    for (const key of duplicates(p.votes.map((v) => v.voter))) problems.push(`${where}: "${key}" votes twice`);
    for (const v of p.votes) {
      if (!memberAt(v.voter, phase)) problems.push(`${where}: voter "${v.voter}" is not a member at the snapshot`);
      if (v.side === "abstain" ? v.votes !== 0 : !(Number.isInteger(v.votes) && v.votes > 0)) {
        problems.push(
          `${where}: "${v.voter}" ${v.side === "abstain" ? "abstains with 0 votes" : "must cast a positive whole number of votes"}, not ${v.votes}`,
        );
      }
    }

    const members = demo.members.length + (admitted && phase > phaseOf("Executed") ? 1 : 0);
    const { forVotes, againstVotes, voters } = tallyOf(p.votes);
    const quorum = voters >= quorumOf(members, demo.config.quorumBps);
    const passes = quorum && forVotes > againstVotes;
    if (PASSING.includes(p.finalState) && !passes)
      problems.push(`${where}: ends ${p.finalState}, but its votes do not pass it`);
    if (p.finalState === "Defeated" && passes) problems.push(`${where}: ends Defeated, but its votes pass it`);
    if (p.deposit !== undefined) {
      if (p.finalState === "Pending" || p.finalState === "Active")
        problems.push(`${where}: a deposit cannot be settled while ${p.finalState}`);
      const returned = quorum && againstVotes < 2 * forVotes;
      if ((p.deposit === "returned") !== returned)
        problems.push(`${where}: its deposit would be ${returned ? "returned" : "burned"}, not ${p.deposit}`);
    }
  }
  if (demo.patronage !== undefined) problems.push(...patronageProblems(demo));
  return problems;
}

/** What is wrong with the demo's patronage: unknown members, self-attestations, entries the ledger would refuse. */
function patronageProblems(demo: DemoCoop): string[] {
  const problems: string[] = [];
  const patronage = demo.patronage!;
  const isMember = (key: string) => demo.members.some((m) => m.key === key);
  const check = (c: DemoContribution, where: string) => {
    if (!isMember(c.member)) problems.push(`${where}: "${c.member}" is not a founding member`);
    if (!(Number.isInteger(c.units) && c.units > 0)) problems.push(`${where}: units must be a positive whole number`);
    if (new TextEncoder().encode(c.kind).length > 31) problems.push(`${where}: kind "${c.kind}" is over 31 bytes`);
    if (c.attestedBy.length > demo.config.attestationThreshold)
      problems.push(
        `${where}: attested ${c.attestedBy.length} times, but it counts (and closes) at ${demo.config.attestationThreshold}`,
      );
    for (const a of c.attestedBy) {
      if (!isMember(a)) problems.push(`${where}: attester "${a}" is not a founding member`);
      if (a === c.member) problems.push(`${where}: "${a}" attests their own contribution`);
    }
    if (new Set(c.attestedBy).size !== c.attestedBy.length) problems.push(`${where}: the same member attests twice`);
  };
  patronage.closedPeriod.forEach((c, i) => check(c, `patronage.closedPeriod[${i}]`));
  patronage.currentPeriod.forEach((c, i) => check(c, `patronage.currentPeriod[${i}]`));
  const counts = (key: string) =>
    patronage.closedPeriod.some((c) => c.member === key && c.attestedBy.length >= demo.config.attestationThreshold);
  for (const key of patronage.claims) {
    if (!counts(key)) problems.push(`patronage.claims: "${key}" has no validated contribution in the closed period`);
  }
  const pots = demo.proposals.filter(
    (p) => p.finalState === "Executed" && p.actions.some((a) => a.kind === "patronage"),
  );
  if (pots.length !== 1) problems.push(`patronage: one executed proposal must allocate the pot, not ${pots.length}`);
  return problems;
}

/** Throws listing every problem of `demo` (see demoProblems). */
export function assertValidDemo(demo: DemoCoop): void {
  const problems = demoProblems(demo);
  if (problems.length > 0) throw new Error(`The demo data is inconsistent:\n  - ${problems.join("\n  - ")}`);
}

/**
 * Replays `demo` onto `coop`, a freshly deployed co-op whose founders are the demo's members
 * (`deployCoop(connection, demoCoopConfig(demo, addresses))`), and returns the state of every proposal.
 * Refuses, before sending anything, a chain that is not local, inconsistent demo data, a co-op that already has
 * proposals, and one whose members are not the demo's. One `log` line per step.
 */
export async function seedCoop(
  connection: SeedConnection,
  coop: CoopContracts,
  demo: DemoCoop = bakery,
  log: (line: string) => void = console.log,
): Promise<SeedReport> {
  const { ethers } = connection;
  const { time } = connection.networkHelpers;
  const { card, governor, timelock, ledger, distributor } = coop;
  const name = demo.config.name;

  // ---- Checks: nothing is sent before all of them pass. -------------------------------------------------
  const chainId = (await ethers.provider.getNetwork()).chainId;
  assertLocalChain(chainId, `seed the demo co-op "${name}"`);
  assertValidDemo(demo);

  const signers = await ethers.getSigners();
  const signerOf = (person: DemoPerson): HardhatEthersSigner => {
    const signer = signers[person.account];
    if (signer === undefined)
      throw new Error(`${person.name} uses account ${person.account}, but the node has ${signers.length} accounts`);
    return signer;
  };
  const everyone = new Map<string, { person: DemoPerson; signer: HardhatEthersSigner }>();
  for (const person of [...demo.members, demo.applicant, demo.relayer])
    everyone.set(person.key, { person, signer: signerOf(person) });
  const who = (key: string) => everyone.get(key)!;
  const funder = signers[demo.treasuryTopUp.fromAccount];
  if (funder === undefined)
    throw new Error(
      `the treasury top-up comes from account ${demo.treasuryTopUp.fromAccount}, which the node does not have`,
    );

  const governorAddress = await governor.getAddress();
  const existing = await governor.proposalCount();
  if (existing > 0n) {
    throw new Error(
      `The co-op at ${governorAddress} already has ${existing} proposal(s): the demo is seeded onto a freshly deployed co-op. ` +
        "Restart the node and deploy again.",
    );
  }
  for (const m of demo.members) {
    const address = who(m.key).signer.address;
    if (!(await card.isMember(address))) {
      throw new Error(
        `${m.name} (account ${m.account}, ${address}) is not a member of the co-op at ${await card.getAddress()}: ` +
          "deploy it with demoCoopConfig(demo, accounts) so that the demo's members are its founders.",
      );
    }
  }
  const seedsPatronage = demo.patronage !== undefined && ledger !== undefined && distributor !== undefined;
  if (!seedsPatronage && demo.proposals.some((p) => p.actions.some((a) => a.kind === "patronage"))) {
    throw new Error(
      "The demo allocates patronage, but this co-op has no ContributionLedger and PatronageDistributor: deploy a fresh co-op.",
    );
  }
  if (seedsPatronage && (await ledger!.entryCount()) !== 0n) {
    throw new Error("The co-op's contribution ledger has entries already: the demo seeds a fresh co-op only.");
  }
  const applicant = who(demo.applicant.key);
  if (await card.isMember(applicant.signer.address)) {
    throw new Error(
      `${demo.applicant.name} (account ${demo.applicant.account}) is already a member: the demo admits them by a proposal.`,
    );
  }

  // ---- Seeding. -----------------------------------------------------------------------------------------
  const treasury = await timelock.getAddress();
  const cardAddress = await card.getAddress();
  const distributorAddress = seedsPatronage ? await distributor!.getAddress() : ZeroAddress;
  const domain = governorDomain(await governor.name(), chainId, governorAddress);
  const depositOf = new Map<string, bigint>();
  const made = new Map<
    string,
    { number: number; id: bigint; targets: string[]; values: bigint[]; calldatas: string[]; descriptionHash: string }
  >();
  const settled = new Map<string, "returned" | "burned">();

  const label = (p: DemoProposal) => `#${made.get(p.key)?.number ?? "?"}`;
  const personLabel = (key: string) => {
    const { person } = who(key);
    return `${person.name} (${person.role})`;
  };
  const supplier = (key: string) => demo.suppliers.find((s) => s.key === key)!;
  const describeAction = (a: DemoAction): string => {
    if (a.kind === "pay") return `pays ${a.eth} ETH to ${supplier(a.supplier).name}`;
    if (a.kind === "admit") return `admits ${who(a.person).person.name} (account ${who(a.person).person.account})`;
    if (a.kind === "patronage") return `allocates ${a.eth} ETH of patronage to contribution period ${CLOSED_PERIOD}`;
    return `${a.setter}(${a.value})`;
  };
  /** Runs one step; a failure names the step. */
  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw new Error(`Seeding failed at: ${what}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  };
  /** Mines a block at `target` (if the chain is not already past it) and logs why. */
  const advanceTo = async (target: bigint, why: string) => {
    const now = BigInt(await time.latest());
    if (target <= now) return;
    await time.increaseTo(target);
    log(`⏩ chain time ${formatChainTime(target)} (+${formatDuration(target - now, { style: "short" })}): ${why}`);
  };
  const encode = (a: DemoAction): { target: string; value: bigint; data: string } => {
    if (a.kind === "pay")
      return { target: getAddress(supplier(a.supplier).address), value: parseEther(a.eth), data: "0x" };
    if (a.kind === "admit")
      return {
        target: cardAddress,
        value: 0n,
        data: card.interface.encodeFunctionData("admit", [who(a.person).signer.address]),
      };
    if (a.kind === "patronage") {
      const value = parseEther(a.eth);
      return {
        target: distributorAddress,
        value,
        data: distributor!.interface.encodeFunctionData("allocate", [CLOSED_PERIOD, ZeroAddress, value]),
      };
    }
    // The setters share one shape, (uint) → (); the typed interface only knows them one by one.
    return {
      target: governorAddress,
      value: 0n,
      data: (governor.interface as Interface).encodeFunctionData(a.setter, [a.value]),
    };
  };

  log(
    `Seeding "${name}" on chain ${chainId}: ${demo.members.length} members, ${demo.proposals.length} proposals, governor ${governorAddress}`,
  );

  await step("treasury top-up", async () => {
    const value = parseEther(demo.treasuryTopUp.eth);
    await (await funder.sendTransaction({ to: treasury, value })).wait();
    const balance = await ethers.provider.getBalance(treasury);
    log(
      `treasury ${treasury} topped up with ${demo.treasuryTopUp.eth} ETH by account ${demo.treasuryTopUp.fromAccount}: ${formatEther(balance)} ETH`,
    );
  });

  if (seedsPatronage) {
    const { closedPeriod } = demo.patronage!;
    log(`— patronage: ${plural(closedPeriod.length, "contribution")} in period ${CLOSED_PERIOD}`);
    for (const c of closedPeriod) await contribute(c);
    const [, , reviewEnd] = await ledger!.periodTimes(CLOSED_PERIOD);
    await advanceTo(reviewEnd, `contribution period ${CLOSED_PERIOD} closed and its review ended`);
    await step(`finalizing contribution period ${CLOSED_PERIOD}`, async () => {
      const model = ledgerModelFromLogs((await ledger!.queryFilter("*" as never)) as unknown as DecodedLedgerLog[]);
      const order = finalizationOrder(model.periodUnits(CLOSED_PERIOD));
      for (const piece of order.length === 0 ? [[]] : chunk(order, FINALIZE_CHUNK)) {
        await (await distributor!.finalize(CLOSED_PERIOD, piece)).wait();
      }
      const f = await distributor!.finalization(CLOSED_PERIOD);
      if (!f.finalized) throw new Error("the period is not finalized after every contributor was submitted");
      log(
        `contribution period ${CLOSED_PERIOD} finalized: ${plural(order.length, "contributor")}, smallest ${f.minUnits} units, ` +
          `pay ratio ${f.ratio}:1, capped sum ${f.cappedSum}`,
      );
    });
  }

  let madeCount = 0;
  for (const [phaseIndex, phase] of PHASES.entries()) {
    const list = demo.proposals.filter((p) => phase.states.includes(p.finalState));
    if (list.length === 0) continue;
    log(`— phase ${phaseIndex + 1} of ${PHASES.length}, ${phase.name}`);

    for (const p of list) {
      await step(`proposing "${p.title}"`, async () => {
        const { signer } = who(p.proposer);
        const encoded = p.actions.map(encode);
        const targets = encoded.map((e) => e.target);
        const values = encoded.map((e) => e.value);
        const calldatas = encoded.map((e) => e.data);
        const description = proposalDescription(p);
        const descriptionHash = keccakText(description);
        const id = await governor.getProposalId(targets, values, calldatas, descriptionHash);
        const deposit = await governor.proposalDeposit();
        await (await governor.connect(signer).propose(targets, values, calldatas, description)).wait();
        madeCount += 1;
        made.set(p.key, { number: madeCount, id, targets, values, calldatas, descriptionHash });
        depositOf.set(p.key, deposit);
        log(
          `${label(p)} proposed by ${personLabel(p.proposer)}, deposit ${deposit} credits: "${p.title}" — ${p.actions.map(describeAction).join("; ")}`,
        );
      });
    }

    for (const p of list.filter((q) => q.finalState === "Canceled")) {
      const m = made.get(p.key)!;
      await step(`cancelling "${p.title}"`, async () => {
        await (
          await governor.connect(who(p.proposer).signer).cancel(m.targets, m.values, m.calldatas, m.descriptionHash)
        ).wait();
        log(`${label(p)} cancelled by its proposer ${who(p.proposer).person.name} before the vote opened`);
      });
      if (p.deposit !== undefined) await settle(p);
    }

    const voting = list.filter((p) => p.finalState !== "Canceled" && p.finalState !== "Pending");
    if (voting.length === 0) continue;

    let opens = 0n;
    for (const p of voting) {
      const snapshot = await governor.proposalSnapshot(made.get(p.key)!.id);
      if (snapshot + 1n > opens) opens = snapshot + 1n;
    }
    await advanceTo(opens, `voting opens on ${voting.map(label).join(", ")}`);

    const ballots: { p: DemoProposal; v: DemoVote; ballot: SignedBallot }[] = [];
    for (const p of voting) {
      const { id } = made.get(p.key)!;
      for (const v of p.votes) {
        const { person, signer } = who(v.voter);
        const cost = voteCost(BigInt(v.votes));
        const what = v.side === "abstain" ? "abstains" : `votes ${v.side} ×${v.votes} (${plural(cost, "credit")})`;
        if (v.signed) {
          await step(`${person.name} signing a ballot on "${p.title}"`, async () => {
            const message = {
              proposalId: id,
              support: SUPPORT[v.side],
              voter: signer.address,
              votes: BigInt(v.votes),
              nonce: await governor.ballotNonce(id, signer.address),
              deadline: BigInt(await time.latest()) + 86_400n,
              reason: v.reason,
            };
            const signature = await signer.signTypedData(domain, ballotTypes, message);
            ballots.push({ p, v, ballot: { ...message, signature } });
            log(`${label(p)} ${person.name} ${what} by signed ballot, handed to the relayer: "${v.reason}"`);
          });
          continue;
        }
        await step(`${person.name} voting on "${p.title}"`, async () => {
          const g = governor.connect(signer);
          const tx =
            v.side === "abstain"
              ? await g.castVoteWithReason(id, SUPPORT[v.side], v.reason)
              : await g.castVoteWithReasonAndParams(
                  id,
                  SUPPORT[v.side],
                  v.reason,
                  coder.encode(["uint256"], [v.votes]),
                );
          await tx.wait();
          log(`${label(p)} ${person.name} ${what}: "${v.reason}"`);
        });
      }
    }

    if (ballots.length > 0) {
      const relayer = who(demo.relayer.key);
      await step("relaying signed ballots", async () => {
        const tx = await governor.connect(relayer.signer).castBallots(ballots.map((b) => ballotTuple(b.ballot)));
        const receipt = await tx.wait();
        if (receipt === null) throw new Error("castBallots was not mined");
        const skipped: string[] = [];
        let counted = 0;
        for (const entry of receipt.logs) {
          const parsed = governor.interface.parseLog(entry);
          if (parsed?.name === "VoteCast") counted += 1;
          if (parsed?.name === "BallotSkipped") {
            const b = ballots[Number(parsed.args.index)];
            skipped.push(`${who(b.v.voter).person.name} on ${label(b.p)}: ${voteRefusals[Number(parsed.args.reason)]}`);
          }
        }
        if (skipped.length > 0) throw new Error(`ballots skipped: ${skipped.join("; ")}`);
        log(
          `${relayer.person.name} (account ${relayer.person.account}) submitted ${plural(counted, "signed ballot")} in one castBallots ` +
            `transaction (gas ${receipt.gasUsed}, paid by the relayer): ${ballots.map((b) => `${label(b.p)} ${who(b.v.voter).person.name}`).join(", ")}`,
        );
      });
    }

    const closing = voting.filter((p) => p.finalState !== "Active");
    if (closing.length === 0) continue;
    let closes = 0n;
    for (const p of closing) {
      const deadline = await governor.proposalDeadline(made.get(p.key)!.id);
      if (deadline + 1n > closes) closes = deadline + 1n;
    }
    await advanceTo(closes, `voting closes on ${closing.map(label).join(", ")}`);
    for (const p of closing) {
      const { id } = made.get(p.key)!;
      const tally = await governor.proposalTally(id);
      const state = proposalStates[Number(await governor.state(id))];
      const voters = tally.forVoters + tally.againstVoters + tally.abstainVoters;
      log(
        `${label(p)} vote closed: ${tally.forVotes} for, ${tally.againstVotes} against, ${voters} voters (quorum ${tally.quorumMembers}) → ${state}`,
      );
    }

    for (const p of closing.filter((q) => q.deposit !== undefined)) await settle(p);

    const queued = closing.filter((p) => p.finalState === "Queued" || p.finalState === "Executed");
    let ready = 0n;
    for (const p of queued) {
      const m = made.get(p.key)!;
      await step(`queueing "${p.title}"`, async () => {
        await (await governor.queue(m.targets, m.values, m.calldatas, m.descriptionHash)).wait();
        const eta = await governor.proposalEta(m.id);
        if (p.finalState === "Executed" && eta > ready) ready = eta;
        log(`${label(p)} queued in the timelock, executable from ${formatChainTime(eta)}`);
      });
    }

    const executed = closing.filter((p) => p.finalState === "Executed");
    if (executed.length === 0) continue;
    await advanceTo(ready, `timelock delay over for ${executed.map(label).join(", ")}`);
    for (const p of executed) {
      const m = made.get(p.key)!;
      await step(`executing "${p.title}"`, async () => {
        await (await governor.execute(m.targets, m.values, m.calldatas, m.descriptionHash)).wait();
        log(`${label(p)} executed: ${p.actions.map(describeAction).join("; ")}`);
      });
    }
  }

  let seededPatronage: SeededPatronage | undefined;
  if (seedsPatronage) {
    const { claims, currentPeriod } = demo.patronage!;
    const potId = await distributor!.potCount();
    const claimed: SeededPatronage["claims"] = [];
    for (const key of claims) {
      const { person, signer } = who(key);
      await step(`${person.name} claiming patronage`, async () => {
        const cardId = await card.cardOf(signer.address);
        const units = await ledger!.validatedUnits(CLOSED_PERIOD, cardId);
        const amount = await distributor!.claimable(potId, signer.address);
        await (await distributor!.connect(signer).claim(potId)).wait();
        claimed.push({ name: person.name, units, amount });
        log(`${person.name} claimed ${formatEther(amount)} ETH of patronage (pot ${potId}) for ${units} units`);
      });
    }
    const current = await ledger!.currentPeriod();
    log(`— patronage: ${plural(currentPeriod.length, "contribution")} in the period under way (period ${current})`);
    for (const c of currentPeriod) await contribute(c);
    const f = await distributor!.finalization(CLOSED_PERIOD);
    const [, contributors] = await ledger!.periodTotals(CLOSED_PERIOD);
    seededPatronage = {
      period: CLOSED_PERIOD,
      contributors: Number(contributors),
      minUnits: f.minUnits,
      ratio: BigInt(f.ratio),
      cappedSum: f.cappedSum,
      potId,
      pot: (await distributor!.pot(potId)).amount,
      claims: claimed,
      currentEntries: currentPeriod.length,
      currentPending: currentPeriod.filter((c) => c.attestedBy.length < demo.config.attestationThreshold).length,
    };
  }

  // ---- Report. ------------------------------------------------------------------------------------------
  const proposals: SeededProposal[] = [];
  for (const p of demo.proposals) {
    const m = made.get(p.key)!;
    proposals.push({
      number: m.number,
      key: p.key,
      id: m.id,
      title: p.title,
      proposer: who(p.proposer).person.name,
      expected: p.finalState,
      actual: proposalStates[Number(await governor.state(m.id))],
      deposit: settled.get(p.key),
    });
  }
  proposals.sort((a, b) => a.number - b.number);
  const report: SeedReport = {
    chainId,
    name,
    governor: governorAddress,
    treasury,
    treasuryBalance: await ethers.provider.getBalance(treasury),
    members: Number(await card.memberCount()),
    chainTime: await time.latest(),
    proposals,
    patronage: seededPatronage,
    ok:
      proposals.every((p) => p.actual === p.expected) &&
      (!seedsPatronage ||
        (seededPatronage !== undefined && seededPatronage.claims.length === demo.patronage!.claims.length)),
  };
  const wrong = proposals.filter((p) => p.actual !== p.expected);
  log(
    wrong.length === 0
      ? `Seeded ${proposals.length} proposals, each in its expected state; chain time ${formatChainTime(report.chainTime)}`
      : `Seeded ${proposals.length} proposals; NOT in the expected state: ${wrong.map((p) => `#${p.number} ${p.actual} (expected ${p.expected})`).join(", ")}`,
  );
  return report;

  /** Records contribution `c` in the current period and has it attested. */
  async function contribute(c: DemoContribution): Promise<void> {
    const { person, signer } = who(c.member);
    await step(`${person.name} recording "${c.kind}"`, async () => {
      const entryId = (await ledger!.entryCount()) + 1n;
      const kind = encodeBytes32String(c.kind);
      await (await ledger!.connect(signer).record(kind, c.units, keccakText(c.evidence), c.evidence)).wait();
      const by = c.attestedBy.map((key) => who(key));
      for (const attester of by) await (await ledger!.connect(attester.signer).attest(entryId)).wait();
      const status = by.length >= demo.config.attestationThreshold ? "counts" : "waits for attestation";
      log(
        `entry ${entryId}: ${person.name} recorded ${c.units} units of ${c.kind} (${c.evidence})` +
          (by.length > 0 ? `, attested by ${by.map((a) => a.person.name).join(", ")}` : "") +
          ` — ${status}`,
      );
    });
  }

  /** Settles `p`'s deposit and checks it went the way the data says. */
  async function settle(p: DemoProposal): Promise<void> {
    const { id } = made.get(p.key)!;
    await step(`settling the deposit of "${p.title}"`, async () => {
      const receipt = await (await governor.settleDeposit(id)).wait();
      const event = receipt?.logs
        .map((entry) => governor.interface.parseLog(entry))
        .find((e) => e?.name === "ProposalDepositSettled");
      if (!event) throw new Error("no ProposalDepositSettled event");
      const returned: boolean = event.args.returned;
      const outcome = returned ? "returned" : "burned";
      if (outcome !== p.deposit) throw new Error(`the deposit was ${outcome}, the demo says ${p.deposit}`);
      settled.set(p.key, outcome);
      log(
        `${label(p)} deposit of ${depositOf.get(p.key)} credits settled: ${
          returned ? `returned to ${who(p.proposer).person.name} (${event.args.credited} credited)` : "burned"
        }`,
      );
    });
  }
}

/** The report as a table, for the command line. */
export function formatReport(report: SeedReport): string {
  const shortId = (id: bigint) => {
    const hex = id.toString(16).padStart(64, "0");
    return `0x${hex.slice(0, 6)}…${hex.slice(-4)}`;
  };
  const rows = report.proposals.map((p) => [
    `#${p.number}`,
    shortId(p.id),
    p.actual,
    p.actual === p.expected ? "✓" : `✗ expected ${p.expected}`,
    p.deposit ?? "",
    p.proposer,
    p.title,
  ]);
  const header = ["#", "id", "state", "ok", "deposit", "proposer", "title"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  return [
    `${report.name} on chain ${report.chainId} — governor ${report.governor}`,
    `members ${report.members}, treasury ${report.treasury} holds ${formatEther(report.treasuryBalance)} ETH, chain time ${formatChainTime(report.chainTime)}`,
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    ...(report.patronage === undefined ? [] : ["", ...formatPatronage(report.patronage)]),
  ].join("\n");
}

/** The patronage part of the report: the closed period, its pot and the claims paid. */
function formatPatronage(p: SeededPatronage): string[] {
  return [
    `patronage: period ${p.period} finalized with ${p.contributors} contributors (smallest ${p.minUnits} units, pay ratio ` +
      `${p.ratio}:1, capped sum ${p.cappedSum}); pot ${p.potId} holds ${formatEther(p.pot)} ETH`,
    ...p.claims.map((c) => `  ${c.name} claimed ${formatEther(c.amount)} ETH for ${c.units} units`),
    `  period under way: ${p.currentEntries} ${p.currentEntries === 1 ? "entry" : "entries"}, ${p.currentPending} waiting for attestation`,
  ];
}
