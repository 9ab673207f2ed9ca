/**
 * The EVM floor of each measured operation: the gas that no implementation of the operation, as the product
 * defines it, can avoid on today's Ethereum (Osaka; the items below have not changed since Prague).
 *
 *   floor = 21,000 (every transaction)
 *         + the transaction's calldata (4 per zero byte, 16 per non-zero byte, from its actual data)
 *         + the storage writes the operation must make and the logs it must emit (listed below, with why)
 *         [+ 3,000 per signature recovered, + the value transfer of an executed payment]
 *
 * and, by EIP-7623 (Prague), never less than 21,000 + 10 gas per calldata token (a zero byte is one token,
 * a non-zero byte four). That calldata floor only binds transactions that do almost no work: it is computed
 * for every row and reported, and for every operation here the first sum is far above it.
 *
 * What a floor leaves out, on purpose: storage reads, calls between contracts, hashing, memory, the code that
 * decides, and gas refunds. The storage model is OpenZeppelin Governor v5's (a proposal is its ProposalCore plus
 * Mutual's tally word) with the product's own requirements on top (deposits, on-chain enumeration, credits,
 * a membership history for quorum); the treasury is an OpenZeppelin TimelockController, as the product says.
 *
 * The components are data: `npm run bench -- --floors` prints them, docs/performance.md shows them.
 */
import { Interface, getBytes } from "ethers";

/** The gas schedule items the floors use. */
export const GAS = {
  transaction: 21_000,
  calldataZeroByte: 4,
  calldataNonZeroByte: 16,
  /** EIP-7623: a transaction pays at least 21,000 + 10 per calldata token. */
  calldataFloorPerToken: 10,
  /** SSTORE 0 → non-zero (20,000) on a slot not yet touched in the transaction (cold: 2,100). */
  freshSlot: 22_100,
  /** SSTORE non-zero → non-zero (2,900) on a cold slot (2,100). */
  coldUpdate: 5_000,
  /** SSTORE to a slot already written in the same transaction. */
  warmUpdate: 100,
  /** The ecrecover precompile. */
  ecrecover: 3_000,
  /** CALL with value (9,000) to a cold account (2,600), less the 2,300 stipend an account without code hands back. */
  valueTransfer: 9_000 + 2_600 - 2_300,
  log: 375,
  logTopic: 375,
  logDataByte: 8,
} as const;

export interface FloorComponent {
  name: string;
  gas: number;
  why: string;
}

/** The calldata of one transaction, priced both ways. */
export interface CalldataCost {
  bytes: number;
  zeroBytes: number;
  nonZeroBytes: number;
  /** EIP-7623 tokens: zero bytes + 4 × non-zero bytes. */
  tokens: number;
  /** 4 × zero bytes + 16 × non-zero bytes. */
  gas: number;
}

export function calldataCost(data: string): CalldataCost {
  const bytes = getBytes(data);
  const zeroBytes = bytes.filter((b) => b === 0).length;
  const nonZeroBytes = bytes.length - zeroBytes;
  return {
    bytes: bytes.length,
    zeroBytes,
    nonZeroBytes,
    tokens: zeroBytes + 4 * nonZeroBytes,
    gas: GAS.calldataZeroByte * zeroBytes + GAS.calldataNonZeroByte * nonZeroBytes,
  };
}

/** A floor worked out for one transaction: every component, its total, and which pricing rule applied. */
export interface Floor {
  operation: string;
  components: FloorComponent[];
  /** 21,000 + calldata + the operation's own components. */
  standard: number;
  /** EIP-7623: 21,000 + 10 × calldata tokens. */
  calldataFloor: number;
  /** max(standard, calldataFloor). */
  total: number;
}

// ------------------------------------------------------------------------------------------------
// Logs: priced from their ABI encoding (375 + 375 per topic + 8 per data byte)
// ------------------------------------------------------------------------------------------------

/** The events the floors count, as the standards and OpenZeppelin declare them. */
const EVENTS = new Interface([
  "event ProposalCreated(uint256 proposalId, address proposer, address[] targets, uint256[] values, string[] signatures, bytes[] calldatas, uint256 voteStart, uint256 voteEnd, string description)",
  "event ProposalQueued(uint256 proposalId, uint256 etaSeconds)",
  "event ProposalExecuted(uint256 proposalId)",
  "event VoteCast(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason)",
  "event VoteCastWithParams(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason, bytes params)",
  "event CallScheduled(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data, bytes32 predecessor, uint256 delay)",
  "event CallExecuted(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data)",
  "event Transfer(address indexed from, address indexed to, uint256 indexed tokenId)",
  "event Locked(uint256 tokenId)",
  "event ContributionRecorded(uint256 indexed entryId, uint256 indexed period, uint256 indexed cardId, address contributor, bytes32 kind, uint256 units, bytes32 evidenceHash, string evidenceURI, uint256 threshold)",
  "event ContributionAttested(uint256 indexed entryId, uint256 indexed cardId, address indexed attester, uint256 attestations)",
  "event ContributionValidated(uint256 indexed entryId, uint256 indexed period, uint256 indexed cardId, uint256 units, uint256 cardUnits, uint256 periodUnits)",
  "event FinalizationProgressed(uint256 indexed period, uint256 generation, uint256 submitted, uint256 minUnits, uint256 cappedSum)",
  "event PeriodFinalized(uint256 indexed period, uint256 contributors, uint256 minUnits, uint256 ratio, uint256 cappedSum)",
  "event PatronageClaimed(uint256 indexed potId, uint256 indexed cardId, address indexed member, uint256 amount)",
  "event PotSwept(uint256 indexed potId, address indexed treasury, uint256 amount)",
]);

const ONE = `0x${"11".repeat(32)}`; // any word: a log's price depends on its size, not on its values
const SOMEONE = `0x${"22".repeat(20)}`;

/** The gas of one log of `event` with `args`, and how it was reached. */
function logComponent(event: string, args: unknown[], why: string, times = 1): FloorComponent {
  const { topics, data } = EVENTS.encodeEventLog(event, args);
  const dataBytes = getBytes(data).length;
  const each = GAS.log + GAS.logTopic * topics.length + GAS.logDataByte * dataBytes;
  const shape = `${topics.length} topic${topics.length === 1 ? "" : "s"}, ${dataBytes} data bytes`;
  return {
    name: times === 1 ? `${event} log (${shape})` : `${event} logs (${shape}) × ${times}`,
    gas: each * times,
    why,
  };
}

function times(component: FloorComponent, n: number): FloorComponent {
  return n === 1 ? component : { ...component, name: `${component.name} × ${n}`, gas: component.gas * n };
}

// ------------------------------------------------------------------------------------------------
// The operations
// ------------------------------------------------------------------------------------------------

/** What the measured transactions carry, which the size of their logs depends on. */
export interface FloorInputs {
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
  /** The reason of castVoteWithReason and castVoteWithReasonAndParams. */
  reason: string;
  /** The params of castVoteWithReasonAndParams: abi.encode(votes). */
  params: string;
}

const voteReceipt: FloorComponent = {
  name: "vote receipt, fresh slot",
  gas: GAS.freshSlot,
  why: "one word per member per proposal (side, votes, ballots cast): the double-vote and signed-ballot replay guard",
};
const tallyUpdate: FloorComponent = {
  name: "tally update, cold",
  gas: GAS.coldUpdate,
  why: "the proposal's tally word, created at propose: every vote is a non-zero → non-zero write",
};
const creditDebit: FloorComponent = {
  name: "credit debit, cold",
  gas: GAS.coldUpdate,
  why: "the voter's credit account word (non-zero before and after): a vote costs votes² credits",
};
const signature: FloorComponent = {
  name: "ecrecover",
  gas: GAS.ecrecover,
  why: "a signed ballot must be recovered to its voter",
};

function voteCast(inputs: { reason: string }): FloorComponent {
  return logComponent(
    "VoteCast",
    [SOMEONE, ONE, 1, 1, inputs.reason],
    "IGovernor's event: voter (topic), proposal, side, weight, reason; indexers and the auditor replay votes from it",
  );
}

function proposeComponents(inputs: FloorInputs, firstEver: boolean): FloorComponent[] {
  return [
    {
      name: "proposal record, fresh slot",
      gas: GAS.freshSlot,
      why: "OpenZeppelin's ProposalCore (proposer, vote start, duration): state() and the vote window read it",
    },
    {
      name: "tally word, fresh slot",
      gas: GAS.freshSlot,
      why: "each proposal's tally must be created once; created here, every vote is an update",
    },
    {
      name: "deposit terms, fresh slot",
      gas: GAS.freshSlot,
      why: "the deposit and the proposer's card, fixed at propose, are read when the deposit is settled",
    },
    {
      name: "proposal list entry, fresh slot",
      gas: GAS.freshSlot,
      why: "on-chain enumeration of proposals (proposalIdAt)",
    },
    firstEver
      ? {
          name: "proposal count, fresh slot",
          gas: GAS.freshSlot,
          why: "the list's length goes 0 → 1 on the first proposal ever",
        }
      : { name: "proposal count, cold", gas: GAS.coldUpdate, why: "the list's length, non-zero → non-zero" },
    {
      name: "deposit debit, cold",
      gas: GAS.coldUpdate,
      why: "the deposit is staked from the proposer's credit account (non-zero before and after)",
    },
    logComponent(
      "ProposalCreated",
      [
        ONE,
        SOMEONE,
        inputs.targets,
        inputs.values,
        inputs.targets.map(() => ""),
        inputs.calldatas,
        1,
        1,
        inputs.description,
      ],
      "IGovernor's event: id, proposer, actions, vote window, description",
    ),
  ];
}

function batchComponents(n: number): FloorComponent[] {
  return [
    times(voteReceipt, n),
    { ...tallyUpdate, why: "all ballots are on one proposal: a batch can sum them and write the word once" },
    times(creditDebit, n),
    times(signature, n),
    logComponent(
      "VoteCast",
      [SOMEONE, ONE, 1, 1, ""],
      "IGovernor's event, one per ballot: voter (topic), proposal, side, weight, reason",
      n,
    ),
  ];
}

/** Every operation's own floor components (calldata and the 21,000 are added per transaction). */
export function floorComponents(inputs: FloorInputs) {
  return {
    proposeFirst: { operation: "propose (first proposal ever)", components: proposeComponents(inputs, true) },
    propose: { operation: "propose", components: proposeComponents(inputs, false) },
    castVote: {
      operation: "castVote",
      components: [voteReceipt, tallyUpdate, creditDebit, voteCast({ reason: "" })],
    },
    castVoteWithReason: {
      operation: "castVoteWithReason",
      components: [voteReceipt, tallyUpdate, creditDebit, voteCast({ reason: inputs.reason })],
    },
    castVoteWithReasonAndParams: {
      operation: "castVoteWithReasonAndParams",
      components: [
        voteReceipt,
        tallyUpdate,
        creditDebit,
        logComponent(
          "VoteCastWithParams",
          [SOMEONE, ONE, 1, 3, inputs.reason, inputs.params],
          "IGovernor's event for a vote with params: as VoteCast, plus the params (the number of votes)",
        ),
      ],
    },
    castBallot: {
      operation: "castBallot (one signed vote)",
      components: [voteReceipt, tallyUpdate, creditDebit, signature, voteCast({ reason: "" })],
    },
    castBallots: (n: number) => ({ operation: `castBallots (${n} signed votes)`, components: batchComponents(n) }),
    castBallotsCompact: (n: number) => ({
      operation: `castBallotsCompact (${n} signed votes)`,
      components: batchComponents(n),
    }),
    admit: {
      operation: "admit (card.admit)",
      components: [
        {
          name: "card word, fresh slot",
          gas: GAS.freshSlot,
          why: "ERC-721 ownerOf(tokenId), with the card's issue time: the admission's point in the member-count history",
        },
        {
          name: "credit account, fresh slot",
          gas: GAS.freshSlot,
          why: "the new member holds this epoch's credits and can vote at once; the same word records the card and the stint's start (isMember, cardOf, eligibility from the snapshot on)",
        },
        {
          name: "register word, cold",
          gas: GAS.coldUpdate,
          why: "last card number, member count and the time of its last change, in one word (non-zero → non-zero)",
        },
        logComponent("Transfer", [SOMEONE, SOMEONE, 1], "ERC-721: Transfer(0, member, tokenId) at mint"),
        logComponent("Locked", [1], "ERC-5192: Locked(tokenId) for a soulbound token"),
      ],
    },
    queue: {
      operation: "queue",
      components: [
        {
          name: "proposal eta, fresh slot",
          gas: GAS.freshSlot,
          why: "ProposalCore's second word (etaSeconds), so that state() reports Queued",
        },
        {
          name: "timelock operation, fresh slot",
          gas: GAS.freshSlot,
          why: "the TimelockController (the treasury) records when the operation becomes ready",
        },
        logComponent("ProposalQueued", [ONE, 1], "IGovernor's event: id and eta"),
        logComponent(
          "CallScheduled",
          [ONE, 0, SOMEONE, 1, inputs.calldatas[0], ONE, 1],
          "the timelock's record of the scheduled call, which watchers of the treasury read (one per action)",
          inputs.targets.length,
        ),
      ],
    },
    execute: {
      operation: "execute",
      components: [
        {
          name: "proposal executed flag, cold",
          gas: GAS.coldUpdate,
          why: "ProposalCore's first word (non-zero → non-zero): a proposal executes once",
        },
        {
          name: "timelock operation done, cold",
          gas: GAS.coldUpdate,
          why: "the timelock marks the operation done (non-zero → non-zero), its own replay guard",
        },
        {
          name: "value transfer",
          gas: GAS.valueTransfer * inputs.targets.length,
          why: "CALL with value 9,000 + cold recipient 2,600 − the 2,300 stipend an account without code returns",
        },
        logComponent("ProposalExecuted", [ONE], "IGovernor's event: id"),
        logComponent(
          "CallExecuted",
          [ONE, 0, SOMEONE, 1, inputs.calldatas[0]],
          "the timelock's record of each executed call",
          inputs.targets.length,
        ),
      ],
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Patronage (Mutual only: OpenZeppelin has no counterpart)
// ------------------------------------------------------------------------------------------------

const attestationMark: FloorComponent = {
  name: "attestation mark, fresh slot",
  gas: GAS.freshSlot,
  why: "which cards attested the entry: a card attests once (the entry's first attester creates the record)",
};
const entryUpdate: FloorComponent = {
  name: "entry update, cold",
  gas: GAS.coldUpdate,
  why: "the entry's attestation count (and, once it reaches the threshold, its status), non-zero → non-zero",
};
const attested = logComponent(
  "ContributionAttested",
  [1, 1, SOMEONE, 1],
  "the ledger's event: entry, card and attester (topics), attestations so far",
);
const validated = logComponent(
  "ContributionValidated",
  [1, 1, 1, 1, 1, 1],
  "the ledger's event: entry, period, card (topics), units, the card's and the period's validated units",
);

/** Patronage operations' floors. `evidenceURI` is the recorded entry's (its log carries it). */
export function patronageFloorComponents(evidenceURI: string) {
  const progressed = logComponent(
    "FinalizationProgressed",
    [1, 1, 1, 1, 1],
    "the distributor's event: period (topic), pass, contributors submitted, smallest units, capped sum so far",
  );
  const submittedMark = (fresh: boolean): FloorComponent => ({
    name: fresh ? "submitted mark, fresh slot" : "submitted mark, cold",
    gas: fresh ? GAS.freshSlot : GAS.coldUpdate,
    why: "each contributor is counted once in a finalization pass (a bit per card, a word per 256 cards)",
  });
  const claimedMark = (fresh: boolean): FloorComponent => ({
    name: fresh ? "claimed mark, fresh slot" : "claimed mark, cold",
    gas: fresh ? GAS.freshSlot : GAS.coldUpdate,
    why: "a card claims once per pot (a bit per card, a word per 256 cards: the pot's first claim creates it)",
  });
  const claimedTotal: FloorComponent = {
    name: "pot's claimed total, cold",
    gas: GAS.coldUpdate,
    why: "what is left for the sweep after the deadline (non-zero → non-zero)",
  };
  const claimPayment: FloorComponent = {
    name: "value transfer to the claimer",
    gas: GAS.valueTransfer - 2_600,
    why: "CALL with value 9,000 − the 2,300 stipend; the claimer sent the transaction, so its account is warm",
  };
  const claimed = logComponent(
    "PatronageClaimed",
    [1, 1, SOMEONE, 1],
    "the distributor's event: pot, card, member (topics), amount",
  );
  return {
    record: {
      operation: "record a contribution",
      components: [
        {
          name: "entry, fresh slot",
          gas: GAS.freshSlot,
          why: "card, period, units, threshold, attestations and status, in one word",
        },
        {
          name: "entry count, cold",
          gas: GAS.coldUpdate,
          why: "entries are numbered in sequence, so that anyone can list them (non-zero → non-zero)",
        },
        logComponent(
          "ContributionRecorded",
          [1, 1, 1, SOMEONE, ONE, 1, ONE, evidenceURI, 1],
          "the ledger's event: entry, period, card (topics), contributor, kind, units, evidence hash and URI, threshold",
        ),
      ],
    },
    attestPending: {
      operation: "attest (the entry still waits)",
      components: [attestationMark, entryUpdate, attested],
    },
    attestValidatesFirst: {
      operation: "attest (validates the period's first entry)",
      components: [
        attestationMark,
        entryUpdate,
        {
          name: "card's units in the period, fresh slot",
          gas: GAS.freshSlot,
          why: "validated units per card per period: what a share is computed from",
        },
        {
          name: "period totals, fresh slot",
          gas: GAS.freshSlot,
          why: "the period's validated units and contributor count (finalization checks it has seen them all)",
        },
        attested,
        validated,
      ],
    },
    attestValidatesLater: {
      operation: "attest (validates a later entry of the same card)",
      components: [
        attestationMark,
        entryUpdate,
        { name: "card's units in the period, cold", gas: GAS.coldUpdate, why: "units added (non-zero → non-zero)" },
        { name: "period totals, cold", gas: GAS.coldUpdate, why: "units added (non-zero → non-zero)" },
        attested,
        validated,
      ],
    },
    finalizeFirst: {
      operation: "finalize (first call, one contributor)",
      components: [
        {
          name: "finalization record, fresh slot",
          gas: GAS.freshSlot,
          why: "smallest units, contributors submitted, capped sum: what every share of the period is computed from",
        },
        submittedMark(true),
        progressed,
      ],
    },
    finalizeNext: {
      operation: "finalize (a later call, one contributor)",
      components: [
        { name: "finalization record, cold", gas: GAS.coldUpdate, why: "the count and the capped sum grow" },
        submittedMark(false),
        progressed,
      ],
    },
    finalizeLast: {
      operation: "finalize (the last call: completes the period)",
      components: [
        { name: "finalization record, cold", gas: GAS.coldUpdate, why: "the count, the capped sum, and finalized" },
        submittedMark(false),
        progressed,
        logComponent(
          "PeriodFinalized",
          [1, 1, 1, 1, 1],
          "the distributor's event: period (topic), contributors, smallest units, ratio, capped sum",
        ),
      ],
    },
    claimFirst: {
      operation: "claim (ETH, the pot's first claim)",
      components: [claimedMark(true), claimedTotal, claimPayment, claimed],
    },
    claimLater: {
      operation: "claim (ETH, a later claim)",
      components: [claimedMark(false), claimedTotal, claimPayment, claimed],
    },
    sweep: {
      operation: "sweep (what is left of a pot, to the treasury)",
      components: [
        { name: "pot marked swept, cold", gas: GAS.coldUpdate, why: "a pot is swept once (non-zero → non-zero)" },
        {
          name: "value transfer to the treasury",
          gas: GAS.valueTransfer,
          why: "CALL with value 9,000 + cold recipient 2,600 − the 2,300 stipend",
        },
        logComponent("PotSwept", [1, SOMEONE, 1], "the distributor's event: pot, treasury (topics), amount"),
      ],
    },
  };
}

export interface FloorSpec {
  operation: string;
  components: FloorComponent[];
}

/** The floor of `spec` for a transaction with calldata `data`. */
export function floorOf(spec: FloorSpec, data: string): Floor {
  const calldata = calldataCost(data);
  const components: FloorComponent[] = [
    { name: "transaction", gas: GAS.transaction, why: "every transaction" },
    {
      name: `calldata: ${calldata.bytes} bytes (${calldata.zeroBytes} zero × 4, ${calldata.nonZeroBytes} non-zero × 16)`,
      gas: calldata.gas,
      why: "the transaction's own data, priced at the standard rate",
    },
    ...spec.components,
  ];
  const standard = components.reduce((sum, c) => sum + c.gas, 0);
  const calldataFloor = GAS.transaction + GAS.calldataFloorPerToken * calldata.tokens;
  return { operation: spec.operation, components, standard, calldataFloor, total: Math.max(standard, calldataFloor) };
}
