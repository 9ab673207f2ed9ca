/**
 * The demo co-op, as data: "Hearth Bakery Co-op", eight members, an applicant, suppliers, and proposals
 * that end in every state a proposal can be in. `seedCoop` (seeds/seed.ts) replays it onto a local chain.
 *
 * People are Hardhat's default accounts by index: 0 deploys and tops up the treasury, 1..8 are the
 * founding members, 9 applies and is admitted by a proposal, 10 relays signed ballots (it holds no card,
 * so the members who sign need no ETH). Votes are quadratic: `votes: 3` costs the voter 9 credits.
 */
import { HDNodeWallet, Mnemonic } from "ethers";

import { DAY, defaultConfig, type CoopConfig } from "../deploy/coop.ts";

/** The states a demo proposal can be left in (OpenZeppelin's IGovernor.ProposalState names). */
export type DemoFinalState = "Pending" | "Active" | "Canceled" | "Defeated" | "Succeeded" | "Queued" | "Executed";

/** Someone who uses one of the node's accounts. */
export interface DemoPerson {
  /** Short id used by proposals and votes. */
  key: string;
  name: string;
  role: string;
  /** Index in the node's accounts (Hardhat's default accounts). */
  account: number;
}

/** A supplier: an address outside the co-op that the treasury may pay. */
export interface DemoSupplier {
  key: string;
  name: string;
  address: string;
}

/** The governor's parameter setters a demo proposal may call. */
export type GovernorSetter =
  "setProposalDeposit" | "setVotingDelay" | "setVotingPeriod" | "setQuorumFraction" | "setLateQuorumVoteExtension";

/** What a proposal does when executed by the timelock. There is no text-only proposal. */
export type DemoAction =
  /** The treasury pays `eth` ETH to a supplier. */
  | { kind: "pay"; supplier: string; eth: string }
  /** `card.admit(person)`: the applicant becomes a member. */
  | { kind: "admit"; person: string }
  /** `governor.<setter>(value)`. */
  | { kind: "governor"; setter: GovernorSetter; value: bigint }
  /** `distributor.allocate{value}(period, ETH, value)`: a pot of `eth` ETH for the demo's closed contribution period. */
  | { kind: "patronage"; eth: string };

export type DemoSide = "for" | "against" | "abstain";

export interface DemoVote {
  voter: string;
  side: DemoSide;
  /** Quadratic votes (cost votes² credits); 0 for an abstention. */
  votes: number;
  reason: string;
  /** Signed as an EIP-712 ballot and submitted by the relayer with `castBallots`, instead of a transaction. */
  signed?: boolean;
}

export interface DemoProposal {
  key: string;
  title: string;
  /** Markdown body; the on-chain description is `# <title>` followed by it. */
  description: string;
  proposer: string;
  actions: DemoAction[];
  votes: DemoVote[];
  /** The state the proposal must be in once the demo is seeded. */
  finalState: DemoFinalState;
  /** Settle the deposit after the vote; what must happen to it. */
  deposit?: "returned" | "burned";
}

/** A contribution a member records in the ledger, and who attests it. */
export interface DemoContribution {
  member: string;
  /** A short label (at most 31 bytes: it is stored as a bytes32). */
  kind: string;
  units: number;
  /** Where the evidence is (its keccak256 is the evidence hash). */
  evidence: string;
  /** Members who attest it, in order; with the default threshold of 1 the first makes it count. Empty: pending. */
  attestedBy: string[];
}

/** The demo's patronage: a closed period with contributions and a pot, claims, and the period under way. */
export interface DemoPatronage {
  /** Recorded in the ledger's first period, which then closes, passes its review and is finalized before the proposals. */
  closedPeriod: DemoContribution[];
  /** Members who claim their share of the pot once the patronage proposal has executed. */
  claims: string[];
  /** Recorded at the end, in the period under way (some still waiting for attestation, for the app). */
  currentPeriod: DemoContribution[];
}

export interface DemoCoop {
  /**
   * The co-op's deployment config. Its founders are the members' accounts on a node with Hardhat's default
   * accounts (the node `npm start` serves, the in-process network); for other accounts use `demoCoopConfig`.
   */
  config: CoopConfig;
  /** ETH the deployer (account 0) sends to the treasury (the timelock) before anything else. */
  treasuryTopUp: { eth: string; fromAccount: number };
  members: DemoPerson[];
  /** Applies to join; a proposal admits them. */
  applicant: DemoPerson;
  /** Submits signed ballots; holds no card. */
  relayer: DemoPerson;
  suppliers: DemoSupplier[];
  /** In the order they are made. */
  proposals: DemoProposal[];
  patronage?: DemoPatronage;
}

/** Hardhat's default accounts: the public test mnemonic, on the default derivation path. */
const HARDHAT_ACCOUNTS = HDNodeWallet.fromMnemonic(
  Mnemonic.fromPhrase("test test test test test test test test test test test junk"),
  "m/44'/60'/0'/0",
);

/** The address of Hardhat's default account number `index`. */
export function hardhatAccount(index: number): string {
  return HARDHAT_ACCOUNTS.deriveChild(index).address;
}

/** The private key of Hardhat's default account number `index`: public knowledge, for local chains only. */
export function hardhatAccountKey(index: number): string {
  return HARDHAT_ACCOUNTS.deriveChild(index).privateKey;
}

/** `demo`'s deployment config with the members' addresses among `accounts` (a node's accounts) as founders. */
export function demoCoopConfig(demo: DemoCoop, accounts: readonly string[]): CoopConfig {
  const founders = demo.members.map((m) => {
    const address = accounts[m.account];
    if (address === undefined)
      throw new Error(`${m.name} uses account ${m.account}, but the node has ${accounts.length} accounts`);
    return address;
  });
  return { ...demo.config, founders };
}

const members: DemoPerson[] = [
  { key: "amara", name: "Amara Okafor", role: "head baker", account: 1 },
  { key: "ben", name: "Ben Lindqvist", role: "pastry baker", account: 2 },
  { key: "carmen", name: "Carmen Ruiz", role: "delivery", account: 3 },
  { key: "dev", name: "Dev Patel", role: "accounts", account: 4 },
  { key: "elena", name: "Elena Novak", role: "front of house", account: 5 },
  { key: "farid", name: "Farid Haddad", role: "delivery", account: 6 },
  { key: "grace", name: "Grace O'Neill", role: "sourcing", account: 7 },
  { key: "hiro", name: "Hiro Tanaka", role: "ovens and maintenance", account: 8 },
];

export const bakery: DemoCoop = {
  // The default rules: weekly epochs of 100 credits (cap 400), a 1-day delay and a 3-day vote, 20% quorum,
  // a 10-credit deposit, a 1-day late-quorum extension and a 2-day timelock.
  // Patronage by 30-day periods with a 7-day review (longer than the 6 days a proposal takes), 6:1 pay ratio.
  config: {
    ...defaultConfig(members.map((m) => hardhatAccount(m.account))),
    name: "Hearth Bakery Co-op",
    symbol: "HEARTH",
    periodLength: 30 * DAY,
    reviewWindow: 7 * DAY,
  },
  treasuryTopUp: { eth: "25", fromAccount: 0 },
  members,
  applicant: { key: "iris", name: "Iris Mbeki", role: "apprentice baker", account: 9 },
  relayer: { key: "relay", name: "Hearth ballot relay", role: "relayer", account: 10 },
  suppliers: [
    { key: "millstone", name: "Millstone Flour Mill", address: "0x2419D809F16c9F6ebfF8f8dFffB1f1718142C474" },
    { key: "ovenworks", name: "Ovenworks Service", address: "0xFdf5EAf78340D2441cc14e7fb47ae22c5Afe4F4E" },
    { key: "roadway", name: "Roadway Van Leasing", address: "0x43310984594fEFa68E7b8E52C23D736ECD35902E" },
    { key: "midsummer", name: "Midsummer Street Fair", address: "0xA2a8aF93D31a4Da7D9d8a6159949Fa6cF1f83bFA" },
    { key: "riverside", name: "Riverside Farmers Market", address: "0x8744590559f0E2fc31fFc38BE77903EBE1B1F9CC" },
  ],
  proposals: [
    {
      key: "flour",
      title: "Pay Millstone Mill for the spring flour order",
      description: [
        "Our stock of stoneground wholemeal runs out in two weeks.",
        "",
        "- **Supplier:** Millstone Flour Mill (organic, 40 km away)",
        "- **Order:** 120 sacks of wholemeal, 60 of rye",
        "- **Price:** 2.5 ETH, held until the end of the month",
        "",
        "Same mill as last spring, at a lower price per sack.",
      ].join("\n"),
      proposer: "grace",
      actions: [{ kind: "pay", supplier: "millstone", eth: "2.5" }],
      votes: [
        {
          voter: "grace",
          side: "for",
          votes: 3,
          reason: "We're down to two weeks of flour, and Millstone holds this price until the end of the month.",
        },
        { voter: "amara", side: "for", votes: 2, reason: "Same mill, same quality, better price than last spring." },
        { voter: "dev", side: "for", votes: 2, reason: "It fits this quarter's budget." },
        { voter: "hiro", side: "against", votes: 1, reason: "I'd like a second quote before we commit." },
        { voter: "ben", side: "abstain", votes: 0, reason: "I'll leave sourcing to Grace." },
      ],
      finalState: "Executed",
      deposit: "returned",
    },
    {
      key: "admit-iris",
      title: "Admit Iris Mbeki as a member",
      description: [
        "Iris has worked with us for six months as an apprentice baker and has asked to join the co-op.",
        "",
        "She has run the early shift on her own since March and trained on the accounts with Dev.",
        "Admitting her gives her a card and the same voice credits as every other member.",
      ].join("\n"),
      proposer: "amara",
      actions: [{ kind: "admit", person: "iris" }],
      votes: [
        {
          voter: "amara",
          side: "for",
          votes: 2,
          reason: "Iris has baked with us for six months; she is one of us already.",
        },
        { voter: "ben", side: "for", votes: 3, reason: "She runs the early shift better than I do.", signed: true },
        { voter: "elena", side: "for", votes: 2, reason: "Welcome, Iris!", signed: true },
        { voter: "carmen", side: "for", votes: 1, reason: "Yes." },
      ],
      finalState: "Executed",
      deposit: "returned",
    },
    {
      key: "patronage-first-month",
      title: "Share 1 ETH of the first month's surplus as patronage",
      description: [
        "The first month closed with a surplus. Half of it goes back to the members who made it,",
        "in proportion to the contributions we attested, under our 6:1 pay ratio.",
        "",
        "- **Pot:** 1 ETH from the treasury to the patronage distributor",
        "- **Period:** the first month (period 0), finalized after its review",
        "- **Claims:** open for 90 days; what is not claimed returns to the treasury",
      ].join("\n"),
      proposer: "dev",
      actions: [{ kind: "patronage", eth: "1" }],
      votes: [
        { voter: "dev", side: "for", votes: 2, reason: "The accounts are closed and every entry was attested." },
        { voter: "carmen", side: "for", votes: 2, reason: "Fair: the cap keeps it from going to one person." },
        { voter: "grace", side: "for", votes: 1, reason: "Yes, and keep the other half for the new oven." },
      ],
      finalState: "Executed",
      deposit: "returned",
    },
    {
      key: "van",
      title: "Lease a second delivery van",
      description: [
        "On Saturdays we turn away café orders because one van cannot cover every route.",
        "",
        "- **Lessor:** Roadway Van Leasing",
        "- **Cost:** 12 ETH up front for a two-year lease",
      ].join("\n"),
      proposer: "farid",
      actions: [{ kind: "pay", supplier: "roadway", eth: "12" }],
      votes: [
        { voter: "farid", side: "for", votes: 2, reason: "Every Saturday we lose orders we cannot deliver." },
        { voter: "dev", side: "against", votes: 3, reason: "A lease this size would eat the whole quarter's surplus." },
        {
          voter: "amara",
          side: "against",
          votes: 2,
          reason: "Let's try a cargo bike for the town-centre cafés first.",
        },
        { voter: "carmen", side: "against", votes: 2, reason: "One van covers our routes if we plan them better." },
      ],
      finalState: "Defeated",
      deposit: "burned",
    },
    {
      key: "street-fair",
      title: "Sponsor the Midsummer street fair",
      description: [
        "The street fair committee asks local businesses for a sponsorship; in return we get a stall and our name",
        "on the posters.",
        "",
        "- **Amount:** 0.5 ETH",
      ].join("\n"),
      proposer: "elena",
      actions: [{ kind: "pay", supplier: "midsummer", eth: "0.5" }],
      // Elena withdraws it before the vote: the committee had sent last year's price.
      votes: [],
      finalState: "Canceled",
      deposit: "burned",
    },
    {
      key: "deposit-15",
      title: "Raise the proposal deposit to 15 credits",
      description: [
        "Several proposals this season were half-finished and withdrawn. A slightly higher deposit asks for a",
        "little more preparation; a proposal that draws a quorum and is not rejected by a wide margin still gets",
        "its deposit back.",
        "",
        "- **Now:** 10 credits",
        "- **Proposed:** 15 credits",
      ].join("\n"),
      proposer: "dev",
      actions: [{ kind: "governor", setter: "setProposalDeposit", value: 15n }],
      votes: [
        { voter: "dev", side: "for", votes: 2, reason: "Fewer half-finished proposals, more considered ones." },
        { voter: "iris", side: "for", votes: 1, reason: "Makes sense to me." },
        { voter: "elena", side: "for", votes: 1, reason: "Fair, after my street fair mix-up." },
        { voter: "grace", side: "against", votes: 1, reason: "Ten is already a tenth of a week's credits." },
      ],
      finalState: "Queued",
    },
    {
      key: "oven",
      title: "Repair the deck oven's steam injector",
      description: [
        "The steam injector of the deck oven fails twice a week and the crusts suffer.",
        "",
        "- **Contractor:** Ovenworks Service",
        "- **Quote:** 1.2 ETH, parts and labour, one day's work",
      ].join("\n"),
      proposer: "hiro",
      actions: [{ kind: "pay", supplier: "ovenworks", eth: "1.2" }],
      votes: [
        { voter: "hiro", side: "for", votes: 4, reason: "The injector fails twice a week; the crust suffers." },
        { voter: "ben", side: "for", votes: 2, reason: "My croissants need that steam." },
        { voter: "amara", side: "for", votes: 1, reason: "Fix it before the holidays.", signed: true },
        { voter: "farid", side: "abstain", votes: 0, reason: "No strong view." },
      ],
      finalState: "Succeeded",
    },
    {
      key: "five-day-vote",
      title: "Keep votes open for five days",
      description: [
        "The delivery crew is on the road for three days at a stretch and sometimes misses a vote entirely.",
        "",
        "- **Now:** votes are open for 3 days",
        "- **Proposed:** 5 days",
      ].join("\n"),
      proposer: "carmen",
      actions: [{ kind: "governor", setter: "setVotingPeriod", value: BigInt(5 * DAY) }],
      votes: [
        { voter: "carmen", side: "for", votes: 2, reason: "Five days lets the whole crew vote." },
        { voter: "ben", side: "against", votes: 1, reason: "Three days has worked fine so far." },
        { voter: "iris", side: "for", votes: 1, reason: "Agree with Carmen.", signed: true },
      ],
      finalState: "Active",
    },
    {
      key: "market-stall",
      title: "Rent a stall at the Saturday farmers' market",
      description: [
        "A stall at Riverside Farmers Market for the summer season, run by the front-of-house team on rotation.",
        "",
        "- **Cost:** 0.8 ETH for 16 Saturdays",
        "- **Expected:** 300 loaves a week sold directly",
      ].join("\n"),
      proposer: "ben",
      actions: [{ kind: "pay", supplier: "riverside", eth: "0.8" }],
      votes: [],
      finalState: "Pending",
    },
  ],
  patronage: {
    // The units of the worked example in docs/patronage.md: 10, 20, 40, 100 (in two entries) and 200.
    closedPeriod: [
      { member: "hiro", kind: "maintenance", units: 10, evidence: "ipfs://hearth/oven-repair", attestedBy: ["amara"] },
      { member: "farid", kind: "delivery", units: 20, evidence: "ipfs://hearth/rounds-farid", attestedBy: ["carmen"] },
      { member: "carmen", kind: "delivery", units: 40, evidence: "ipfs://hearth/rounds-carmen", attestedBy: ["farid"] },
      { member: "dev", kind: "accounts", units: 60, evidence: "ipfs://hearth/quarter-close", attestedBy: ["elena"] },
      { member: "dev", kind: "accounts", units: 40, evidence: "ipfs://hearth/payroll", attestedBy: ["grace"] },
      { member: "amara", kind: "baking", units: 200, evidence: "ipfs://hearth/bake-log", attestedBy: ["ben"] },
      // Never attested: it counts for nothing.
      { member: "ben", kind: "baking", units: 7, evidence: "ipfs://hearth/extra-shift", attestedBy: [] },
    ],
    claims: ["amara", "carmen", "hiro"],
    currentPeriod: [
      { member: "elena", kind: "front of house", units: 12, evidence: "ipfs://hearth/market-day", attestedBy: ["ben"] },
      { member: "grace", kind: "sourcing", units: 25, evidence: "ipfs://hearth/mill-visit", attestedBy: [] },
    ],
  },
};
