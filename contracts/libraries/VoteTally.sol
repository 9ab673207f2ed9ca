// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/**
 * @dev A proposal's whole tally in one word, so that a vote reads and writes it with one SLOAD and one SSTORE.
 * Layout, from the lowest bit:
 *
 * | bits      | field            | meaning                                                        |
 * |-----------|------------------|----------------------------------------------------------------|
 * | 0..47     | forVotes         | quadratic votes for                                            |
 * | 48..95    | againstVotes     | quadratic votes against                                        |
 * | 96..119   | forVoters        | members who voted for                                          |
 * | 120..143  | againstVoters    | members who voted against                                      |
 * | 144..167  | abstainVoters    | members who abstained                                          |
 * | 168..191  | quorum           | members needed; 0 until computed at the first vote             |
 * | 192..239  | extendedDeadline | set when quorum is first reached (late-quorum protection)      |
 * | 240..254  | quorumBps        | quorum fraction fixed at propose; never 0, so a proposal's     |
 * |           |                  | tally word is non-zero from `propose` on                       |
 * | 255       | cancelled        | set when the proposal is cancelled: with the proposal's start  |
 * |           |                  | and duration, this word tells whether the vote is open         |
 *
 * Voter counters cannot overflow: the membership card caps a co-op below 2^24 members and a member is counted
 * once per proposal. Vote counters are checked (SafeCast's error) because their bound depends on parameters.
 */
type VoteTally is uint256;

using VoteTallyLib for VoteTally global;

library VoteTallyLib {
    uint256 private constant _M16 = (1 << 16) - 1;
    uint256 private constant _M24 = (1 << 24) - 1;
    uint256 private constant _M48 = (1 << 48) - 1;
    uint256 private constant _AGAINST_VOTES = 48;
    uint256 private constant _FOR_VOTERS = 96;
    uint256 private constant _AGAINST_VOTERS = 120;
    uint256 private constant _ABSTAIN_VOTERS = 144;
    uint256 private constant _QUORUM = 168;
    uint256 private constant _EXTENDED_DEADLINE = 192;
    uint256 private constant _QUORUM_BPS = 240;
    uint256 private constant _M15 = (1 << 15) - 1;
    uint256 private constant _CANCELLED = 1 << 255;

    /// @dev A new tally for a proposal made with quorum fraction `fractionBps` (1..10,000).
    function create(uint256 fractionBps) internal pure returns (VoteTally) {
        return VoteTally.wrap(fractionBps << _QUORUM_BPS);
    }

    function forVotes(VoteTally t) internal pure returns (uint256) {
        return VoteTally.unwrap(t) & _M48;
    }

    function againstVotes(VoteTally t) internal pure returns (uint256) {
        return (VoteTally.unwrap(t) >> _AGAINST_VOTES) & _M48;
    }

    function forVoters(VoteTally t) internal pure returns (uint256) {
        return (VoteTally.unwrap(t) >> _FOR_VOTERS) & _M24;
    }

    function againstVoters(VoteTally t) internal pure returns (uint256) {
        return (VoteTally.unwrap(t) >> _AGAINST_VOTERS) & _M24;
    }

    function abstainVoters(VoteTally t) internal pure returns (uint256) {
        return (VoteTally.unwrap(t) >> _ABSTAIN_VOTERS) & _M24;
    }

    /// @dev Distinct members who took part, on any side.
    function voters(VoteTally t) internal pure returns (uint256) {
        return forVoters(t) + againstVoters(t) + abstainVoters(t);
    }

    function quorum(VoteTally t) internal pure returns (uint256) {
        return (VoteTally.unwrap(t) >> _QUORUM) & _M24;
    }

    function extendedDeadline(VoteTally t) internal pure returns (uint256) {
        return (VoteTally.unwrap(t) >> _EXTENDED_DEADLINE) & _M48;
    }

    function quorumBps(VoteTally t) internal pure returns (uint256) {
        return (VoteTally.unwrap(t) >> _QUORUM_BPS) & _M15;
    }

    function cancelled(VoteTally t) internal pure returns (bool) {
        return VoteTally.unwrap(t) & _CANCELLED != 0;
    }

    function withCancelled(VoteTally t) internal pure returns (VoteTally) {
        return VoteTally.wrap(VoteTally.unwrap(t) | _CANCELLED);
    }

    /// @dev Adds `votes` for (support 1) or against (0), or an abstention (2); `newVoter` counts the member once.
    function add(VoteTally t, uint8 support, uint256 votes, bool newVoter) internal pure returns (VoteTally) {
        uint256 w = VoteTally.unwrap(t);
        if (support == 1) {
            uint256 total = (w & _M48) + votes;
            if (total > _M48) revert SafeCast.SafeCastOverflowedUintDowncast(48, total);
            w = (w & ~_M48) | total;
            if (newVoter) w += 1 << _FOR_VOTERS;
        } else if (support == 0) {
            uint256 total = ((w >> _AGAINST_VOTES) & _M48) + votes;
            if (total > _M48) revert SafeCast.SafeCastOverflowedUintDowncast(48, total);
            w = (w & ~(_M48 << _AGAINST_VOTES)) | (total << _AGAINST_VOTES);
            if (newVoter) w += 1 << _AGAINST_VOTERS;
        } else {
            w += 1 << _ABSTAIN_VOTERS;
        }
        return VoteTally.wrap(w);
    }

    /// @dev Caches the quorum (members needed), which must fit 24 bits (the member cap guarantees it).
    function withQuorum(VoteTally t, uint256 members) internal pure returns (VoteTally) {
        if (members > _M24) revert SafeCast.SafeCastOverflowedUintDowncast(24, members);
        return VoteTally.wrap((VoteTally.unwrap(t) & ~(_M24 << _QUORUM)) | (members << _QUORUM));
    }

    function withExtendedDeadline(VoteTally t, uint48 deadline) internal pure returns (VoteTally) {
        return
            VoteTally.wrap(
                (VoteTally.unwrap(t) & ~(_M48 << _EXTENDED_DEADLINE)) | (uint256(deadline) << _EXTENDED_DEADLINE)
            );
    }
}

/**
 * @dev A member's votes on one proposal, in one word. Layout from the lowest bit: `side + 1` (8 bits, 0 = has not
 * voted), votes (24 bits), ballots cast (32 bits: the nonce of the member's next signed ballot on the proposal).
 */
type VoteReceipt is uint256;

using VoteReceiptLib for VoteReceipt global;

library VoteReceiptLib {
    function hasVoted(VoteReceipt r) internal pure returns (bool) {
        return VoteReceipt.unwrap(r) & 0xff != 0;
    }

    /// @dev The side voted (0 against, 1 for, 2 abstain); meaningless when {hasVoted} is false.
    function support(VoteReceipt r) internal pure returns (uint8) {
        return uint8(VoteReceipt.unwrap(r)) - 1;
    }

    function votes(VoteReceipt r) internal pure returns (uint256) {
        return (VoteReceipt.unwrap(r) >> 8) & 0xffffff;
    }

    function ballots(VoteReceipt r) internal pure returns (uint256) {
        return (VoteReceipt.unwrap(r) >> 32) & 0xffffffff;
    }

    /// @dev The receipt after adding `added` votes on side `side_`. The caller bounds votes below 2^24.
    function record(VoteReceipt r, uint8 side_, uint256 added) internal pure returns (VoteReceipt) {
        // ballots < 2^32: one per vote transaction, which costs far more gas than 2^32 can ever be paid for.
        return VoteReceipt.wrap((uint256(side_) + 1) | ((votes(r) + added) << 8) | ((ballots(r) + 1) << 32));
    }
}
