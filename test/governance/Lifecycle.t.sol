// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IMembershipCard} from "../../contracts/interfaces/IMembershipCard.sol";
import {MutualGovernor} from "../../contracts/governance/MutualGovernor.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @notice A co-op wired exactly as the deploy script leaves it: only passed proposals, through the timelock, act.
contract LifecycleTest is CoopFixture {
    function setUp() public {
        _deployCoop(_defaultConfig());
        _admitMembers(4);
        _handOverToTimelock();
    }

    /// After the hand-over the deployer keeps no power: admin calls revert with the owner/role errors.
    function test_afterHandOver_deployerHasNoPower() public {
        bytes memory err = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this));
        vm.expectRevert(err);
        card.admit(address(0xBEEF));
        vm.expectRevert(err);
        credits.setSchedule(1 days, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, address(this)));
        governor.setQuorumFraction(5000);
        assertEq(card.owner(), address(timelock), "card owned by the timelock");
        assertEq(credits.owner(), address(timelock), "credits owned by the timelock");
        assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(this)), "no timelock admin");
        assertEq(card.memberCount(), 4, "nobody admitted");
        assertEq(governor.quorumFraction(), 2000, "quorum unchanged");
    }

    /// A passed proposal admits a newcomer and raises the quorum through the timelock; the deposit comes back.
    function test_passedProposal_admitsNewcomerAndChangesQuorumThroughTimelock() public {
        address newcomer = _memberAddr(99);
        address[] memory targets = new address[](2);
        uint256[] memory values = new uint256[](2);
        bytes[] memory calldatas = new bytes[](2);
        targets[0] = address(card);
        calldatas[0] = abi.encodeCall(IMembershipCard.admit, (newcomer));
        targets[1] = address(governor);
        calldatas[1] = abi.encodeCall(MutualGovernor.setQuorumFraction, (5000));
        string memory description = "Admit a new baker and raise the quorum to half";

        uint256 id = _proposeCalls(memberAddrs[0], targets, values, calldatas, description);
        _warpIntoVoting(id);
        _vote(memberAddrs[1], id, FOR, 3);
        _vote(memberAddrs[2], id, AGAINST, 2);
        _warpPastDeadline(id);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Succeeded), "3 for > 2 against");
        _queueAndExecute(targets, values, calldatas, description);

        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Executed), "executed");
        assertTrue(card.isMember(newcomer), "newcomer admitted");
        assertEq(governor.quorumFraction(), 5000, "quorum raised");
        (uint256 bps, , , ) = governor.proposalTerms(id);
        assertEq(bps, 2000, "the executed proposal keeps the quorum it was made with");
        assertTrue(governor.settleDeposit(id), "deposit returned");
        assertEq(credits.heldDeposits(), 0, "nothing held");
    }
}
