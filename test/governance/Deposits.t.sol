// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IMutualGovernor} from "../../contracts/interfaces/IMutualGovernor.sol";
import {IVoiceCredits} from "../../contracts/interfaces/IVoiceCredits.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";
import {Vm} from "../utils/Vm.sol";

/// @notice Proposal deposits: staked by members only, returned with quorum and without a wide margin against.
contract DepositsTest is CoopFixture {
    address internal proposer;

    function setUp() public {
        _deployCoop(_defaultConfig()); // deposit 10, quorum 20%
        _admitMembers(10); // quorum: 2 members
        proposer = memberAddrs[0];
    }

    /// Proposing stakes the deposit: the proposer's balance drops by it and the ledger holds it.
    function test_propose_stakesDeposit() public {
        uint256 id = _propose(proposer);
        assertEq(credits.balanceOf(proposer), 90, "deposit taken");
        assertEq(credits.heldDeposits(), 10, "held by the ledger");
        assertEq(credits.balanceOf(address(governor)), 10, "the governor's balance is the held deposits");
        (uint256 quorumBps, uint256 deposit, bool settled, ) = governor.proposalTerms(id);
        assertEq(quorumBps, 2000, "terms: quorum");
        assertEq(deposit, 10, "terms: deposit");
        assertFalse(settled, "terms: unsettled");
    }

    /// A non-member cannot propose: MutualGovernorNotMember(account); nothing is staked.
    function test_propose_byNonMember_reverts() public {
        address outsider = address(0xBEEF);
        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorNotMember.selector, outsider));
        _propose(outsider);
        assertEq(governor.proposalCount(), 0, "no proposal");
        assertEq(credits.heldDeposits(), 0, "nothing held");
    }

    /// A member who cannot pay the deposit cannot propose: InsufficientCredits(member, deposit, balance).
    function test_propose_withoutDeposit_reverts() public {
        uint256 first = _propose(proposer);
        _warpIntoVoting(first);
        _vote(proposer, first, FOR, 9); // 90 − 81 = 9 left
        vm.expectRevert(abi.encodeWithSelector(IVoiceCredits.InsufficientCredits.selector, proposer, 10, 9));
        _propose(proposer);
        assertEq(governor.proposalCount(), 1, "no second proposal");
        assertEq(credits.balanceOf(proposer), 9, "balance unchanged");
    }

    /// With quorum and fewer votes against than twice the votes for, the deposit goes back to the proposer.
    function testFuzz_settle_returnsDepositWhenQuorumAndNoWideMarginAgainst(
        uint256 forVotes,
        uint256 againstVotes
    ) public {
        forVotes = bound(forVotes, 1, 9);
        againstVotes = bound(againstVotes, 1, 2 * forVotes - 1 > 10 ? 10 : 2 * forVotes - 1);
        uint256 id = _propose(proposer);
        _warpIntoVoting(id);
        _vote(memberAddrs[1], id, FOR, forVotes);
        _vote(memberAddrs[2], id, AGAINST, againstVotes);
        _warpPastDeadline(id);
        assertTrue(governor.settleDeposit(id), "returned");
        assertEq(credits.balanceOf(proposer), 100, "deposit back");
        assertEq(credits.heldDeposits(), 0, "nothing held");
    }

    /// Votes against at least twice the votes for burn the deposit, even with quorum.
    function testFuzz_settle_burnsDepositOnWideMarginAgainst(uint256 forVotes, uint256 extraAgainst) public {
        forVotes = bound(forVotes, 1, 5);
        uint256 againstVotes = 2 * forVotes + bound(extraAgainst, 0, 10 - 2 * forVotes);
        uint256 id = _propose(proposer);
        _warpIntoVoting(id);
        _vote(memberAddrs[1], id, FOR, forVotes);
        _vote(memberAddrs[2], id, AGAINST, againstVotes);
        _warpPastDeadline(id);
        assertFalse(governor.settleDeposit(id), "burned");
        assertEq(credits.balanceOf(proposer), 90, "deposit gone");
        assertEq(credits.heldDeposits(), 0, "nothing held");
    }

    /// Without quorum the deposit is burned, however one-sided the votes.
    function test_settle_withoutQuorum_burnsDeposit() public {
        uint256 id = _propose(proposer);
        _warpIntoVoting(id);
        _vote(memberAddrs[1], id, FOR, 10); // one member of the two needed
        _warpPastDeadline(id);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Defeated), "defeated");
        assertFalse(governor.settleDeposit(id), "burned");
        assertEq(credits.balanceOf(proposer), 90, "deposit gone");
        assertEq(credits.heldDeposits(), 0, "nothing held");
    }

    /// Settling while pending or active reverts with MutualGovernorDepositNotSettleable(id, state); settling twice
    /// reverts with MutualGovernorDepositAlreadySettled(id).
    function test_settle_tooEarlyOrTwice_reverts() public {
        uint256 id = _propose(proposer);
        vm.expectRevert(
            abi.encodeWithSelector(IMutualGovernor.MutualGovernorDepositNotSettleable.selector, id, uint8(0))
        );
        governor.settleDeposit(id);
        _warpIntoVoting(id);
        vm.expectRevert(
            abi.encodeWithSelector(IMutualGovernor.MutualGovernorDepositNotSettleable.selector, id, uint8(1))
        );
        governor.settleDeposit(id);
        assertEq(credits.heldDeposits(), 10, "still held");

        _vote(memberAddrs[1], id, FOR, 1);
        _vote(memberAddrs[2], id, FOR, 1);
        _warpPastDeadline(id);
        assertTrue(governor.settleDeposit(id), "returned");
        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorDepositAlreadySettled.selector, id));
        governor.settleDeposit(id);
        assertEq(credits.balanceOf(proposer), 100, "returned once");
        assertEq(credits.heldDeposits(), 0, "nothing held");
    }

    /// A proposer who left gets nothing back: the deposit is burned even when the proposal earned it.
    function test_settle_afterProposerResigned_burnsDeposit() public {
        uint256 id = _propose(proposer);
        _warpIntoVoting(id);
        _vote(memberAddrs[1], id, FOR, 1);
        _vote(memberAddrs[2], id, FOR, 1);
        vm.prank(proposer);
        card.resign();
        _warpPastDeadline(id);
        assertTrue(governor.settleDeposit(id), "earned back");
        assertEq(credits.balanceOf(proposer), 0, "nobody to credit");
        assertEq(credits.heldDeposits(), 0, "nothing held");
    }

    /// With a zero deposit (a co-op may set it to 0), settling still decides and records the outcome, once, and
    /// moves no credits: the governor emits ProposalDepositSettled(id, holder, 0, returned, 0) and nothing else,
    /// the credits ledger is not called.
    function test_settle_zeroDeposit_recordsOutcomeWithoutMovingCredits() public {
        CoopConfig memory cfg = _defaultConfig();
        cfg.proposalDeposit = 0;
        _deployCoop(cfg);
        _admitMembers(10);
        proposer = memberAddrs[0];

        uint256 passed = _propose(proposer);
        uint256 ignored = _propose(proposer);
        assertEq(credits.balanceOf(proposer), 100, "nothing staked");
        assertEq(credits.heldDeposits(), 0, "nothing held");
        _warpIntoVoting(passed);
        _vote(memberAddrs[1], passed, FOR, 1);
        _vote(memberAddrs[2], passed, FOR, 1);
        _warpPastDeadline(passed);
        _warpPastDeadline(ignored);

        _expectZeroSettlement(passed, true); // quorum met, nobody against
        _expectZeroSettlement(ignored, false); // nobody voted: no quorum
        assertEq(credits.balanceOf(proposer), 100, "proposer's balance untouched");
        assertEq(credits.heldDeposits(), 0, "still nothing held");

        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorDepositAlreadySettled.selector, passed));
        governor.settleDeposit(passed);
    }

    function _expectZeroSettlement(uint256 id, bool expectedReturned) private {
        vm.recordLogs();
        assertEq(governor.settleDeposit(id), expectedReturned, "settleDeposit's answer");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "one event, and none from the credits ledger");
        assertEq(logs[0].emitter, address(governor), "emitted by the governor");
        assertTrue(logs[0].topics[0] == IMutualGovernor.ProposalDepositSettled.selector, "ProposalDepositSettled");
        assertEq(uint256(logs[0].topics[1]), id, "proposal id");
        assertEq(address(uint160(uint256(logs[0].topics[2]))), proposer, "holder: the proposer");
        (uint256 amount, bool returned, uint256 credited) = abi.decode(logs[0].data, (uint256, bool, uint256));
        assertEq(amount, 0, "amount");
        assertEq(returned, expectedReturned, "returned");
        assertEq(credited, 0, "credited");
        (, uint256 deposit, bool settled, ) = governor.proposalTerms(id);
        assertEq(deposit, 0, "terms: no deposit");
        assertTrue(settled, "terms: settled");
    }
}
