// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {MembershipCard} from "../../contracts/membership/MembershipCard.sol";
import {VoiceCredits} from "../../contracts/credits/VoiceCredits.sol";
import {MutualGovernor} from "../../contracts/governance/MutualGovernor.sol";
import {IMembershipCard} from "../../contracts/interfaces/IMembershipCard.sol";
import {IMutualGovernor} from "../../contracts/interfaces/IMutualGovernor.sol";
import {TestBase} from "./Vm.sol";

/**
 * @notice Deploys a whole co-op inside the test contract, wired as deploy/coop.ts wires it:
 * card → credits(card) → card.bindVoiceCredits → TimelockController(delay, [], [address(0)], this)
 * → MutualGovernor → credits.setGovernor(governor) → PROPOSER/CANCELLER to the governor.
 *
 * Unlike the deploy script, the test contract stays owner of the card and the credits (so unit tests can
 * admit, expel and set schedules directly) and admin of the timelock. {_handOverToTimelock} finishes the
 * wiring exactly as the deploy script does, for end-to-end tests.
 *
 * Members are `vm.addr(_memberKey(i))`, so every member can also sign ballots.
 */
abstract contract CoopFixture is TestBase {
    /// @notice Everything that defines a co-op at deployment (durations in seconds).
    struct CoopConfig {
        uint256 epochLength;
        uint256 creditsPerEpoch;
        uint256 maxBalance;
        uint48 votingDelay;
        uint32 votingPeriod;
        uint16 quorumBps;
        uint64 proposalDeposit;
        uint48 lateQuorumExtension;
        uint256 timelockDelay;
    }

    uint8 internal constant AGAINST = 0;
    uint8 internal constant FOR = 1;
    uint8 internal constant ABSTAIN = 2;

    /// @dev The time the co-op is deployed at: a realistic clock, far from zero.
    uint256 internal constant DEPLOY_TIME = 1_700_000_000;
    uint256 internal constant DAY = 1 days;
    /// @dev secp256k1 group order: private keys must be in [1, N).
    uint256 private constant _SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    MembershipCard internal card;
    VoiceCredits internal credits;
    MutualGovernor internal governor;
    TimelockController internal timelock;
    CoopConfig internal config;

    /// @dev Every member address the fixture ever admitted, in admission order, and their keys.
    address[] internal memberAddrs;
    uint256[] internal memberKeys;

    uint256 private _proposalNonce;

    /// @notice The defaults of deploy/coop.ts: weekly epochs, 100 credits a week, a 3-day vote, 20% quorum.
    function _defaultConfig() internal pure returns (CoopConfig memory) {
        return
            CoopConfig({
                epochLength: 7 days,
                creditsPerEpoch: 100,
                maxBalance: 400,
                votingDelay: 1 days,
                votingPeriod: 3 days,
                quorumBps: 2000,
                proposalDeposit: 10,
                lateQuorumExtension: 1 days,
                timelockDelay: 2 days
            });
    }

    /// @notice Deploys and wires a co-op at {DEPLOY_TIME}. The test contract keeps every admin power.
    /// @dev Calling it again deploys a fresh co-op and forgets the previous members.
    function _deployCoop(CoopConfig memory cfg) internal {
        vm.warp(DEPLOY_TIME);
        config = cfg;
        delete memberAddrs;
        delete memberKeys;
        card = new MembershipCard("Mutual Co-op", "MUTUAL", address(this));
        credits = new VoiceCredits(
            address(card),
            "Mutual Co-op Voice Credits",
            "VOICE",
            cfg.epochLength,
            cfg.creditsPerEpoch,
            cfg.maxBalance,
            address(this)
        );
        card.bindVoiceCredits(credits);

        address[] memory proposers = new address[](0);
        address[] memory executors = new address[](1);
        executors[0] = address(0);
        timelock = new TimelockController(cfg.timelockDelay, proposers, executors, address(this));

        governor = new MutualGovernor(
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
        credits.setGovernor(address(governor));
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));
    }

    /// @notice Finishes the deploy script's wiring: the timelock owns card and credits; this contract keeps nothing.
    function _handOverToTimelock() internal {
        card.transferOwnership(address(timelock));
        credits.transferOwnership(address(timelock));
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), address(this));
    }

    // ------------------------------------------------------------------------------------------------
    // Members
    // ------------------------------------------------------------------------------------------------

    /// @notice The private key of member number `i` (deterministic, valid for secp256k1).
    function _memberKey(uint256 i) internal pure returns (uint256) {
        return (uint256(keccak256(abi.encode("mutual.member", i))) % (_SECP256K1_N - 1)) + 1;
    }

    /// @notice The address of member number `i`.
    function _memberAddr(uint256 i) internal pure returns (address) {
        return vm.addr(_memberKey(i));
    }

    /// @dev A call from `caller` with `data` to a function the credits do not have: it reverts with no data.
    function _assertNoSuchFunction(address caller, bytes memory data) internal {
        vm.prank(caller);
        (bool ok, bytes memory ret) = address(credits).call(data);
        assertFalse(ok, "no such function");
        assertEq(ret.length, 0, "reverts with no data");
    }

    /// @notice Admits `n` new members now (the test contract must still own the card); returns their addresses.
    function _admitMembers(uint256 n) internal returns (address[] memory admitted) {
        admitted = new address[](n);
        for (uint256 k = 0; k < n; ++k) {
            uint256 i = memberAddrs.length;
            uint256 key = _memberKey(i);
            address account = vm.addr(key);
            card.admit(account);
            memberAddrs.push(account);
            memberKeys.push(key);
            admitted[k] = account;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Proposals and votes
    // ------------------------------------------------------------------------------------------------

    /// @notice The simple proposal: one harmless call (read the member count), no value.
    function _simpleProposal(
        string memory description
    )
        internal
        view
        returns (address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 descriptionHash)
    {
        targets = new address[](1);
        values = new uint256[](1);
        calldatas = new bytes[](1);
        targets[0] = address(card);
        calldatas[0] = abi.encodeCall(IMembershipCard.memberCount, ());
        descriptionHash = keccak256(bytes(description));
    }

    /// @notice `proposer` makes a simple proposal with a fresh description (staking the deposit).
    function _propose(address proposer) internal returns (uint256 proposalId) {
        string memory description = string.concat("Proposal #", Strings.toString(++_proposalNonce));
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas, ) = _simpleProposal(description);
        vm.prank(proposer);
        proposalId = governor.propose(targets, values, calldatas, description);
    }

    /// @notice `proposer` proposes arbitrary calls (for the timelock to execute once passed).
    function _proposeCalls(
        address proposer,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description
    ) internal returns (uint256 proposalId) {
        vm.prank(proposer);
        proposalId = governor.propose(targets, values, calldatas, description);
    }

    /// @notice Queues a passed proposal in the timelock, waits out the delay and executes it.
    function _queueAndExecute(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description
    ) internal {
        bytes32 descriptionHash = keccak256(bytes(description));
        governor.queue(targets, values, calldatas, descriptionHash);
        vm.warp(block.timestamp + timelock.getMinDelay());
        governor.execute(targets, values, calldatas, descriptionHash);
    }

    /// @notice Moves the clock to the first second of the proposal's voting period.
    function _warpIntoVoting(uint256 proposalId) internal {
        vm.warp(governor.proposalSnapshot(proposalId) + 1);
    }

    /// @notice Moves the clock to the first second after the proposal's (possibly extended) deadline.
    function _warpPastDeadline(uint256 proposalId) internal {
        vm.warp(governor.proposalDeadline(proposalId) + 1);
    }

    /// @notice `voter` adds `votes` votes on `support` (abi.encode(votes) params); returns the votes counted.
    function _vote(address voter, uint256 proposalId, uint8 support, uint256 votes) internal returns (uint256) {
        vm.prank(voter);
        return governor.castVoteWithReasonAndParams(proposalId, support, "", abi.encode(votes));
    }

    // ------------------------------------------------------------------------------------------------
    // Signed ballots (Hardhat has no eip712Hash cheatcode: the digest is computed here)
    // ------------------------------------------------------------------------------------------------

    /// @notice The governor's EIP-712 domain separator, computed independently of the governor.
    function _domainSeparator() internal view returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                    keccak256(bytes("Mutual Co-op")),
                    keccak256(bytes("1")),
                    block.chainid,
                    address(governor)
                )
            );
    }

    /// @notice The digest a voter signs for a quadratic ballot.
    function _ballotDigest(IMutualGovernor.Ballot memory b) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "QuadraticBallot(uint256 proposalId,uint8 support,address voter,uint256 votes,uint256 nonce,uint256 deadline,string reason)"
                ),
                b.proposalId,
                b.support,
                b.voter,
                b.votes,
                b.nonce,
                b.deadline,
                keccak256(bytes(b.reason))
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash));
    }

    /// @notice A ballot signed with `key`, for the voter's current nonce on the proposal.
    function _signedBallot(
        uint256 key,
        uint256 proposalId,
        uint8 support,
        uint256 votes
    ) internal view returns (IMutualGovernor.Ballot memory b) {
        address voter = vm.addr(key);
        b = IMutualGovernor.Ballot({
            proposalId: proposalId,
            support: support,
            voter: voter,
            votes: votes,
            nonce: governor.ballotNonce(proposalId, voter),
            deadline: block.timestamp + 1 days,
            reason: "signed",
            signature: ""
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _ballotDigest(b));
        b.signature = abi.encodePacked(r, s, v);
    }
}
