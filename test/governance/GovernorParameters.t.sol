// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IMembershipCard} from "../../contracts/interfaces/IMembershipCard.sol";
import {IMutualGovernor} from "../../contracts/interfaces/IMutualGovernor.sol";
import {MutualGovernor} from "../../contracts/governance/MutualGovernor.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @notice What a governor accepts at deployment, and what it tells Governor clients (wallets, dashboards) about
/// its clock, its counting and a member's voting power.
contract GovernorParametersTest is CoopFixture {
    function setUp() public {
        _deployCoop(_defaultConfig());
        _admitMembers(3);
    }

    function _deployGovernor(CoopConfig memory cfg) internal returns (MutualGovernor) {
        return
            new MutualGovernor(
                "Mutual Co-op",
                card,
                credits,
                timelock,
                MutualGovernor.Parameters({
                    votingDelay: cfg.votingDelay,
                    votingPeriod: cfg.votingPeriod,
                    quorumBps: cfg.quorumBps,
                    proposalDeposit: cfg.proposalDeposit,
                    lateQuorumExtension: cfg.lateQuorumExtension
                })
            );
    }

    /// A vote that closes as it opens is refused at deployment: GovernorInvalidVotingPeriod(0).
    function test_deploy_zeroVotingPeriod_reverts() public {
        CoopConfig memory cfg = _defaultConfig();
        cfg.votingPeriod = 0;
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidVotingPeriod.selector, 0));
        _deployGovernor(cfg);
    }

    /// A quorum of nobody (0) or of more than every member (above 10,000 bps) is refused at deployment:
    /// MutualGovernorInvalidParameter("quorumBps", value).
    function testFuzz_deploy_quorumOutOfRange_reverts(uint16 bps) public {
        CoopConfig memory cfg = _defaultConfig();
        cfg.quorumBps = bps == 0 ? 0 : uint16(bound(bps, 10_001, type(uint16).max));
        vm.expectRevert(
            abi.encodeWithSelector(IMutualGovernor.MutualGovernorInvalidParameter.selector, "quorumBps", cfg.quorumBps)
        );
        _deployGovernor(cfg);
    }

    /// The edges are accepted as given: a one-second vote, quorums of 1 and 10,000 bps, a one-second delay, no
    /// deposit, no late-quorum extension.
    function test_deploy_acceptsTheEdges() public {
        CoopConfig memory cfg = _defaultConfig();
        cfg.votingPeriod = 1;
        cfg.quorumBps = 1;
        cfg.votingDelay = 1;
        cfg.proposalDeposit = 0;
        cfg.lateQuorumExtension = 0;
        MutualGovernor g = _deployGovernor(cfg);
        assertEq(g.votingPeriod(), 1, "voting period");
        assertEq(g.quorumFraction(), 1, "quorum 1 bps");
        assertEq(g.votingDelay(), 1, "voting delay");
        assertEq(g.proposalDeposit(), 0, "deposit");
        assertEq(g.lateQuorumVoteExtension(), 0, "late-quorum extension");
        cfg.quorumBps = 10_000;
        assertEq(_deployGovernor(cfg).quorumFraction(), 10_000, "quorum 10,000 bps");
    }

    /// No voting delay is refused with MutualGovernorInvalidParameter("votingDelay", 0): with none, a member admitted
    /// in the block a proposal is made would count at its snapshot.
    function test_deploy_refusesZeroVotingDelay() public {
        CoopConfig memory cfg = _defaultConfig();
        cfg.votingDelay = 0;
        vm.expectRevert(
            abi.encodeWithSelector(IMutualGovernor.MutualGovernorInvalidParameter.selector, "votingDelay", uint256(0))
        );
        this.deployGovernorExternal(cfg);
    }

    /// @dev `_deployGovernor` behind an external call, so that vm.expectRevert sees the constructor's revert.
    function deployGovernorExternal(CoopConfig memory cfg) external returns (MutualGovernor) {
        return _deployGovernor(cfg);
    }

    /// ERC-6372: the governor runs on timestamps and says so, so clients read snapshots and deadlines as times.
    function test_clock_isTheTimestamp() public {
        vm.warp(DEPLOY_TIME + 12345);
        assertEq(governor.clock(), DEPLOY_TIME + 12345, "clock() is block.timestamp");
        assertTrue(keccak256(bytes(governor.CLOCK_MODE())) == keccak256("mode=timestamp"), "CLOCK_MODE");
    }

    /// COUNTING_MODE tells Governor clients the real rule: bravo sides, quorum counts every side in members, votes
    /// are quadratic, and the votes go in params.
    function test_countingMode_describesQuadraticParams() public view {
        assertTrue(
            keccak256(bytes(governor.COUNTING_MODE())) ==
                keccak256("support=bravo&quorum=against,for,abstain&quorum_unit=members&votes=quadratic&params=votes"),
            "COUNTING_MODE"
        );
    }

    /// What a client reads predicts who may propose: the threshold is 1, a member's voice 1 and an outsider's 0.
    function test_proposalThreshold_isOneVoice_andPredictsWhoMayPropose() public {
        assertEq(governor.proposalThreshold(), 1, "threshold: one voice");
        vm.warp(block.timestamp + 1);
        uint256 past = block.timestamp - 1;
        assertEq(governor.getVotes(memberAddrs[0], past), 1, "a member has one voice");
        address outsider = address(0xBAD);
        assertEq(governor.getVotes(outsider, past), 0, "an outsider has none");
        address[] memory targets = new address[](1);
        uint256[] memory values = new uint256[](1);
        bytes[] memory calldatas = new bytes[](1);
        targets[0] = address(governor);
        calldatas[0] = abi.encodeCall(governor.votingDelay, ());
        vm.expectRevert(abi.encodeWithSelector(IMutualGovernor.MutualGovernorNotMember.selector, outsider));
        vm.prank(outsider);
        governor.propose(targets, values, calldatas, "from an outsider");
        vm.prank(memberAddrs[0]);
        uint256 id = governor.propose(targets, values, calldatas, "from a member");
        assertEq(governor.proposalProposer(id), memberAddrs[0], "a member proposes");
    }

    /// getVotes is one voice per member at the timepoint, whatever the member's credits: 1 while a member, 0
    /// before admission, after resigning and for outsiders; params change nothing; the present is refused.
    function test_getVotes_isOneVoicePerMemberAtTheTimepoint() public {
        address member = memberAddrs[0];
        address leaver = memberAddrs[1];
        address newcomer = _memberAddr(50);
        uint256 t0 = block.timestamp;

        vm.warp(t0 + 1 days);
        card.admit(newcomer);
        vm.prank(leaver);
        card.resign();
        uint256 t1 = block.timestamp;
        vm.warp(t1 + 1);

        assertEq(governor.getVotes(member, t0), 1, "member at t0");
        assertEq(governor.getVotes(member, t1), 1, "member at t1");
        assertEq(governor.getVotes(leaver, t0), 1, "leaver before resigning");
        assertEq(governor.getVotes(leaver, t1), 0, "leaver after resigning");
        assertEq(governor.getVotes(newcomer, t0), 0, "newcomer before admission");
        assertEq(governor.getVotes(newcomer, t1), 1, "newcomer after admission");
        assertEq(governor.getVotes(address(0xBEEF), t1), 0, "outsider");
        assertEq(governor.getVotesWithParams(member, t1, abi.encode(uint256(7))), 1, "params change nothing");

        vm.expectRevert(
            abi.encodeWithSelector(
                IMembershipCard.MembershipCardFutureLookup.selector,
                block.timestamp,
                uint48(block.timestamp)
            )
        );
        governor.getVotes(member, block.timestamp);
    }
}
