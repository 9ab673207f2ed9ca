// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IMembershipCard} from "../interfaces/IMembershipCard.sol";
import {IMutualGovernor} from "../interfaces/IMutualGovernor.sol";
import {IVoiceCredits} from "../interfaces/IVoiceCredits.sol";
import {GovernorCountingQuadratic} from "./extensions/GovernorCountingQuadratic.sol";
import {GovernorQuadraticBallots} from "./extensions/GovernorQuadraticBallots.sol";

/**
 * @title MutualGovernor
 * @notice The governor of a Mutual co-op: one member, one equal budget of voice credits, quadratic votes.
 *
 * - Only members propose, and each proposal stakes {proposalDeposit} credits. After the vote anyone may
 *   {settleDeposit}: it returns to the proposer when quorum was met and votes against were fewer than twice
 *   the votes for; otherwise it is burned.
 * - A voter must have been a member at the proposal's snapshot and still be one, without a break
 *   (checked by {VoiceCredits}, which holds each member's admission time).
 * - Counting, quorum and late-quorum protection: {GovernorCountingQuadratic}. Signed ballots and batches:
 *   {GovernorQuadraticBallots}. Execution: OpenZeppelin's TimelockController, which holds the treasury and
 *   the admin rights of every contract of the co-op.
 * - Every parameter is set at deployment and changes only through a passed proposal (`onlyGovernance`).
 * - Proposals can be enumerated on-chain: {proposalCount} and {proposalIdAt}.
 */
contract MutualGovernor is GovernorQuadraticBallots, GovernorTimelockControl {
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Initial governance parameters.
    struct Parameters {
        uint48 votingDelay; // seconds from proposal to snapshot and start of the vote
        uint32 votingPeriod; // seconds the vote is open
        uint16 quorumBps; // share of members (basis points) who must take part
        uint64 proposalDeposit; // credits a proposer stakes
        uint48 lateQuorumExtension; // seconds the vote stays open after quorum is first reached
    }

    /// @notice The longest voting delay, voting period or late-quorum extension governance may set: beyond it a
    /// passed proposal could freeze governance for good (e.g. a deadline that overflows the clock).
    uint256 public constant MAX_DURATION = 365 days;

    IMembershipCard private immutable _card;
    IVoiceCredits private immutable _credits;

    Parameters private _params;
    uint256[] private _proposalIds;
    // The quorum fraction over time, so that quorum(t) is the rule of time t (appended: the layout above is unchanged).
    Checkpoints.Trace208 private _quorumHistory;

    /// @param name_ The governor's name (also its EIP-712 domain name).
    /// @param card The co-op's membership card.
    /// @param credits The co-op's voice credits.
    /// @param timelock_ The timelock that executes proposals and holds the treasury.
    /// @param params Initial parameters.
    constructor(
        string memory name_,
        IMembershipCard card,
        IVoiceCredits credits,
        TimelockController timelock_,
        Parameters memory params
    ) Governor(name_) GovernorTimelockControl(timelock_) {
        _card = card;
        _credits = credits;
        _setVotingDelay(params.votingDelay);
        _setVotingPeriod(params.votingPeriod);
        _setQuorumBps(params.quorumBps);
        _setProposalDeposit(params.proposalDeposit);
        _setLateQuorumExtension(params.lateQuorumExtension);
    }

    // ------------------------------------------------------------------------------------------------
    // Deposits
    // ------------------------------------------------------------------------------------------------

    /// @notice Settles the deposit of a proposal whose vote is over: returned when quorum was met and
    /// votes against were fewer than twice the votes for, burned otherwise. Anyone may call it, once.
    /// @param proposalId The proposal.
    /// @return returned Whether the deposit went back to the proposer.
    function settleDeposit(uint256 proposalId) external returns (bool returned) {
        ProposalState current = state(proposalId);
        if (current == ProposalState.Pending || current == ProposalState.Active) {
            revert MutualGovernorDepositNotSettleable(proposalId, uint8(current));
        }
        Terms memory terms = _markDepositSettled(proposalId);
        (uint256 againstVotes, uint256 forVotes, ) = proposalVotes(proposalId);
        returned = _quorumReached(proposalId) && againstVotes < 2 * forVotes;
        // The deposit goes to whoever holds the proposer's card now: the proposer, or the new address of a
        // card reassigned for a lost key; nobody if the card was given back or taken away.
        address holder = _card.holderOf(terms.proposerCard);

        if (terms.deposit == 0) {
            emit ProposalDepositSettled(proposalId, holder, 0, returned, 0);
            return returned;
        }
        // Settled flag written above, before the call to the credits ledger.
        uint256 credited = 0;
        if (returned && holder != address(0)) credited = _credits.returnDeposit(holder, terms.deposit);
        else _credits.burnDeposit(terms.deposit);
        emit ProposalDepositSettled(proposalId, holder, terms.deposit, returned, credited);
    }

    // ------------------------------------------------------------------------------------------------
    // Parameters (governance only)
    // ------------------------------------------------------------------------------------------------

    /// @notice Sets the delay from proposal to vote. Governance only.
    function setVotingDelay(uint48 newVotingDelay) external onlyGovernance {
        _setVotingDelay(newVotingDelay);
    }

    /// @notice Sets how long a vote is open. Governance only.
    function setVotingPeriod(uint32 newVotingPeriod) external onlyGovernance {
        _setVotingPeriod(newVotingPeriod);
    }

    /// @notice Sets the quorum as a share of members, in basis points (1 to 10,000). Governance only.
    /// @dev Applies to proposals made from now on; each proposal keeps the fraction it was made with.
    function setQuorumFraction(uint16 newQuorumBps) external onlyGovernance {
        _setQuorumBps(newQuorumBps);
    }

    /// @notice Sets the credits a proposer stakes. Governance only.
    /// @dev Applies to proposals made from now on.
    function setProposalDeposit(uint64 newDeposit) external onlyGovernance {
        _setProposalDeposit(newDeposit);
    }

    /// @notice Sets how long a vote stays open after quorum is first reached. Governance only.
    function setLateQuorumVoteExtension(uint48 newExtension) external onlyGovernance {
        _setLateQuorumExtension(newExtension);
    }

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @notice The co-op's membership card.
    function membershipCard() external view returns (IMembershipCard) {
        return _card;
    }

    /// @notice The co-op's voice credits.
    function voiceCredits() external view returns (IVoiceCredits) {
        return _credits;
    }

    /// @inheritdoc Governor
    function votingDelay() public view override returns (uint256) {
        return _params.votingDelay;
    }

    /// @inheritdoc Governor
    function votingPeriod() public view override returns (uint256) {
        return _params.votingPeriod;
    }

    /// @notice The quorum as a share of members, in basis points, for proposals made now.
    function quorumFraction() public view returns (uint256) {
        return _params.quorumBps;
    }

    /// @inheritdoc IMutualGovernor
    function proposalDeposit() public view returns (uint256) {
        return _params.proposalDeposit;
    }

    /// @inheritdoc GovernorCountingQuadratic
    function lateQuorumVoteExtension() public view override returns (uint48) {
        return _params.lateQuorumExtension;
    }

    /// @inheritdoc Governor
    /// @dev Members needed at `timepoint`: ⌈members at `timepoint` × the quorum fraction in force at `timepoint`⌉, at
    /// least one (as GovernorVotesQuorumFraction, with members for votes). A proposal keeps the fraction in force
    /// when it was made, so for a proposal whose snapshot follows a later change, {proposalTally} gives its quorum.
    function quorum(uint256 timepoint) public view override returns (uint256) {
        return _quorumFor(_card.memberCountAt(timepoint), quorumFractionAt(timepoint));
    }

    /// @notice The quorum fraction, in basis points, in force at `timepoint`.
    function quorumFractionAt(uint256 timepoint) public view returns (uint256) {
        return _quorumHistory.upperLookupRecent(SafeCast.toUint48(timepoint));
    }

    /// @inheritdoc Governor
    /// @dev One: a member's voting power ({getVotes}) is 1 and a non-member's 0, so what a client reads predicts who
    /// may propose. The check itself is made on current membership, when the credits ledger takes the deposit.
    function proposalThreshold() public pure override returns (uint256) {
        return 1;
    }

    /// @inheritdoc Governor
    /// @dev As OpenZeppelin's, without its threshold check by {getVotes} one second ago: membership now is checked
    /// when the deposit is taken (a non-member is refused with {MutualGovernorNotMember}).
    function propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description
    ) public override returns (uint256) {
        address proposer = _msgSender();
        if (!_isValidDescriptionForProposer(proposer, description)) revert GovernorRestrictedProposer(proposer);
        return _propose(targets, values, calldatas, description, proposer);
    }

    /// @notice Refused, always, with {MutualGovernorRelayRefused}: no proposal may act as the governor.
    /// @dev OpenZeppelin's `relay` would let a passed proposal make this governor call any contract: the credits
    /// ledger's governor-only functions (spend, hold, return or burn members' credits and other proposals'
    /// deposits) and the timelock as proposer and canceller. Proposals act through the timelock instead.
    function relay(address, uint256, bytes calldata) public payable override {
        revert MutualGovernorRelayRefused();
    }

    /// @inheritdoc Governor
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @inheritdoc Governor
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice How many proposals were ever made.
    function proposalCount() external view returns (uint256) {
        return _proposalIds.length;
    }

    /// @notice The id of proposal number `index` (0 is the first ever made).
    function proposalIdAt(uint256 index) external view returns (uint256) {
        return _proposalIds[index];
    }

    // ------------------------------------------------------------------------------------------------
    // Governor hooks
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc Governor
    /// @dev One voice per member: 1 if `account` was a member at `timepoint`, else 0. A vote's weight comes
    /// from its credits, not from this.
    function _getVotes(address account, uint256 timepoint, bytes memory) internal view override returns (uint256) {
        return _card.wasMemberAt(account, timepoint) ? 1 : 0;
    }

    /// @inheritdoc Governor
    /// @dev Members only; stakes the deposit. The credits ledger keeps each member's card with their balance, so
    /// one call checks membership and takes the deposit (it refuses short balances); its refusal of a non-member
    /// is reported as this governor's {MutualGovernorNotMember}.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        Parameters memory p = _params;
        emit ProposalDepositStaked(proposalId, proposer, p.proposalDeposit);
        // The co-op's own ledger, which makes no external call: nothing can re-enter before the writes below.
        // Events keep their order for indexers and auditors: ProposalCreated, ProposalDepositStaked, DepositHeld.
        uint256 proposerCard;
        try _credits.holdDeposit(proposer, p.proposalDeposit) returns (uint256 cardId) {
            proposerCard = cardId;
        } catch (bytes memory reason) {
            _refuseDeposit(proposer, reason);
        }
        _initProposal(proposalId, p.quorumBps, p.proposalDeposit, proposerCard);
        _proposalIds.push(proposalId);
    }

    /// @dev Reverts with the ledger's refusal of a deposit: {MutualGovernorNotMember} for a non-member, else as is.
    function _refuseDeposit(address proposer, bytes memory reason) private pure {
        if (reason.length >= 4 && bytes4(reason) == IVoiceCredits.VoiceCreditsNotMember.selector) {
            revert MutualGovernorNotMember(proposer);
        }
        assembly ("memory-safe") {
            revert(add(reason, 0x20), mload(reason))
        }
    }

    /// @inheritdoc GovernorCountingQuadratic
    function _spendForVote(
        address voter,
        uint256 snapshot,
        uint256 cost
    ) internal override returns (IVoiceCredits.SpendStatus status, uint256 available) {
        // The call every vote makes, encoded by hand (no memory allocated, no return-data copy): in a batch it runs
        // once per ballot. Same semantics as `_credits.spendForVote(voter, snapshot, cost)`.
        address credits = address(_credits);
        bytes4 selector = IVoiceCredits.spendForVote.selector;
        uint256 rawStatus;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 0x04), and(voter, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(m, 0x24), snapshot)
            mstore(add(m, 0x44), cost)
            if iszero(call(gas(), credits, 0, m, 0x64, 0x00, 0x40)) {
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
            if lt(returndatasize(), 0x40) {
                revert(0x00, 0x00)
            }
            rawStatus := mload(0x00)
            available := mload(0x20)
        }
        // Decoding an enum: an out-of-range value is a panic, as for a high-level call.
        status = IVoiceCredits.SpendStatus(rawStatus);
    }

    /// @inheritdoc GovernorCountingQuadratic
    function _memberCountAt(uint256 timepoint) internal view override returns (uint256) {
        return _card.memberCountAt(timepoint);
    }

    function _setVotingDelay(uint48 newVotingDelay) private {
        // At least a second: with none, a member admitted in the block a proposal is made would count at its snapshot.
        if (newVotingDelay == 0 || newVotingDelay > MAX_DURATION) {
            revert MutualGovernorInvalidParameter("votingDelay", newVotingDelay);
        }
        emit VotingDelaySet(_params.votingDelay, newVotingDelay);
        _params.votingDelay = newVotingDelay;
    }

    function _setVotingPeriod(uint32 newVotingPeriod) private {
        if (newVotingPeriod == 0) revert GovernorInvalidVotingPeriod(0);
        if (newVotingPeriod > MAX_DURATION) revert MutualGovernorInvalidParameter("votingPeriod", newVotingPeriod);
        emit VotingPeriodSet(_params.votingPeriod, newVotingPeriod);
        _params.votingPeriod = newVotingPeriod;
    }

    function _setQuorumBps(uint16 newQuorumBps) private {
        if (newQuorumBps == 0 || newQuorumBps > _BPS) revert MutualGovernorInvalidParameter("quorumBps", newQuorumBps);
        emit QuorumFractionSet(_params.quorumBps, newQuorumBps);
        _params.quorumBps = newQuorumBps;
        _quorumHistory.push(clock(), newQuorumBps);
    }

    function _setProposalDeposit(uint64 newDeposit) private {
        // A deposit above what members can hold would stop every proposal, including the one that lowers it: the
        // credits ledger refuses it with VoiceCreditsCapBelowDeposit(cap, deposit).
        _credits.checkDeposit(newDeposit);
        emit ProposalDepositSet(_params.proposalDeposit, newDeposit);
        _params.proposalDeposit = newDeposit;
    }

    function _setLateQuorumExtension(uint48 newExtension) private {
        if (newExtension > MAX_DURATION) revert MutualGovernorInvalidParameter("lateQuorumExtension", newExtension);
        emit LateQuorumVoteExtensionSet(_params.lateQuorumExtension, newExtension);
        _params.lateQuorumExtension = newExtension;
    }

    /// @notice Emitted when the voting delay changes (as GovernorSettings).
    event VotingDelaySet(uint256 oldVotingDelay, uint256 newVotingDelay);
    /// @notice Emitted when the voting period changes (as GovernorSettings).
    event VotingPeriodSet(uint256 oldVotingPeriod, uint256 newVotingPeriod);
    /// @notice Emitted when the late-quorum extension changes (as GovernorPreventLateQuorum).
    event LateQuorumVoteExtensionSet(uint64 oldVoteExtension, uint64 newVoteExtension);

    // ------------------------------------------------------------------------------------------------
    // Required overrides
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc Governor
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @inheritdoc Governor
    function proposalDeadline(
        uint256 proposalId
    ) public view override(Governor, GovernorCountingQuadratic) returns (uint256) {
        return super.proposalDeadline(proposalId);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(GovernorCountingQuadratic, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }

    function _castVote(
        uint256 proposalId,
        address account,
        uint8 support,
        string memory reason,
        bytes memory params
    ) internal override(Governor, GovernorCountingQuadratic) returns (uint256) {
        return super._castVote(proposalId, account, support, reason, params);
    }

    function _validateVoteSig(
        uint256 proposalId,
        uint8 support,
        address voter,
        bytes memory signature
    ) internal override(Governor, GovernorQuadraticBallots) returns (bool) {
        return super._validateVoteSig(proposalId, support, voter, signature);
    }

    function _validateExtendedVoteSig(
        uint256 proposalId,
        uint8 support,
        address voter,
        string memory reason,
        bytes memory params,
        bytes memory signature
    ) internal override(Governor, GovernorQuadraticBallots) returns (bool) {
        return super._validateExtendedVoteSig(proposalId, support, voter, reason, params, signature);
    }
}
