// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IMutualGovernor} from "../../contracts/interfaces/IMutualGovernor.sol";
import {IVoiceCredits} from "../../contracts/interfaces/IVoiceCredits.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @notice Quadratic counting in MutualGovernor: cost, sides, tally and quorum.
contract QuadraticCountingTest is CoopFixture {
    /// @dev Everything a vote can change, read back in one go to show a refused vote changed nothing.
    struct VoteState {
        uint256 balance;
        bool voted;
        uint8 support;
        uint256 votes;
        uint256 creditsSpent;
        uint256 nonce;
        uint256 forVotes;
        uint256 againstVotes;
        uint256 forVoters;
        uint256 againstVoters;
        uint256 abstainVoters;
        uint256 deadline;
    }

    uint256 internal constant MEMBERS = 9;
    uint256 internal proposalId;
    address internal proposer;

    function setUp() public {
        CoopFixture.CoopConfig memory cfg = _defaultConfig();
        // Budgets large enough for a hundred votes on one proposal.
        cfg.creditsPerEpoch = 10_000;
        cfg.maxBalance = 40_000;
        _deployCoop(cfg);
        _admitMembers(MEMBERS);
        proposer = memberAddrs[0];
        proposalId = _propose(proposer);
        _warpIntoVoting(proposalId);
    }

    // ------------------------------------------------------------------------------------------------
    // Cost: (total votes)²
    // ------------------------------------------------------------------------------------------------

    /// Any sequence of 1..8 top-ups on one side costs exactly (total votes)², each paying the marginal cost.
    function testFuzz_topUpsAlwaysCostTotalSquared(uint256 count, uint256[8] memory topUps, uint256 sideSeed) public {
        count = bound(count, 1, 8);
        uint8 side = uint8(bound(sideSeed, 0, 1)); // Against or For: abstaining adds no votes
        address voter = memberAddrs[1];
        uint256 start = credits.balanceOf(voter);
        assertEq(start, 10_000, "starting budget");

        uint256 total = 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 added = bound(topUps[i], 1, 12); // 8 × 12 = 96 votes, 9,216 credits at most
            uint256 before = credits.balanceOf(voter);
            assertEq(_vote(voter, proposalId, side, added), added, "votes counted");
            uint256 previous = total;
            total += added;

            assertEq(before - credits.balanceOf(voter), total * total - previous * previous, "marginal cost");
            assertEq(start - credits.balanceOf(voter), total * total, "total paid != total votes squared");
            _assertSingleVoterRecords(voter, side, total, i + 1);
        }
    }

    function _assertSingleVoterRecords(address voter, uint8 side, uint256 total, uint256 ballots) private view {
        (bool voted, uint8 support, uint256 votes, uint256 spent) = governor.receiptOf(proposalId, voter);
        assertTrue(voted, "receipt: voted");
        assertEq(support, side, "receipt: side");
        assertEq(votes, total, "receipt: votes");
        assertEq(spent, total * total, "receipt: credits spent");
        assertEq(governor.ballotNonce(proposalId, voter), ballots, "one nonce per vote");

        (uint256 forVotes, uint256 againstVotes, uint256 forVoters, uint256 againstVoters, , ) = governor.proposalTally(
            proposalId
        );
        assertEq(side == FOR ? forVotes : againstVotes, total, "tally: votes on the side");
        assertEq(side == FOR ? againstVotes : forVotes, 0, "tally: votes on the other side");
        assertEq(side == FOR ? forVoters : againstVoters, 1, "tally: a top-up is not a new voter");
    }

    /// `castVote` is one vote for one credit; a later `castVote` on the same side tops up to 2 votes for 4 in all.
    function test_castVote_isOneVoteAndTopsUpQuadratically() public {
        address voter = memberAddrs[1];
        vm.prank(voter);
        assertEq(governor.castVote(proposalId, FOR), 1, "castVote counts one vote");
        assertEq(credits.balanceOf(voter), 10_000 - 1, "one vote costs one credit");
        vm.prank(voter);
        governor.castVote(proposalId, FOR);
        assertEq(credits.balanceOf(voter), 10_000 - 4, "two votes cost four credits");
        (, , uint256 votes, uint256 spent) = governor.receiptOf(proposalId, voter);
        assertEq(votes, 2, "receipt votes");
        assertEq(spent, 4, "receipt credits");
    }

    /// Abstaining costs nothing, adds no votes, and counts the member as present.
    function test_abstain_costsNothingAndCountsPresence() public {
        address voter = memberAddrs[1];
        assertEq(_vote(voter, proposalId, ABSTAIN, 50), 0, "abstain counts no votes");
        assertEq(credits.balanceOf(voter), 10_000, "abstain is free");
        (uint256 forVotes, uint256 againstVotes, , , uint256 abstainVoters, ) = governor.proposalTally(proposalId);
        assertEq(forVotes + againstVotes, 0, "no votes added");
        assertEq(abstainVoters, 1, "abstainer counted");
        assertTrue(governor.hasVoted(proposalId, voter), "abstainer has voted");
    }

    /// A vote the member cannot pay for reverts with InsufficientCredits(voter, cost, available) and changes nothing.
    function testFuzz_unaffordableTopUp_revertsWithCostAndAvailable(uint256 firstVotes, uint256 extraVotes) public {
        address voter = memberAddrs[1];
        firstVotes = bound(firstVotes, 1, 99);
        _vote(voter, proposalId, FOR, firstVotes);
        uint256 available = credits.balanceOf(voter); // 10,000 − first²
        // Smallest top-up that costs more than what is left, up to 100 more.
        // (first + extra)² > 10,000 ⇔ first + extra ≥ 101.
        uint256 minUnaffordable = 101 - firstVotes;
        extraVotes = bound(extraVotes, minUnaffordable, minUnaffordable + 100);
        uint256 cost = (firstVotes + extraVotes) ** 2 - firstVotes ** 2;

        VoteState memory before = _read(voter);
        vm.expectRevert(abi.encodeWithSelector(IVoiceCredits.InsufficientCredits.selector, voter, cost, available));
        _vote(voter, proposalId, FOR, extraVotes);
        _assertUnchanged(voter, before);
    }

    // ------------------------------------------------------------------------------------------------
    // Sides
    // ------------------------------------------------------------------------------------------------

    /// Switching sides always reverts with MutualGovernorCannotSwitchSides(voter, previousSide) and changes nothing.
    function testFuzz_switchingSides_revertsAndChangesNothing(
        uint256 voterSeed,
        uint256 firstSeed,
        uint256 secondSeed,
        uint256 firstVotes,
        uint256 secondVotes
    ) public {
        address voter = memberAddrs[bound(voterSeed, 0, MEMBERS - 1)];
        uint8 first = uint8(bound(firstSeed, 0, 2));
        uint8 second = uint8((first + bound(secondSeed, 1, 2)) % 3); // any other side
        _vote(voter, proposalId, first, bound(firstVotes, 1, 50));

        VoteState memory before = _read(voter);
        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorCannotSwitchSides.selector, voter, first));
        _vote(voter, proposalId, second, bound(secondVotes, 1, 50));
        _assertUnchanged(voter, before);
    }

    /// Switching sides through plain `castVote` is refused the same way.
    function test_switchingSidesWithCastVote_reverts() public {
        address voter = memberAddrs[2];
        _vote(voter, proposalId, AGAINST, 3);
        VoteState memory before = _read(voter);
        vm.expectRevert(
            abi.encodeWithSelector(IMutualGovernor.MutualGovernorCannotSwitchSides.selector, voter, AGAINST)
        );
        vm.prank(voter);
        governor.castVote(proposalId, FOR);
        _assertUnchanged(voter, before);
    }

    /// Abstaining twice reverts with GovernorAlreadyCastVote(voter) and changes nothing.
    function test_abstainingTwice_reverts() public {
        address voter = memberAddrs[3];
        _vote(voter, proposalId, ABSTAIN, 0);
        VoteState memory before = _read(voter);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorAlreadyCastVote.selector, voter));
        _vote(voter, proposalId, ABSTAIN, 0);
        _assertUnchanged(voter, before);
    }

    /// Zero votes on a side reverts with MutualGovernorZeroVotes(voter) and changes nothing.
    function test_zeroVotes_reverts() public {
        address voter = memberAddrs[1];
        VoteState memory before = _read(voter);
        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorZeroVotes.selector, voter));
        _vote(voter, proposalId, FOR, 0);
        _assertUnchanged(voter, before);
    }

    /// Params that are not one uint256 revert with MutualGovernorInvalidVoteParams(params) and change nothing.
    function test_malformedVoteParams_reverts() public {
        address voter = memberAddrs[1];
        bytes memory params = abi.encodePacked(uint128(3)); // 16 bytes
        VoteState memory before = _read(voter);
        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorInvalidVoteParams.selector, params));
        vm.prank(voter);
        governor.castVoteWithReasonAndParams(proposalId, FOR, "", params);
        _assertUnchanged(voter, before);
    }

    /// A side other than Against/For/Abstain reverts with GovernorInvalidVoteType() and changes nothing.
    function test_unknownSide_reverts() public {
        address voter = memberAddrs[1];
        VoteState memory before = _read(voter);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidVoteType.selector));
        _vote(voter, proposalId, 3, 1);
        _assertUnchanged(voter, before);
    }

    /// More votes than any balance could pay for (2^24) revert with MutualGovernorTooManyVotes(voter, votes).
    function test_moreVotesThanAnyBudget_reverts() public {
        address voter = memberAddrs[1];
        _vote(voter, proposalId, FOR, 1);
        uint256 votes = type(uint24).max; // 1 already cast: one too many
        VoteState memory before = _read(voter);
        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorTooManyVotes.selector, voter, votes));
        _vote(voter, proposalId, FOR, votes);
        _assertUnchanged(voter, before);
    }

    /// A member admitted after the snapshot cannot vote: MutualGovernorNotEligible(voter, snapshot).
    function test_memberAdmittedAfterSnapshot_cannotVote() public {
        address newcomer = _admitMembers(1)[0];
        uint256 snapshot = governor.proposalSnapshot(proposalId);
        VoteState memory before = _read(newcomer);
        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorNotEligible.selector, newcomer, snapshot));
        _vote(newcomer, proposalId, FOR, 1);
        _assertUnchanged(newcomer, before);
    }

    /// A member who resigned after the snapshot cannot vote any more, even to abstain.
    function test_resignedMember_cannotVote() public {
        address leaver = memberAddrs[4];
        vm.prank(leaver);
        card.resign();
        uint256 snapshot = governor.proposalSnapshot(proposalId);
        VoteState memory before = _read(leaver);
        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorNotEligible.selector, leaver, snapshot));
        _vote(leaver, proposalId, ABSTAIN, 0);
        _assertUnchanged(leaver, before);
    }

    /// A non-member cannot vote: MutualGovernorNotEligible(voter, snapshot).
    function test_nonMember_cannotVote() public {
        address outsider = address(0xBEEF);
        uint256 snapshot = governor.proposalSnapshot(proposalId);
        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorNotEligible.selector, outsider, snapshot));
        _vote(outsider, proposalId, FOR, 1);
        assertFalse(governor.hasVoted(proposalId, outsider), "outsider recorded");
    }

    // ------------------------------------------------------------------------------------------------
    // Tally
    // ------------------------------------------------------------------------------------------------

    /// For random votes and top-ups from several members, the tally equals the sum of the receipts, every voter paid
    /// (own votes)², and the outcome follows quorum and for > against.
    function testFuzz_tallyEqualsSumOfReceipts(
        uint256 voterCount,
        uint256[MEMBERS] memory sides,
        uint256[MEMBERS] memory firstVotes,
        uint256[MEMBERS] memory topUps
    ) public {
        voterCount = bound(voterCount, 1, MEMBERS);
        uint256[MEMBERS] memory start;
        for (uint256 i = 0; i < MEMBERS; ++i) start[i] = credits.balanceOf(memberAddrs[i]);

        // Round 1: each voter picks a side; round 2: some top up on that side.
        for (uint256 i = 0; i < voterCount; ++i) {
            _vote(memberAddrs[i], proposalId, uint8(sides[i] % 3), bound(firstVotes[i], 1, 40));
        }
        for (uint256 i = 0; i < voterCount; ++i) {
            uint8 side = uint8(sides[i] % 3);
            uint256 extra = bound(topUps[i], 0, 40);
            if (side != ABSTAIN && extra != 0) _vote(memberAddrs[i], proposalId, side, extra);
        }

        (uint256[3] memory votesBySide, uint256[3] memory votersBySide) = _sumReceipts(voterCount, sides, start);
        _assertTallyEquals(votesBySide, votersBySide);

        _warpPastDeadline(proposalId);
        bool passes = voterCount >= 2 && votesBySide[FOR] > votesBySide[AGAINST];
        assertEq(
            uint256(governor.state(proposalId)),
            uint256(passes ? IGovernor.ProposalState.Succeeded : IGovernor.ProposalState.Defeated),
            "outcome"
        );
    }

    /// Sums the receipts per side, checking each voter paid (own votes)² and non-voters have empty receipts.
    function _sumReceipts(
        uint256 voterCount,
        uint256[MEMBERS] memory sides,
        uint256[MEMBERS] memory start
    ) private view returns (uint256[3] memory votesBySide, uint256[3] memory votersBySide) {
        for (uint256 i = 0; i < MEMBERS; ++i) {
            address m = memberAddrs[i];
            (bool voted, uint8 support, uint256 votes, uint256 spent) = governor.receiptOf(proposalId, m);
            assertEq(voted, i < voterCount, "voted iff chosen");
            if (!voted) {
                assertEq(votes + spent, 0, "empty receipt for a non-voter");
                assertEq(credits.balanceOf(m), start[i], "non-voter paid nothing");
                continue;
            }
            assertEq(support, sides[i] % 3, "receipt side");
            votesBySide[support] += votes;
            ++votersBySide[support];
            assertEq(start[i] - credits.balanceOf(m), votes * votes, "voter paid own votes squared");
            assertEq(spent, votes * votes, "receipt credits");
        }
        assertEq(votesBySide[ABSTAIN], 0, "abstainers hold no votes");
    }

    function _assertTallyEquals(uint256[3] memory votesBySide, uint256[3] memory votersBySide) private view {
        (
            uint256 forVotes,
            uint256 againstVotes,
            uint256 forVoters,
            uint256 againstVoters,
            uint256 abstainVoters,
            uint256 quorumMembers
        ) = governor.proposalTally(proposalId);
        assertEq(forVotes, votesBySide[FOR], "for votes = sum of receipts");
        assertEq(againstVotes, votesBySide[AGAINST], "against votes = sum of receipts");
        assertEq(forVoters, votersBySide[FOR], "for voters");
        assertEq(againstVoters, votersBySide[AGAINST], "against voters");
        assertEq(abstainVoters, votersBySide[ABSTAIN], "abstain voters");
        assertEq(quorumMembers, 2, "ceil(9 members x 20%) = 2");
        (uint256 a, uint256 f, uint256 ab) = governor.proposalVotes(proposalId);
        assertEq(a, againstVotes, "proposalVotes against");
        assertEq(f, forVotes, "proposalVotes for");
        assertEq(ab, abstainVoters, "proposalVotes abstain");
    }

    // ------------------------------------------------------------------------------------------------
    // Quorum examples
    // ------------------------------------------------------------------------------------------------

    /// 10 members at 20%: 2 members are needed. One voter alone is Defeated however many votes; two pass.
    function test_quorum_tenMembersAtTwentyPercent_needsTwoVoters() public {
        _freshCoop(10, 2000);
        uint256 lonely = _propose(memberAddrs[0]);
        uint256 joined = _propose(memberAddrs[0]);
        _warpIntoVoting(joined);
        assertEq(governor.quorum(governor.proposalSnapshot(lonely)), 2, "quorum(snapshot)");

        _vote(memberAddrs[1], lonely, FOR, 9);
        _vote(memberAddrs[1], joined, FOR, 1);
        _vote(memberAddrs[2], joined, ABSTAIN, 0); // presence counts toward quorum
        (, , , , , uint256 quorumMembers) = governor.proposalTally(lonely);
        assertEq(quorumMembers, 2, "tally quorum");

        _warpPastDeadline(joined);
        assertEq(uint256(governor.state(lonely)), uint256(IGovernor.ProposalState.Defeated), "1 of 2: defeated");
        assertEq(uint256(governor.state(joined)), uint256(IGovernor.ProposalState.Succeeded), "2 of 2: succeeded");
    }

    /// 7 members at 30%: ⌈2.1⌉ = 3 members are needed; two are not enough.
    function test_quorum_sevenMembersAtThirtyPercent_roundsUpToThree() public {
        _freshCoop(7, 3000);
        uint256 id = _propose(memberAddrs[0]);
        _warpIntoVoting(id);
        (, , , , , uint256 quorumMembers) = governor.proposalTally(id);
        assertEq(quorumMembers, 3, "ceil(7 x 30%)");
        _vote(memberAddrs[1], id, FOR, 2);
        _vote(memberAddrs[2], id, FOR, 2);
        _warpPastDeadline(id);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Defeated), "2 of 3: defeated");

        uint256 id2 = _propose(memberAddrs[0]);
        _warpIntoVoting(id2);
        _vote(memberAddrs[1], id2, FOR, 2);
        _vote(memberAddrs[2], id2, FOR, 2);
        _vote(memberAddrs[3], id2, AGAINST, 3);
        _warpPastDeadline(id2);
        assertEq(uint256(governor.state(id2)), uint256(IGovernor.ProposalState.Succeeded), "4 for > 3 against");
    }

    /// 4 members at 100%: everyone must take part; a quorum with a tie (for == against) is Defeated.
    function test_quorum_fullQuorumAndTie_isDefeated() public {
        _freshCoop(4, 10_000);
        uint256 id = _propose(memberAddrs[0]);
        _warpIntoVoting(id);
        _vote(memberAddrs[0], id, FOR, 3);
        _vote(memberAddrs[1], id, AGAINST, 2);
        _vote(memberAddrs[2], id, AGAINST, 1);
        (, , , , , uint256 quorumMembers) = governor.proposalTally(id);
        assertEq(quorumMembers, 4, "all four");
        _vote(memberAddrs[3], id, ABSTAIN, 0);
        _warpPastDeadline(id);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Defeated), "3 vs 3: defeated");
    }

    /// A tiny fraction of a small co-op still needs one member: ⌈1 × 0.01%⌉ = 1.
    function test_quorum_tinyFraction_needsAtLeastOneMember() public {
        _freshCoop(1, 1);
        uint256 id = _propose(memberAddrs[0]);
        _warpIntoVoting(id);
        assertEq(governor.quorum(governor.proposalSnapshot(id)), 1, "at least one");
        _warpPastDeadline(id);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Defeated), "nobody voted");
    }

    /// Quorum counts members at the snapshot: members admitted later change nothing, members admitted between the
    /// proposal and the snapshot count (and may vote).
    function test_quorum_countsMembersAtSnapshot() public {
        _freshCoop(5, 5000); // ⌈5 × 50%⌉ = 3
        uint256 id = _propose(memberAddrs[0]);
        _admitMembers(5); // before the snapshot: 10 members, ⌈10 × 50%⌉ = 5
        _warpIntoVoting(id);
        _admitMembers(10); // after the snapshot: ignored
        (, , , , , uint256 quorumMembers) = governor.proposalTally(id);
        assertEq(quorumMembers, 5, "members at the snapshot");
        assertEq(card.memberCount(), 20, "members now");
        _vote(memberAddrs[7], id, FOR, 1); // admitted before the snapshot: eligible
        (, uint256 forVotes, ) = governor.proposalVotes(id);
        assertEq(forVotes, 1, "late-but-before-snapshot member voted");
    }

    /// When quorum is first reached less than the extension before the deadline, the vote stays open longer.
    function test_lateQuorum_extendsDeadline() public {
        _freshCoop(10, 2000);
        uint256 id = _propose(memberAddrs[0]);
        uint256 deadline = governor.proposalDeadline(id);
        vm.warp(deadline - 1 hours);
        _vote(memberAddrs[1], id, FOR, 1);
        assertEq(governor.proposalDeadline(id), deadline, "no quorum yet: deadline unchanged");
        _vote(memberAddrs[2], id, AGAINST, 1);
        assertEq(governor.proposalDeadline(id), deadline - 1 hours + 1 days, "extended by one day from now");
        vm.warp(deadline + 1);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Active), "still open");
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    function _freshCoop(uint256 members, uint16 quorumBps) private {
        CoopFixture.CoopConfig memory cfg = _defaultConfig();
        cfg.quorumBps = quorumBps;
        _deployCoop(cfg);
        _admitMembers(members);
    }

    function _read(address voter) private view returns (VoteState memory s) {
        s.balance = credits.balanceOf(voter);
        (s.voted, s.support, s.votes, s.creditsSpent) = governor.receiptOf(proposalId, voter);
        s.nonce = governor.ballotNonce(proposalId, voter);
        (s.forVotes, s.againstVotes, s.forVoters, s.againstVoters, s.abstainVoters, ) = governor.proposalTally(
            proposalId
        );
        s.deadline = governor.proposalDeadline(proposalId);
    }

    function _assertUnchanged(address voter, VoteState memory before) private view {
        VoteState memory a = _read(voter);
        assertEq(a.balance, before.balance, "balance changed");
        assertEq(a.voted, before.voted, "voted changed");
        assertEq(a.support, before.support, "side changed");
        assertEq(a.votes, before.votes, "receipt votes changed");
        assertEq(a.creditsSpent, before.creditsSpent, "receipt credits changed");
        assertEq(a.nonce, before.nonce, "nonce changed");
        assertEq(a.forVotes, before.forVotes, "for votes changed");
        assertEq(a.againstVotes, before.againstVotes, "against votes changed");
        assertEq(a.forVoters, before.forVoters, "for voters changed");
        assertEq(a.againstVoters, before.againstVoters, "against voters changed");
        assertEq(a.abstainVoters, before.abstainVoters, "abstain voters changed");
        assertEq(a.deadline, before.deadline, "deadline changed");
    }
}
