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
    // solhint-disable-next-line func-name-mixedcase
    function COUNTING_MODE() public pure virtual override returns (string memory) {
        return "support=bravo&quorum=against,for,abstain&params=votes";
    }

    /// @inheritdoc IGovernor
    function hasVoted(uint256 proposalId, address account) public view virtual override returns (bool) {
        return _receipts[proposalId][account].hasVoted();
    }

    /// @notice Votes against, votes for, and members abstaining.
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
    /// @dev Reverting form of {_vote}: the error names what was wrong.
    function _countVote(
        uint256 proposalId,
        address account,
        uint8 support,
        uint256,
        bytes memory params
    ) internal virtual override returns (uint256) {
        (, uint256 votes) = _vote(proposalId, account, support, params, true);
        return votes;
    }

    /// @inheritdoc Governor
    /// @dev Replaces OpenZeppelin's flow to skip `_getVotes` (weight comes from `params`, cost from credits).
    function _castVote(
        uint256 proposalId,
        address account,
        uint8 support,
        string memory reason,
        bytes memory params
    ) internal virtual override returns (uint256) {
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        (, uint256 votes) = _vote(proposalId, account, support, params, true);
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

    /**
     * @dev Counts `account`'s vote. With `revertOnRefusal`, a refusal reverts with its specific error;
     * without, it returns the refusal and changes nothing (for batches). The proposal must be Active
     * (checked by the caller).
     */
    function _vote(
        uint256 proposalId,
        address account,
        uint8 support,
        bytes memory params,
        bool revertOnRefusal
    ) internal virtual returns (VoteRefusal refusal, uint256 votes) {
        if (support > uint8(VoteType.Abstain)) {
            return
                _refuse(
                    revertOnRefusal,
                    VoteRefusal.InvalidSupport,
                    abi.encodeWithSelector(GovernorInvalidVoteType.selector)
                );
        }
        if (params.length == 0) {
            votes = 1;
        } else if (params.length == 32) {
            votes = abi.decode(params, (uint256));
        } else {
            return
                _refuse(
                    revertOnRefusal,
                    VoteRefusal.InvalidVoteParams,
                    abi.encodeWithSelector(MutualGovernorInvalidVoteParams.selector, params)
                );
        }

        VoteReceipt r = _receipts[proposalId][account];
        bool abstain = support == uint8(VoteType.Abstain);
        if (r.hasVoted()) {
            if (r.support() != support) {
                return
                    _refuse(
                        revertOnRefusal,
                        VoteRefusal.SwitchedSides,
                        abi.encodeWithSelector(MutualGovernorCannotSwitchSides.selector, account, r.support())
                    );
            }
            if (abstain) {
                return
                    _refuse(
                        revertOnRefusal,
                        VoteRefusal.AlreadyAbstained,
                        abi.encodeWithSelector(GovernorAlreadyCastVote.selector, account)
                    );
            }
        }

        uint256 cost;
        if (abstain) {
            votes = 0;
        } else {
            if (votes == 0) {
                return
                    _refuse(
                        revertOnRefusal,
                        VoteRefusal.ZeroVotes,
                        abi.encodeWithSelector(MutualGovernorZeroVotes.selector, account)
                    );
            }
            if (votes > _MAX_VOTES_PER_MEMBER - r.votes()) {
                return
                    _refuse(
                        revertOnRefusal,
                        VoteRefusal.TooManyVotes,
                        abi.encodeWithSelector(MutualGovernorTooManyVotes.selector, account, votes)
                    );
            }
            cost = CreditMath.marginalCost(r.votes(), votes);
        }

        uint256 snapshot = proposalSnapshot(proposalId);
        (IVoiceCredits.SpendStatus status, uint256 available) = _spendForVote(account, snapshot, cost);
        if (status == IVoiceCredits.SpendStatus.NotEligible) {
            return
                _refuse(
                    revertOnRefusal,
                    VoteRefusal.NotEligible,
                    abi.encodeWithSelector(MutualGovernorNotEligible.selector, account, snapshot)
                );
        }
        if (status == IVoiceCredits.SpendStatus.InsufficientCredits) {
            return
                _refuse(
                    revertOnRefusal,
                    VoteRefusal.InsufficientCredits,
                    abi.encodeWithSelector(InsufficientCredits.selector, account, cost, available)
                );
        }

        _recordVote(proposalId, account, support, votes, r);
        return (VoteRefusal.None, votes);
    }

    /// @dev Writes an accepted vote into the tally and the receipt (one SSTORE each); extends the vote if quorum
    /// is reached late.
    function _recordVote(uint256 proposalId, address account, uint8 support, uint256 votes, VoteReceipt r) private {
        VoteTally t = _tallies[proposalId].add(support, votes, !r.hasVoted());
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
        _tallies[proposalId] = t;
        _receipts[proposalId][account] = r.record(support, votes);
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

    function _refuse(
        bool revertOnRefusal,
        VoteRefusal refusal,
        bytes memory error
    ) internal pure returns (VoteRefusal, uint256) {
        if (revertOnRefusal) {
            assembly ("memory-safe") {
                revert(add(error, 0x20), mload(error))
            }
        }
        return (refusal, 0);
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
