// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IMutualGovernor} from "../../interfaces/IMutualGovernor.sol";
import {IVoiceCredits} from "../../interfaces/IVoiceCredits.sol";
import {CreditMath} from "../../libraries/CreditMath.sol";
import {VoteTally, VoteTallyLib, VoteReceipt} from "../../libraries/VoteTally.sol";

/**
 * @title GovernorCountingQuadratic
 * @notice Quadratic counting for a one-member-one-budget governor: casting n votes on a proposal costs n²
 * credits; a later top-up on the same side pays the marginal cost, so a member's total is always (total votes)².
 * Abstaining is free and counts as presence. Quorum counts members (distinct voters on any side) against the
 * member count at the snapshot; a proposal passes with quorum and more votes for than against.
 *
 * Also carries late-quorum protection: when quorum is first reached, the vote stays open for at least
 * {lateQuorumVoteExtension} more seconds (as OpenZeppelin's GovernorPreventLateQuorum does).
 *
 * @dev Gas: a proposal's whole tally, its cached quorum and its extended deadline live in one slot, written
 * non-zero at `propose`, so no vote ever writes a fresh tally slot and `state()` plus counting read it once.
 * The quorum is computed at the first vote (the snapshot is past by then) and cached.
 *
 * @dev Note: credits are charged through {_spendForVote} before the receipt and tally are written. The credits
 * ledger is this co-op's own contract and makes no external calls, so it cannot re-enter.
 */
abstract contract GovernorCountingQuadratic is Governor, IMutualGovernor {
    using SafeCast for uint256;

    /// @dev Terms fixed when a proposal is made. One slot, read at settlement. The deposit follows the
    /// proposer's card, so a card reassigned for a lost key keeps its pending deposits.
    struct Terms {
        uint64 deposit;
        bool depositSettled;
        uint64 proposerCard;
    }

    uint256 internal constant _BPS = 10_000;
    /// @dev The most votes one member can put on a proposal: √(max balance), as the cap is below 2^48.
    uint256 private constant _MAX_VOTES_PER_MEMBER = type(uint24).max;

    mapping(uint256 proposalId => VoteTally) private _tallies;
    mapping(uint256 proposalId => mapping(address voter => VoteReceipt)) private _receipts;
    mapping(uint256 proposalId => Terms) private _terms;

    /// @notice The vote is open at least this many seconds after quorum is first reached.
    function lateQuorumVoteExtension() public view virtual returns (uint48);

    /// @dev Charges `cost` credits to `voter` for a vote on a proposal with snapshot `snapshot`.
    function _spendForVote(
        address voter,
        uint256 snapshot,
        uint256 cost
    ) internal virtual returns (IVoiceCredits.SpendStatus status, uint256 available);

    /// @dev The number of members at `timepoint`.
    function _memberCountAt(uint256 timepoint) internal view virtual returns (uint256);

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IGovernor
    /// @dev `support=bravo`: 0 against, 1 for, 2 abstain. `quorum=against,for,abstain&quorum_unit=members`: every
    /// voter counts once toward quorum, whatever their side or votes. `votes=quadratic`: n votes cost n² credits,
    /// and a top-up emits a further `VoteCast` carrying only the votes it adds. `params=votes`: `abi.encode(votes)`.
    // solhint-disable-next-line func-name-mixedcase
    function COUNTING_MODE() public pure virtual override returns (string memory) {
        return "support=bravo&quorum=against,for,abstain&quorum_unit=members&votes=quadratic&params=votes";
    }

    /// @inheritdoc IGovernor
    function hasVoted(uint256 proposalId, address account) public view virtual override returns (bool) {
        return _receipts[proposalId][account].hasVoted();
    }

    /// @notice Votes against, votes for (both in votes: n votes cost n² credits), and members abstaining (in members:
    /// abstaining casts no votes). Quorum counts members on every side ({proposalTally}).
    function proposalVotes(
        uint256 proposalId
    ) public view virtual returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) {
        VoteTally t = _tallies[proposalId];
        return (t.againstVotes(), t.forVotes(), t.abstainVoters());
    }

    /// @notice The full tally: votes per side, members per side, and the quorum in members (0 while pending).
    function proposalTally(
        uint256 proposalId
    )
        public
        view
        virtual
        returns (
            uint256 forVotes,
            uint256 againstVotes,
            uint256 forVoters,
            uint256 againstVoters,
            uint256 abstainVoters,
            uint256 quorumMembers
        )
    {
        VoteTally t = _tallies[proposalId];
        uint256 q = t.quorum();
        if (q == 0 && t.quorumBps() != 0 && proposalSnapshot(proposalId) < clock()) q = _quorumOf(proposalId, t);
        return (t.forVotes(), t.againstVotes(), t.forVoters(), t.againstVoters(), t.abstainVoters(), q);
    }

    /// @notice What `voter` has cast on `proposalId`: the side (as `support`), the votes, and the credits paid.
    function receiptOf(
        uint256 proposalId,
        address voter
    ) public view virtual returns (bool voted, uint8 support, uint256 votes, uint256 creditsSpent) {
        VoteReceipt r = _receipts[proposalId][voter];
        if (!r.hasVoted()) return (false, 0, 0, 0);
        return (true, r.support(), r.votes(), CreditMath.cost(r.votes()));
    }

    /// @notice The nonce `voter`'s next signed ballot on `proposalId` must carry.
    function ballotNonce(uint256 proposalId, address voter) public view virtual returns (uint256) {
        return _receipts[proposalId][voter].ballots();
    }

    /// @notice The quorum fraction (basis points) and deposit fixed for `proposalId`, whether the deposit was
    /// settled, and the proposer's card (the deposit follows it).
    function proposalTerms(
        uint256 proposalId
    ) public view virtual returns (uint256 quorumBps, uint256 deposit, bool depositSettled, uint256 proposerCard) {
        Terms memory terms = _terms[proposalId];
        return (_tallies[proposalId].quorumBps(), terms.deposit, terms.depositSettled, terms.proposerCard);
    }

    /// @inheritdoc Governor
    /// @dev Extended when quorum is reached late (see {lateQuorumVoteExtension}).
    function proposalDeadline(uint256 proposalId) public view virtual override returns (uint256) {
        uint256 deadline = super.proposalDeadline(proposalId);
        uint256 extended = _tallies[proposalId].extendedDeadline();
        return extended > deadline ? extended : deadline;
    }

    // ------------------------------------------------------------------------------------------------
    // Governor hooks
    // ------------------------------------------------------------------------------------------------

    /// @dev Records the terms and pre-initialises the tally so that the first vote writes no fresh slot.
    function _initProposal(
        uint256 proposalId,
        uint256 quorumBps,
        uint256 deposit,
        uint256 proposerCard
    ) internal virtual {
        _tallies[proposalId] = VoteTallyLib.create(quorumBps);
        _terms[proposalId] = Terms({
            deposit: deposit.toUint64(),
            depositSettled: false,
            proposerCard: proposerCard.toUint64()
        });
    }

    /// @dev Marks the deposit settled; returns the terms as they were.
    function _markDepositSettled(uint256 proposalId) internal virtual returns (Terms memory terms) {
        terms = _terms[proposalId];
        if (terms.depositSettled) revert MutualGovernorDepositAlreadySettled(proposalId);
        _terms[proposalId].depositSettled = true;
    }

    /// @inheritdoc Governor
    function _quorumReached(uint256 proposalId) internal view virtual override returns (bool) {
        VoteTally t = _tallies[proposalId];
        uint256 voters = t.voters();
        if (voters == 0) return false;
        return voters >= t.quorum();
    }

    /// @inheritdoc Governor
    function _voteSucceeded(uint256 proposalId) internal view virtual override returns (bool) {
        VoteTally t = _tallies[proposalId];
        return t.forVotes() > t.againstVotes();
    }

    /// @inheritdoc Governor
    /// @dev Required by Governor; unused, since {_castVote} counts through {_vote} directly.
    function _countVote(
        uint256 proposalId,
        address account,
        uint8 support,
        uint256,
        bytes memory params
    ) internal virtual override returns (uint256 votes) {
        (, votes) = _vote(proposalId, proposalSnapshot(proposalId), account, support, _votesIn(params), true);
    }

    /// @inheritdoc Governor
    /// @dev Also marks the tally word, from which {_openForVotes} learns that the proposal is closed.
    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._cancel(targets, values, calldatas, descriptionHash);
        _tallies[proposalId] = _tallies[proposalId].withCancelled();
    }

    /// @inheritdoc Governor
    /// @dev Replaces OpenZeppelin's flow to skip `_getVotes` (weight comes from `params`, cost from credits) and
    /// the full `state()` walk (see {_openForVotes}).
    function _castVote(
        uint256 proposalId,
        address account,
        uint8 support,
        string memory reason,
        bytes memory params
    ) internal virtual override returns (uint256) {
        (uint256 snapshot, ) = _requireOpenForVotes(proposalId);
        (, uint256 votes) = _vote(proposalId, snapshot, account, support, _votesIn(params), true);
        _emitVoteCast(account, proposalId, support, votes, reason, params);
        return votes;
    }

    function _emitVoteCast(
        address account,
        uint256 proposalId,
        uint8 support,
        uint256 votes,
        string memory reason,
        bytes memory params
    ) internal {
        if (params.length == 0) emit VoteCast(account, proposalId, support, votes, reason);
        else emit VoteCastWithParams(account, proposalId, support, votes, reason, params);
    }

    /// @dev The votes that vote params ask for: empty params mean one vote, else `abi.encode(uint256 votes)`.
    function _votesIn(bytes memory params) private pure returns (uint256) {
        if (params.length == 0) return 1;
        if (params.length != 32) revert MutualGovernorInvalidVoteParams(params);
        return abi.decode(params, (uint256));
    }

    /**
     * @dev Whether `proposalId` is open for votes now (`state()` would say Active), its snapshot and its tally;
     * `open` is false for an unknown proposal. Reads the proposal's start and duration (one slot) and the tally
     * word: a cancelled proposal is marked there ({_cancel}), and an executed one is past its deadline. It gives
     * the same answer as `state()` without its walk through the timelock module, and a vote reads both anyway.
     */
    function _openForVotes(uint256 proposalId) internal view returns (bool open, uint256 snapshot, VoteTally t) {
        snapshot = proposalSnapshot(proposalId);
        uint256 now_ = clock();
        t = _tallies[proposalId];
        if (snapshot == 0 || snapshot >= now_ || t.cancelled()) return (false, snapshot, t);
        uint256 deadline = super.proposalDeadline(proposalId);
        uint256 extended = t.extendedDeadline();
        open = now_ <= (extended > deadline ? extended : deadline);
    }

    /// @dev As {_openForVotes}, but reverts as OpenZeppelin does when the proposal is not Active.
    function _requireOpenForVotes(uint256 proposalId) internal view returns (uint256 snapshot, VoteTally t) {
        bool open;
        (open, snapshot, t) = _openForVotes(proposalId);
        // Reverts with the proposal's actual state (or as unknown).
        if (!open) _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
    }

    /**
     * @dev Counts `votes` more votes (ignored when abstaining) by `account` on side `support`, on a proposal open
     * for votes with snapshot `snapshot` (both checked by the caller). With `revertOnRefusal`, a refusal reverts
     * with its specific error; without, it returns the refusal and changes nothing (for batches).
     */
    function _vote(
        uint256 proposalId,
        uint256 snapshot,
        address account,
        uint8 support,
        uint256 votes,
        bool revertOnRefusal
    ) internal virtual returns (VoteRefusal refusal, uint256 counted) {
        VoteReceipt r = _receipts[proposalId][account];
        uint256 cost;
        uint256 available;
        (refusal, counted, cost) = _price(r, support, votes);
        if (refusal == VoteRefusal.None) (refusal, available) = _charge(account, snapshot, cost);
        if (refusal != VoteRefusal.None) {
            if (revertOnRefusal) _revertFor(refusal, account, r, votes, snapshot, cost, available);
            return (refusal, 0);
        }
        _receipts[proposalId][account] = r.record(support, counted);
        _tallies[proposalId] = _tallied(proposalId, _tallies[proposalId], support, counted, !r.hasVoted());
    }

    /**
     * @dev The rules of a vote that need no credits: whether adding `votes` on side `support` to receipt `r` is
     * refused, and if not, the votes it counts (0 when abstaining) and its marginal cost in credits.
     */
    function _price(
        VoteReceipt r,
        uint8 support,
        uint256 votes
    ) internal pure returns (VoteRefusal refusal, uint256 counted, uint256 cost) {
        if (support > uint8(VoteType.Abstain)) return (VoteRefusal.InvalidSupport, 0, 0);
        bool abstain = support == uint8(VoteType.Abstain);
        if (r.hasVoted()) {
            if (r.support() != support) return (VoteRefusal.SwitchedSides, 0, 0);
            if (abstain) return (VoteRefusal.AlreadyAbstained, 0, 0);
        }
        if (abstain) return (VoteRefusal.None, 0, 0);
        if (votes == 0) return (VoteRefusal.ZeroVotes, 0, 0);
        uint256 previous = r.votes();
        unchecked {
            // A receipt holds votes in 24 bits: previous <= _MAX_VOTES_PER_MEMBER.
            if (votes > _MAX_VOTES_PER_MEMBER - previous) return (VoteRefusal.TooManyVotes, 0, 0);
        }
        return (VoteRefusal.None, votes, CreditMath.marginalCost(previous, votes));
    }

    /// @dev Charges `cost` credits for a vote on a proposal with snapshot `snapshot`: `NotEligible` if `account`
    /// was not a member since the snapshot, `InsufficientCredits` if they hold only `available`.
    function _charge(
        address account,
        uint256 snapshot,
        uint256 cost
    ) internal returns (VoteRefusal refusal, uint256 available) {
        IVoiceCredits.SpendStatus status;
        (status, available) = _spendForVote(account, snapshot, cost);
        if (status == IVoiceCredits.SpendStatus.NotEligible) refusal = VoteRefusal.NotEligible;
        else if (status == IVoiceCredits.SpendStatus.InsufficientCredits) refusal = VoteRefusal.InsufficientCredits;
    }

    /// @dev Reverts with the specific error of `refusal`.
    function _revertFor(
        VoteRefusal refusal,
        address account,
        VoteReceipt r,
        uint256 votes,
        uint256 snapshot,
        uint256 cost,
        uint256 available
    ) private pure {
        if (refusal == VoteRefusal.InvalidSupport) revert GovernorInvalidVoteType();
        if (refusal == VoteRefusal.SwitchedSides) revert MutualGovernorCannotSwitchSides(account, r.support());
        if (refusal == VoteRefusal.AlreadyAbstained) revert GovernorAlreadyCastVote(account);
        if (refusal == VoteRefusal.ZeroVotes) revert MutualGovernorZeroVotes(account);
        if (refusal == VoteRefusal.TooManyVotes) revert MutualGovernorTooManyVotes(account, votes);
        if (refusal == VoteRefusal.NotEligible) revert MutualGovernorNotEligible(account, snapshot);
        revert InsufficientCredits(account, cost, available);
    }

    /// @dev Tally `t` of `proposalId` after an accepted vote; caches the quorum at the first vote and extends the
    /// vote if quorum is reached late.
    function _tallied(
        uint256 proposalId,
        VoteTally t,
        uint8 support,
        uint256 votes,
        bool newVoter
    ) internal returns (VoteTally) {
        t = t.add(support, votes, newVoter);
        uint256 needed = t.quorum();
        if (needed == 0) {
            // First vote: the snapshot is past, so the member count at the snapshot is final. Cache it.
            needed = _quorumOf(proposalId, t);
            t = t.withQuorum(needed);
        }
        if (t.extendedDeadline() == 0 && t.voters() >= needed) {
            uint48 extendedDeadline = Time.timestamp() + lateQuorumVoteExtension();
            if (extendedDeadline > super.proposalDeadline(proposalId)) {
                emit ProposalExtended(proposalId, extendedDeadline);
            }
            t = t.withExtendedDeadline(extendedDeadline);
        }
        return t;
    }

    /// @dev Stores `proposalId`'s tally (for batches that count in memory and store once).
    function _storeTally(uint256 proposalId, VoteTally t) internal {
        _tallies[proposalId] = t;
    }

    /// @dev The receipts of `proposalId`'s voters (for batches that look it up once).
    function _receiptsOf(uint256 proposalId) internal view returns (mapping(address => VoteReceipt) storage) {
        return _receipts[proposalId];
    }

    /// @dev Members needed for quorum on `proposalId`: ⌈members at snapshot × fraction⌉, and at least one.
    function _quorumOf(uint256 proposalId, VoteTally t) internal view virtual returns (uint256) {
        return _quorumFor(_memberCountAt(proposalSnapshot(proposalId)), t.quorumBps());
    }

    /// @dev Members needed among `members` at a quorum fraction of `quorumBps`: ⌈members × fraction⌉, at least one.
    function _quorumFor(uint256 members, uint256 quorumBps) internal pure returns (uint256) {
        uint256 needed = (members * quorumBps + _BPS - 1) / _BPS;
        return needed == 0 ? 1 : needed;
    }

    /// @dev The sides, as in GovernorCountingSimple.
    enum VoteType {
        Against,
        For,
        Abstain
    }

    /// @notice Emitted when quorum is reached late and the vote is extended (as GovernorPreventLateQuorum).
    event ProposalExtended(uint256 indexed proposalId, uint64 extendedDeadline);
}
