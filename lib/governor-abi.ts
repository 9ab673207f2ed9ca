/**
 * The part of MutualGovernor's ABI that signed ballots need: casting them, alone or in batches, reading
 * nonces and receipts, and every error and event a ballot can meet. Human-readable fragments, as ethers'
 * `Interface` and viem's `parseAbi` take; `test/relayer/governor-abi.test.ts` checks each one against the
 * compiled contract, so a change of the contract cannot leave this list behind.
 */
export const BALLOT_TUPLE =
  "tuple(uint256 proposalId, uint8 support, address voter, uint256 votes, uint256 nonce, uint256 deadline, string reason, bytes signature)";

export const governorBallotAbi = [
  "function name() view returns (string)",
  "function version() view returns (string)",
  "function state(uint256 proposalId) view returns (uint8)",
  "function proposalSnapshot(uint256 proposalId) view returns (uint256)",
  "function proposalDeadline(uint256 proposalId) view returns (uint256)",
  "function ballotNonce(uint256 proposalId, address voter) view returns (uint256)",
  "function receiptOf(uint256 proposalId, address voter) view returns (bool voted, uint8 support, uint256 votes, uint256 creditsSpent)",
  `function ballotDigest(${BALLOT_TUPLE} ballot) view returns (bytes32)`,
  `function castBallot(${BALLOT_TUPLE} ballot) returns (uint256 votes)`,
  `function castBallots(${BALLOT_TUPLE}[] ballots) returns (uint256 counted)`,
  "function castBallotsCompact(uint256 proposalId, tuple(bytes32 head, bytes32 r, bytes32 vs)[] ballots) returns (uint256 counted)",
  "event BallotSkipped(uint256 indexed index, address indexed voter, uint256 indexed proposalId, uint8 reason)",
  "event VoteCast(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason)",
  "event VoteCastWithParams(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason, bytes params)",
  "error MutualGovernorBallotExpired(uint256 deadline)",
  "error GovernorUnexpectedProposalState(uint256 proposalId, uint8 current, bytes32 expectedStates)",
  "error GovernorNonexistentProposal(uint256 proposalId)",
  "error InvalidAccountNonce(address account, uint256 currentNonce)",
  "error GovernorInvalidSignature(address voter)",
  "error GovernorInvalidVoteType()",
  "error GovernorAlreadyCastVote(address voter)",
  "error MutualGovernorInvalidVoteParams(bytes params)",
  "error MutualGovernorCannotSwitchSides(address voter, uint8 previousSupport)",
  "error MutualGovernorZeroVotes(address voter)",
  "error MutualGovernorTooManyVotes(address voter, uint256 votes)",
  "error MutualGovernorNotEligible(address voter, uint256 snapshot)",
  "error InsufficientCredits(address member, uint256 needed, uint256 available)",
] as const;

export { proposalStates, type ProposalStateName } from "./format.ts";
