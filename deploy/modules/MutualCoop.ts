import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** keccak256 of the TimelockController role names, and its admin role (zero). */
const PROPOSER_ROLE = "0xb09aa5aeb3702cfd50b6b62bc4532604938f21248a27a1d5ca736082b6819cc1";
const CANCELLER_ROLE = "0xfd643c72710c63c0180259aba6b2d05451e3591a24e58b62239378085726f783";
const DEFAULT_ADMIN_ROLE = "0x0000000000000000000000000000000000000000000000000000000000000000";
const ANYONE = "0x0000000000000000000000000000000000000000";
const DAY = 24n * 60n * 60n;

/**
 * Patronage parameters a parameter file may leave out: quarterly periods, a two-week review (longer than a
 * proposal takes from proposal to execution with the default governance timings), one attestation, Mondragon's
 * 6:1 pay ratio, and 90 days to claim each pot.
 */
export const PATRONAGE_DEFAULTS = {
  periodLength: 91n * DAY,
  reviewWindow: 14n * DAY,
  attestationThreshold: 1n,
  payRatio: 6n,
  claimWindow: 90n * DAY,
} as const;

/**
 * Deploys and wires a whole co-op, admits its founders, then hands every power to the timelock.
 *
 * Parameters (module `MutualCoop`, see deploy/parameters/*.json): name, symbol, creditsName,
 * creditsSymbol, founders, epochLength, creditsPerEpoch, maxBalance, votingDelay, votingPeriod,
 * quorumBps, proposalDeposit, lateQuorumExtension, timelockDelay, and for patronage (each with a default)
 * periodLength, reviewWindow, attestationThreshold, payRatio, claimWindow. Durations are in seconds.
 *
 * Order: card → credits (bound to the card) → timelock (no proposer yet, anyone executes, the deployer
 * as temporary admin) → governor → the credits' governor → the governor as the timelock's only proposer
 * and canceller → founders admitted → contribution ledger (on the card) and patronage distributor (on the
 * ledger) → card, credits, ledger and distributor owned by the timelock → the deployer renounces the
 * timelock's admin role. After the last step no externally owned account holds any power.
 */
export default buildModule("MutualCoop", (m) => {
  const deployer = m.getAccount(0);

  const name = m.getParameter<string>("name");
  const symbol = m.getParameter<string>("symbol");
  const creditsName = m.getParameter<string>("creditsName");
  const creditsSymbol = m.getParameter<string>("creditsSymbol", "VOICE");
  const founders = m.getParameter<string[]>("founders");

  const card = m.contract("MembershipCard", [name, symbol, deployer]);
  const credits = m.contract("VoiceCredits", [
    card,
    creditsName,
    creditsSymbol,
    m.getParameter<bigint>("epochLength"),
    m.getParameter<bigint>("creditsPerEpoch"),
    m.getParameter<bigint>("maxBalance"),
    deployer,
  ]);
  const bound = m.call(card, "bindVoiceCredits", [credits]);

  const timelock = m.contract("TimelockController", [m.getParameter<bigint>("timelockDelay"), [], [ANYONE], deployer]);
  const governor = m.contract("MutualGovernor", [
    name,
    card,
    credits,
    timelock,
    {
      votingDelay: m.getParameter<bigint>("votingDelay"),
      votingPeriod: m.getParameter<bigint>("votingPeriod"),
      quorumBps: m.getParameter<bigint>("quorumBps"),
      proposalDeposit: m.getParameter<bigint>("proposalDeposit"),
      lateQuorumExtension: m.getParameter<bigint>("lateQuorumExtension"),
    },
  ]);

  const governed = m.call(credits, "setGovernor", [governor]);
  const proposer = m.call(timelock, "grantRole", [PROPOSER_ROLE, governor], { id: "grantProposerRole" });
  const canceller = m.call(timelock, "grantRole", [CANCELLER_ROLE, governor], { id: "grantCancellerRole" });
  const admitted = m.call(card, "admitMany", [founders], { id: "admitFounders", after: [bound, governed] });

  // Patronage: the ledger's period 0 starts when it is deployed.
  const ledger = m.contract("ContributionLedger", [
    card,
    m.getParameter<bigint>("periodLength", PATRONAGE_DEFAULTS.periodLength),
    m.getParameter<bigint>("reviewWindow", PATRONAGE_DEFAULTS.reviewWindow),
    m.getParameter<bigint>("attestationThreshold", PATRONAGE_DEFAULTS.attestationThreshold),
    deployer,
  ]);
  const distributor = m.contract("PatronageDistributor", [
    ledger,
    m.getParameter<bigint>("payRatio", PATRONAGE_DEFAULTS.payRatio),
    m.getParameter<bigint>("claimWindow", PATRONAGE_DEFAULTS.claimWindow),
    deployer,
  ]);

  // Hand every power to the timelock.
  const cardHandedOver = m.call(card, "transferOwnership", [timelock], { id: "cardToTimelock", after: [admitted] });
  const creditsHandedOver = m.call(credits, "transferOwnership", [timelock], {
    id: "creditsToTimelock",
    after: [governed, admitted],
  });
  const ledgerHandedOver = m.call(ledger, "transferOwnership", [timelock], { id: "ledgerToTimelock" });
  const distributorHandedOver = m.call(distributor, "transferOwnership", [timelock], { id: "distributorToTimelock" });
  m.call(timelock, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], {
    id: "renounceTimelockAdmin",
    after: [proposer, canceller, cardHandedOver, creditsHandedOver, ledgerHandedOver, distributorHandedOver],
  });

  return { card, credits, governor, timelock, ledger, distributor };
});
