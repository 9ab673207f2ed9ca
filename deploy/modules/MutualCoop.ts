import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** keccak256 of the TimelockController role names, and its admin role (zero). */
const PROPOSER_ROLE = "0xb09aa5aeb3702cfd50b6b62bc4532604938f21248a27a1d5ca736082b6819cc1";
const CANCELLER_ROLE = "0xfd643c72710c63c0180259aba6b2d05451e3591a24e58b62239378085726f783";
const DEFAULT_ADMIN_ROLE = "0x0000000000000000000000000000000000000000000000000000000000000000";
const ANYONE = "0x0000000000000000000000000000000000000000";

/**
 * Deploys and wires a whole co-op, admits its founders, then hands every power to the timelock.
 *
 * Parameters (module `MutualCoop`, see deploy/parameters/*.json): name, symbol, creditsName,
 * creditsSymbol, founders, epochLength, creditsPerEpoch, maxBalance, votingDelay, votingPeriod,
 * quorumBps, proposalDeposit, lateQuorumExtension, timelockDelay. Durations are in seconds.
 *
 * Order: card → credits (bound to the card) → timelock (no proposer yet, anyone executes, the deployer
 * as temporary admin) → governor → the credits' governor → the governor as the timelock's only proposer
 * and canceller → founders admitted → card and credits owned by the timelock → the deployer renounces
 * the timelock's admin role. After the last step no externally owned account holds any power.
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

  // Hand every power to the timelock.
  const cardHandedOver = m.call(card, "transferOwnership", [timelock], { id: "cardToTimelock", after: [admitted] });
  const creditsHandedOver = m.call(credits, "transferOwnership", [timelock], {
    id: "creditsToTimelock",
    after: [governed, admitted],
  });
  m.call(timelock, "renounceRole", [DEFAULT_ADMIN_ROLE, deployer], {
    id: "renounceTimelockAdmin",
    after: [proposer, canceller, cardHandedOver, creditsHandedOver],
  });

  return { card, credits, governor, timelock };
});
