// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IMutualGovernor} from "../../contracts/interfaces/IMutualGovernor.sol";
import {ERC1271WalletMock, GasBurnerWalletMock} from "../../contracts/mocks/ERC1271WalletMock.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";
import {Vm} from "../utils/Vm.sol";

/// @notice Signed EIP-712 ballots, one at a time and in batches, with digests computed independently of the governor.
contract SignedBallotsTest is CoopFixture {
    uint256 internal constant MEMBERS = 8;
    address internal constant RELAYER = address(0x5E1A7);
    uint256 internal proposalId;
    uint256 internal otherProposalId;

    function setUp() public {
        _deployCoop(_defaultConfig()); // 100 credits each at the start
        _admitMembers(MEMBERS);
        proposalId = _propose(memberAddrs[0]);
        otherProposalId = _propose(memberAddrs[0]);
        _warpIntoVoting(proposalId);
    }

    /// The test's own EIP-712 digest equals the governor's, and a relayed ballot counts at the voter's cost.
    function testFuzz_castBallot_countsVotesAtVotersCost(uint256 voterSeed, uint256 votes, bool forSide) public {
        uint256 i = bound(voterSeed, 1, MEMBERS - 1);
        votes = bound(votes, 1, 10);
        uint8 side = forSide ? FOR : AGAINST;
        IMutualGovernor.Ballot memory b = _signedBallot(memberKeys[i], proposalId, side, votes);
        assertEq(uint256(governor.ballotDigest(b)), uint256(_ballotDigest(b)), "digest");

        vm.prank(RELAYER);
        assertEq(governor.castBallot(b), votes, "votes counted");
        assertEq(credits.balanceOf(memberAddrs[i]), 100 - votes * votes, "voter paid votes squared");
        assertEq(credits.balanceOf(RELAYER), 0, "relayer pays nothing and gets nothing");
        (bool voted, uint8 support, uint256 counted, ) = governor.receiptOf(proposalId, memberAddrs[i]);
        assertTrue(voted, "voted");
        assertEq(support, side, "side");
        assertEq(counted, votes, "receipt");
        assertEq(governor.ballotNonce(proposalId, memberAddrs[i]), 1, "nonce advanced");
    }

    /// Replaying a counted ballot reverts with InvalidAccountNonce(voter, expected) and charges nothing.
    function test_castBallot_replay_reverts() public {
        address voter = memberAddrs[1];
        IMutualGovernor.Ballot memory b = _signedBallot(memberKeys[1], proposalId, FOR, 3);
        governor.castBallot(b);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, voter, 1));
        governor.castBallot(b);
        assertEq(credits.balanceOf(voter), 91, "charged once");
        (, , uint256 votes, ) = governor.receiptOf(proposalId, voter);
        assertEq(votes, 3, "counted once");
    }

    /// A ballot signed by someone else, or altered after signing, reverts with GovernorInvalidSignature(voter).
    function test_castBallot_wrongSignerOrAltered_reverts() public {
        address voter = memberAddrs[1];
        IMutualGovernor.Ballot memory b = _signedBallot(memberKeys[2], proposalId, FOR, 3);
        b.voter = voter; // claims to be member 1, signed by member 2
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidSignature.selector, voter));
        governor.castBallot(b);

        IMutualGovernor.Ballot memory altered = _signedBallot(memberKeys[1], proposalId, FOR, 1);
        altered.votes = 5;
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidSignature.selector, voter));
        governor.castBallot(altered);
        assertEq(credits.balanceOf(voter), 100, "nothing charged");
        assertFalse(governor.hasVoted(proposalId, voter), "no vote");
    }

    /// An expired ballot reverts with MutualGovernorBallotExpired(deadline).
    function test_castBallot_expired_reverts() public {
        IMutualGovernor.Ballot memory b = _signedBallot(memberKeys[1], proposalId, FOR, 1);
        vm.warp(b.deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorBallotExpired.selector, b.deadline));
        governor.castBallot(b);
        assertFalse(governor.hasVoted(proposalId, memberAddrs[1]), "no vote");
    }

    /// Voting on one proposal never invalidates a pending signed ballot for another.
    function test_voteOnOneProposal_keepsBallotForAnotherValid() public {
        IMutualGovernor.Ballot memory pendingBallot = _signedBallot(memberKeys[1], otherProposalId, FOR, 2);
        _vote(memberAddrs[1], proposalId, AGAINST, 3);
        assertEq(governor.castBallot(pendingBallot), 2, "the other ballot still counts");
        assertEq(credits.balanceOf(memberAddrs[1]), 100 - 9 - 4, "both paid");
    }

    /// OpenZeppelin's castVoteBySig uses the same per-proposal nonce: valid after a vote on another proposal.
    function test_castVoteBySig_usesPerProposalNonce() public {
        address voter = memberAddrs[3];
        bytes32 structHash = keccak256(
            abi.encode(
                governor.BALLOT_TYPEHASH(),
                otherProposalId,
                FOR,
                voter,
                governor.ballotNonce(otherProposalId, voter)
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(
            memberKeys[3],
            keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash))
        );
        _vote(voter, proposalId, FOR, 1);
        governor.castVoteBySig(otherProposalId, FOR, voter, abi.encodePacked(r, s, v));
        (, , uint256 votes, ) = governor.receiptOf(otherProposalId, voter);
        assertEq(votes, 1, "one vote by signature");
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidSignature.selector, voter));
        governor.castVoteBySig(otherProposalId, FOR, voter, abi.encodePacked(r, s, v));
    }

    /// A member that is an ERC-1271 wallet votes with its owner's signature.
    function test_castBallot_fromContractWallet_counts() public {
        uint256 ownerKey = _memberKey(500);
        ERC1271WalletMock wallet = new ERC1271WalletMock(vm.addr(ownerKey));
        card.admit(address(wallet));
        uint256 fresh = _propose(memberAddrs[0]);
        _warpIntoVoting(fresh);

        IMutualGovernor.Ballot memory b = IMutualGovernor.Ballot({
            proposalId: fresh,
            support: FOR,
            voter: address(wallet),
            votes: 4,
            nonce: 0,
            deadline: block.timestamp + 1 hours,
            reason: "wallet",
            signature: ""
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ownerKey, _ballotDigest(b));
        b.signature = abi.encodePacked(r, s, v);
        assertEq(governor.castBallot(b), 4, "wallet's ballot counts");
        assertEq(credits.balanceOf(address(wallet)), 100 - 16, "wallet paid");
    }

    /// The same ballot twice in one batch counts once; the copy is skipped for its nonce.
    function test_castBallots_duplicateInBatch_countsOnce() public {
        IMutualGovernor.Ballot[] memory batch = new IMutualGovernor.Ballot[](2);
        batch[0] = _signedBallot(memberKeys[1], proposalId, FOR, 2);
        batch[1] = batch[0];
        assertEq(governor.castBallots(batch), 1, "counted once");
        assertEq(credits.balanceOf(memberAddrs[1]), 96, "charged once");
    }

    /// In a batch, every good ballot counts and every bad one is skipped with BallotSkipped(index, voter, proposal,
    /// reason) and changes nothing: bad signature, altered votes, wrong nonce, expired, unaffordable, switched side,
    /// or a hostile ERC-1271 wallet that burns its gas.
    function testFuzz_castBallots_oneBadBallotDoesNotSinkTheRest(
        uint256 n,
        uint256[MEMBERS - 1] memory kinds,
        uint256[MEMBERS - 1] memory votes
    ) public {
        n = bound(n, 1, MEMBERS - 1);
        IMutualGovernor.Ballot[] memory batch = new IMutualGovernor.Ballot[](n + 1);
        IMutualGovernor.VoteRefusal[] memory expected = new IMutualGovernor.VoteRefusal[](n + 1);
        uint256 good;
        for (uint256 k = 0; k < n; ++k) {
            (batch[k], expected[k]) = _ballotOfKind(k + 1, kinds[k] % 8, bound(votes[k], 1, 10));
            if (expected[k] == IMutualGovernor.VoteRefusal.None) ++good;
        }
        // A hostile wallet at the end must not starve the batch either.
        GasBurnerWalletMock burner = new GasBurnerWalletMock();
        batch[n] = _signedBallot(memberKeys[1], proposalId, FOR, 1);
        batch[n].voter = address(burner);
        batch[n].nonce = 0; // the wallet's own nonce: only its signature check can refuse it
        expected[n] = IMutualGovernor.VoteRefusal.InvalidSignature;

        uint256[MEMBERS] memory balances;
        uint256[MEMBERS] memory nonces;
        for (uint256 k = 1; k <= n; ++k) {
            balances[k] = credits.balanceOf(memberAddrs[k]);
            nonces[k] = governor.ballotNonce(proposalId, memberAddrs[k]);
        }

        vm.recordLogs();
        vm.prank(RELAYER);
        assertEq(governor.castBallots(batch), good, "counted = good ballots");
        _assertSkips(batch, expected);

        for (uint256 k = 0; k < n; ++k) {
            address voter = memberAddrs[k + 1];
            if (expected[k] == IMutualGovernor.VoteRefusal.None) {
                uint256 v = batch[k].votes;
                assertEq(balances[k + 1] - credits.balanceOf(voter), v * v, "good ballot paid votes squared");
                assertEq(governor.ballotNonce(proposalId, voter), nonces[k + 1] + 1, "good ballot advanced nonce");
            } else {
                assertEq(credits.balanceOf(voter), balances[k + 1], "bad ballot charged credits");
                assertEq(governor.ballotNonce(proposalId, voter), nonces[k + 1], "bad ballot advanced nonce");
            }
        }
    }

    /// @dev Ballot from member `i` of `kind`, and the refusal it should meet (None for a good one).
    function _ballotOfKind(
        uint256 i,
        uint256 kind,
        uint256 votes
    ) private returns (IMutualGovernor.Ballot memory b, IMutualGovernor.VoteRefusal refusal) {
        if (kind == 6) {
            // Voted Against directly first, then signs For: a side switch.
            _vote(memberAddrs[i], proposalId, AGAINST, 1);
            return (_signedBallot(memberKeys[i], proposalId, FOR, votes), IMutualGovernor.VoteRefusal.SwitchedSides);
        }
        if (kind == 5) {
            // 11 votes cost 121 > 100 credits.
            return (_signedBallot(memberKeys[i], proposalId, FOR, 11), IMutualGovernor.VoteRefusal.InsufficientCredits);
        }
        b = _signedBallot(memberKeys[i], proposalId, kind == 7 ? AGAINST : FOR, votes);
        if (kind == 1) {
            // The voter's own ballot, signed by another member.
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(memberKeys[(i % (MEMBERS - 1)) + 1], _ballotDigest(b));
            b.signature = abi.encodePacked(r, s, v);
            return (b, IMutualGovernor.VoteRefusal.InvalidSignature);
        }
        if (kind == 2) {
            b.votes = votes + 1; // altered after signing
            return (b, IMutualGovernor.VoteRefusal.InvalidSignature);
        }
        if (kind == 3) {
            b.nonce += 1;
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(memberKeys[i], _ballotDigest(b));
            b.signature = abi.encodePacked(r, s, v);
            return (b, IMutualGovernor.VoteRefusal.InvalidNonce);
        }
        if (kind == 4) {
            b.deadline = block.timestamp - 1;
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(memberKeys[i], _ballotDigest(b));
            b.signature = abi.encodePacked(r, s, v);
            return (b, IMutualGovernor.VoteRefusal.BallotExpired);
        }
        return (b, IMutualGovernor.VoteRefusal.None);
    }

    /// @dev Exactly the bad ballots were skipped, each with its index, voter, proposal and reason.
    function _assertSkips(
        IMutualGovernor.Ballot[] memory batch,
        IMutualGovernor.VoteRefusal[] memory expected
    ) private {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool[] memory skipped = new bool[](batch.length);
        for (uint256 j = 0; j < logs.length; ++j) {
            if (logs[j].emitter != address(governor) || logs[j].topics[0] != IMutualGovernor.BallotSkipped.selector) {
                continue;
            }
            uint256 index = uint256(logs[j].topics[1]);
            assertEq(address(uint160(uint256(logs[j].topics[2]))), batch[index].voter, "skipped: voter");
            assertEq(uint256(logs[j].topics[3]), proposalId, "skipped: proposal");
            assertEq(abi.decode(logs[j].data, (uint256)), uint256(expected[index]), "skipped: reason");
            assertFalse(skipped[index], "skipped twice");
            skipped[index] = true;
        }
        for (uint256 k = 0; k < batch.length; ++k) {
            assertEq(skipped[k], expected[k] != IMutualGovernor.VoteRefusal.None, "skipped iff bad");
        }
    }
}
