// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {VoteTally, VoteTallyLib} from "../../contracts/libraries/VoteTally.sol";
import {TestBase} from "../utils/Vm.sol";

/// @dev Calls the tally's internal functions externally, so that a test can expect their reverts.
contract VoteTallyHarness {
    function add(uint256 word, uint8 support, uint256 votes, bool newVoter) external pure returns (uint256) {
        return VoteTally.unwrap(VoteTally.wrap(word).add(support, votes, newVoter));
    }

    function withQuorum(uint256 word, uint256 members) external pure returns (uint256) {
        return VoteTally.unwrap(VoteTally.wrap(word).withQuorum(members));
    }
}

/// @notice The packed tally word: each counter fills its field to the last unit and refuses to spill into the next.
contract VoteTallyTest is TestBase {
    uint256 internal constant MAX48 = (1 << 48) - 1;
    uint256 internal constant MAX24 = (1 << 24) - 1;

    VoteTallyHarness internal harness;

    function setUp() public {
        harness = new VoteTallyHarness();
    }

    /// The cancelled mark sits in the top bit: it changes no counter, no quorum fraction (up to 100%), and survives
    /// later updates.
    function testFuzz_cancelledMark_touchesNothingElse(uint256 fractionBps, uint256 votes, uint256 quorum) public pure {
        fractionBps = bound(fractionBps, 1, 10_000);
        votes = bound(votes, 1, MAX48);
        quorum = bound(quorum, 1, MAX24);
        VoteTally t = VoteTallyLib.create(fractionBps).add(0, votes, true).withQuorum(quorum);
        assertFalse(t.cancelled(), "a new tally is not cancelled");
        VoteTally c = t.withCancelled();
        assertTrue(c.cancelled(), "marked");
        assertEq(VoteTally.unwrap(c) ^ VoteTally.unwrap(t), 1 << 255, "only the top bit changed");
        assertEq(c.quorumBps(), fractionBps, "fraction intact");
        assertEq(c.againstVotes(), votes, "votes intact");
        assertEq(c.quorum(), quorum, "quorum intact");
        assertTrue(c.withExtendedDeadline(type(uint48).max).cancelled(), "still marked after an update");
    }

    /// Votes for fill their 48 bits exactly; one more vote is refused with SafeCast's error, not wrapped into
    /// the votes against.
    function testFuzz_forVotes_fillTheirFieldThenRevert(uint256 first, uint256 extra) public view {
        first = bound(first, 1, MAX48);
        uint256 word = _tally(2000);
        word = harness.add(word, 1, first, true);
        word = harness.add(word, 1, MAX48 - first, false);
        VoteTally t = VoteTally.wrap(word);
        assertEq(t.forVotes(), MAX48, "for votes at the top of their field");
        assertEq(t.againstVotes(), 0, "nothing spilled into against");
        assertEq(t.forVoters(), 1, "one voter");
        assertEq(t.quorumBps(), 2000, "quorum fraction intact");

        extra = bound(extra, 1, MAX48);
        try harness.add(word, 1, extra, false) returns (uint256) {
            revert AssertionFailedBool("for votes overflowed their field without reverting");
        } catch (bytes memory reason) {
            _assertOverflow(reason, 48, MAX48 + extra);
        }
    }

    /// Votes against fill their 48 bits exactly; one more is refused, not carried into the voter counters.
    function testFuzz_againstVotes_fillTheirFieldThenRevert(uint256 first, uint256 extra) public view {
        first = bound(first, 1, MAX48);
        uint256 word = _tally(2000);
        word = harness.add(word, 1, 3, true);
        word = harness.add(word, 0, first, true);
        word = harness.add(word, 0, MAX48 - first, false);
        VoteTally t = VoteTally.wrap(word);
        assertEq(t.againstVotes(), MAX48, "against votes at the top of their field");
        assertEq(t.forVotes(), 3, "for votes untouched");
        assertEq(t.forVoters(), 1, "for voters untouched");
        assertEq(t.againstVoters(), 1, "one voter against");

        extra = bound(extra, 1, MAX48);
        try harness.add(word, 0, extra, false) returns (uint256) {
            revert AssertionFailedBool("against votes overflowed their field without reverting");
        } catch (bytes memory reason) {
            _assertOverflow(reason, 48, MAX48 + extra);
        }
    }

    /// An abstention counts the member and never touches the vote counters, whatever `votes` says.
    function testFuzz_abstention_countsTheVoterOnly(uint256 votes) public view {
        uint256 word = harness.add(_tally(2000), 2, votes, true);
        VoteTally t = VoteTally.wrap(word);
        assertEq(t.abstainVoters(), 1, "abstainer counted");
        assertEq(t.forVotes() + t.againstVotes(), 0, "no votes");
        assertEq(t.voters(), 1, "one participant");
    }

    /// The cached quorum fills its 24 bits exactly; a larger one is refused, not wrapped into the deadline.
    function testFuzz_quorum_fillsItsFieldThenReverts(uint256 members) public view {
        uint256 word = harness.withQuorum(_tally(10_000), MAX24);
        VoteTally t = VoteTally.wrap(word);
        assertEq(t.quorum(), MAX24, "quorum at the top of its field");
        assertEq(t.extendedDeadline(), 0, "deadline untouched");
        assertEq(t.quorumBps(), 10_000, "fraction untouched");

        members = bound(members, MAX24 + 1, type(uint256).max);
        try harness.withQuorum(word, members) returns (uint256) {
            revert AssertionFailedBool("quorum overflowed its field without reverting");
        } catch (bytes memory reason) {
            _assertOverflow(reason, 24, members);
        }
    }

    function _tally(uint256 fractionBps) private pure returns (uint256) {
        return VoteTally.unwrap(VoteTallyLib.create(fractionBps));
    }

    function _assertOverflow(bytes memory reason, uint8 bits, uint256 value) private pure {
        bytes memory expected = abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, bits, value);
        assertTrue(
            keccak256(reason) == keccak256(expected),
            "reverts with SafeCastOverflowedUintDowncast(bits, value)"
        );
    }
}
