// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IMembershipCard} from "../../contracts/interfaces/IMembershipCard.sol";
import {IMutualGovernor} from "../../contracts/interfaces/IMutualGovernor.sol";
import {MutualGovernor} from "../../contracts/governance/MutualGovernor.sol";
import {VoiceCredits} from "../../contracts/credits/VoiceCredits.sol";
import {MembershipCard} from "../../contracts/membership/MembershipCard.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";
import {Vm} from "../utils/Vm.sol";

/**
 * @notice The invariant runner's handler: owns a whole co-op (deployed with {CoopFixture}, handed over to the
 * timelock exactly as the deploy script does) and exposes the bounded actions that members, governance and an
 * attacker can take. Every action catches the refusals it may meet, so no call of a run is wasted.
 *
 * Alongside the chain it keeps an independent model and ghost counters:
 *
 * - **The model** follows every actor's account with the rule the docs state, applied epoch by epoch
 *   (`b = b >= cap ? b : min(b + perEpoch, cap)` on entering each epoch, under the schedule in force in that
 *   epoch; a new member starts with the epoch's allowance; a vote costs (total votes)² on the proposal; a returned
 *   deposit is bounded by the cap). It also follows membership (member, since, card number) and the schedule.
 *   Before each action it predicts whether the contracts must accept or refuse it; any disagreement is counted
 *   in {surprises}.
 * - **Ghost counters** record what the chain actually did: credits debited by votes, balances forfeited by
 *   leaving members, deposits staked / released / credited back, votes per proposal per member, tallies, cards
 *   issued and burned, executions per proposal and ETH paid by executed proposals.
 *
 * Every address that ever holds a card is one of {ACTORS} actors with a known key (so each can sign ballots):
 * summing over the actors is summing over every member who ever was.
 */
contract CoopHandler is CoopFixture {
    // ------------------------------------------------------------------------------------------------
    // Setup
    // ------------------------------------------------------------------------------------------------

    uint256 public constant ACTORS = 8;
    uint256 public constant FOUNDERS = 5;
    /// @dev Bounds the work of each invariant check (proposals × actors receipts); a run of depth 200 makes ~15.
    uint256 public constant MAX_PROPOSALS = 24;
    uint256 public constant TREASURY = 100 ether;
    /// @notice Where treasury payments go (an address without code).
    address public constant PAYEE = address(uint160(uint256(keccak256("mutual.invariants.payee"))));

    uint8 public constant KIND_NOOP = 0;
    uint8 public constant KIND_PAY = 1;
    uint8 public constant KIND_ADMIT = 2;
    uint8 public constant KIND_EXPEL = 3;
    uint8 public constant KIND_SCHEDULE = 4;
    uint8 public constant KIND_DEPOSIT = 5;
    uint8 public constant KIND_QUORUM = 6;
    uint8 public constant KIND_REASSIGN = 7;
    uint8 internal constant KINDS = 8;

    /// @dev Proposal picking: "any state the action can use" for settleDeposit.
    uint8 internal constant PREFER_SETTLEABLE = 100;

    address[ACTORS] internal _actors;
    uint256[ACTORS] internal _keys;

    // ------------------------------------------------------------------------------------------------
    // Model
    // ------------------------------------------------------------------------------------------------

    /// @dev An actor's account as the rules say it must be.
    struct Account {
        bool member;
        uint48 since;
        uint64 card;
        uint256 balance;
    }

    mapping(address actor => Account) internal _model;

    /// @notice The handler's clock (every action and check runs at this time).
    uint256 public clock;
    /// @notice The issuance schedule in force, as the model sees it.
    uint256 public epochLength;
    uint256 public creditsPerEpoch;
    uint256 public maxBalance;
    /// @notice When the current epoch ends.
    uint256 public nextBoundary;
    /// @dev A schedule set by governance, in force from {nextBoundary}.
    bool internal _pendingSet;
    uint256 internal _pendingLength;
    uint256 internal _pendingPerEpoch;
    uint256 internal _pendingMax;

    // ------------------------------------------------------------------------------------------------
    // Ghosts
    // ------------------------------------------------------------------------------------------------

    /// @notice Credits created: admission allowances plus per-epoch accrual, by the model.
    uint256 public ghostCreated;
    /// @notice Credits debited by accepted votes (balance before − after each vote).
    uint256 public ghostSpent;
    /// @notice Credits zeroed when a member resigned or was expelled (their balance just before leaving).
    uint256 public ghostForfeited;
    /// @notice Credits moved into deposits (heldDeposits increase at each proposal).
    uint256 public ghostStaked;
    /// @notice Deposits settled, returned or burned (heldDeposits decrease at each settlement).
    uint256 public ghostReleased;
    /// @notice The part of released deposits that reached the holder of the proposer's card.
    uint256 public ghostReturned;
    uint256 public ghostCardsIssued;
    uint256 public ghostCardsBurned;
    /// @notice ETH paid out by the treasury through executed proposals.
    uint256 public ghostPaid;

    /// @notice Times the chain disagreed with what the rules predict (accepted what must be refused, or the
    /// reverse, or counted other numbers). {firstSurprise} says what the first one was.
    uint256 public surprises;
    string public firstSurprise;

    /// @dev What the handler knows of a proposal.
    struct Proposal {
        address proposer;
        uint64 proposerCard;
        uint8 kind;
        bool settled;
        uint256 deposit;
        uint256 quorumBps;
        address target;
        uint256 value;
        bytes data;
        bytes32 descriptionHash;
        address subject;
        address subject2;
        uint256 p1;
        uint256 p2;
        uint256 p3;
        uint256 executions;
        uint256 forVotes;
        uint256 againstVotes;
        uint256 forVoters;
        uint256 againstVoters;
        uint256 abstainVoters;
    }

    /// @dev A member's votes on one proposal, as counted by the handler.
    struct VoteGhost {
        uint8 side; // 0: has not voted; else support + 1
        uint256 votes;
        uint256 spent; // credits actually debited
        uint256 count; // accepted votes (the ballot nonce)
    }

    uint256[] public proposalIds;
    mapping(uint256 id => Proposal) internal _proposals;
    mapping(uint256 id => mapping(address voter => VoteGhost)) internal _voteGhosts;

    /// @notice How often each action was accepted or refused (keyed by e.g. "vote.ok").
    mapping(bytes32 what => uint256) public outcomes;

    /// @dev A sandbox copy of the actors' state on one proposal, to predict a batch of ballots in order.
    struct Sim {
        uint256[ACTORS] balance;
        uint256[ACTORS] votes;
        uint8[ACTORS] side;
        uint256[ACTORS] count;
    }

    modifier act() {
        // The runner keeps the block time between calls; re-assert it so the handler never depends on that.
        vm.warp(clock);
        _;
    }

    constructor() {
        _deployCoop(
            CoopConfig({
                epochLength: 1 days,
                creditsPerEpoch: 40,
                maxBalance: 150,
                votingDelay: 1 hours,
                votingPeriod: 1 days,
                quorumBps: 2000,
                proposalDeposit: 10,
                lateQuorumExtension: 3 hours,
                timelockDelay: 6 hours
            })
        );
        clock = block.timestamp;
        epochLength = 1 days;
        creditsPerEpoch = 40;
        maxBalance = 150;
        nextBoundary = clock + epochLength;

        for (uint256 i = 0; i < ACTORS; ++i) {
            _keys[i] = _memberKey(i);
            _actors[i] = vm.addr(_keys[i]);
        }
        for (uint256 i = 0; i < FOUNDERS; ++i) {
            card.admit(_actors[i]);
            _onAdmitted(_actors[i]);
        }
        vm.deal(address(timelock), TREASURY);
        _handOverToTimelock();
    }

    // ------------------------------------------------------------------------------------------------
    // Actions: time and membership
    // ------------------------------------------------------------------------------------------------

    /// @dev The reason of the ballots {_buildBallots} is signing (kept here: the builder is at its stack limit).
    string private _ballotReason;

    /// @notice Moves time forward: to the next epoch boundary, just before it, by up to a day, or (most often) by
    /// up to two hours, so that votes, queues and executions have time to happen in between.
    function warp(uint256 seed) external act {
        // The mode from a hash of the seed: the fuzzer's favourite values (0, 1, max...) would otherwise pick
        // the long jumps far more often than one time in four.
        uint256 mode = uint256(keccak256(abi.encode(seed))) % 8;
        uint256 to;
        if (mode == 0) to = nextBoundary;
        else if (mode == 1) to = nextBoundary - 1;
        else if (mode == 2) to = clock + bound(seed >> 3, 1, 1 days);
        else to = clock + bound(seed >> 3, 1, 2 hours);
        _advanceTo(to);
        _outcome("warp", true);
    }

    /// @notice Moves the clock by exactly `seconds_` (for scripted tests; the runner is given {warp} only).
    function skip(uint256 seconds_) external act {
        _advanceTo(clock + seconds_);
    }

    /// @notice Governance (the timelock) admits an actor.
    function admit(uint256 actorSeed) external act {
        address a = _pickActor(actorSeed, false);
        bool expected = !_model[a].member;
        vm.prank(address(timelock));
        try card.admit(a) returns (uint256 tokenId) {
            _onAdmitted(a);
            _expect(expected, true, "admit", "admit: accepted an admission that must be refused");
            if (tokenId != _model[a].card) _surprise("admit: unexpected card number");
        } catch {
            _expect(expected, false, "admit", "admit: refused a non-member");
        }
    }

    /// @notice An actor resigns alone (must always work for a member).
    function resign(uint256 actorSeed) external act {
        address a = _actor(actorSeed);
        bool expected = _model[a].member;
        uint256 before = credits.balanceOf(a);
        vm.prank(a);
        try card.resign() {
            _onLeft(a, before);
            _expect(expected, true, "resign", "resign: a non-member resigned");
        } catch {
            _expect(expected, false, "resign", "resign: a member could not resign");
        }
    }

    /// @notice Governance (the timelock) expels an actor.
    function expel(uint256 actorSeed) external act {
        address a = _actor(actorSeed);
        bool expected = _model[a].member;
        uint256 before = credits.balanceOf(a);
        vm.prank(address(timelock));
        try card.expel(a, "invariant run") {
            _onLeft(a, before);
            _expect(expected, true, "expel", "expel: a non-member was expelled");
        } catch {
            _expect(expected, false, "expel", "expel: a member could not be expelled");
        }
    }

    /// @notice Governance (the timelock) moves a card to another actor's address.
    function reassign(uint256 fromSeed, uint256 toSeed) external act {
        address from = _actor(fromSeed);
        address to = _pickActor(toSeed, false);
        bool expected = _model[from].member && !_model[to].member;
        vm.prank(address(timelock));
        try card.reassign(from, to) {
            _onReassigned(from, to);
            _expect(expected, true, "reassign", "reassign: accepted a reassignment that must be refused");
        } catch {
            _expect(expected, false, "reassign", "reassign: refused a valid reassignment");
        }
    }

    /// @notice Governance (the timelock) sets a new issuance schedule (sometimes an invalid one).
    function setSchedule(uint256 lengthSeed, uint256 perEpochSeed, uint256 capSeed) external act {
        (uint256 len, uint256 per, uint256 cap) = _schedule(lengthSeed, perEpochSeed, capSeed);
        if (lengthSeed % 16 == 0) len = 0; // invalid
        if (capSeed % 8 == 0) cap = per - 1; // invalid: cap below the allowance
        // A cap below the governor's deposit is refused too: nobody could ever propose again.
        bool expected = len != 0 && cap >= per && cap >= governor.proposalDeposit();
        vm.prank(address(timelock));
        try credits.setSchedule(len, per, cap) {
            _onScheduleSet(len, per, cap);
            _expect(expected, true, "setSchedule", "setSchedule: accepted an invalid schedule");
        } catch {
            _expect(expected, false, "setSchedule", "setSchedule: refused a valid schedule");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Actions: proposals
    // ------------------------------------------------------------------------------------------------

    /// @notice An actor proposes one random action (a no-op, a payment, a membership change, a parameter change).
    function propose(uint256 proposerSeed, uint256 kindSeed, uint256 argSeed) external act {
        if (proposalIds.length >= MAX_PROPOSALS) {
            _outcome("propose.full", true);
            return;
        }
        address proposer = _pickActor(proposerSeed, true);
        Proposal memory p = _randomAction(uint8(kindSeed % KINDS), argSeed);
        p.proposer = proposer;
        p.proposerCard = _model[proposer].card;
        p.deposit = governor.proposalDeposit();
        p.quorumBps = governor.quorumFraction();
        string memory description = string.concat("Invariant proposal #", Strings.toString(proposalIds.length + 1));
        p.descriptionHash = keccak256(bytes(description));

        bool expected = _model[proposer].member && _model[proposer].balance >= p.deposit;
        uint256 heldBefore = credits.heldDeposits();
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _calls(p);
        vm.prank(proposer);
        try governor.propose(targets, values, calldatas, description) returns (uint256 id) {
            _expect(expected, true, "propose", "propose: accepted a proposal that must be refused");
            _proposals[id] = p;
            proposalIds.push(id);
            uint256 staked = _diff(credits.heldDeposits(), heldBefore, "propose: held deposits went down");
            if (staked != p.deposit) _surprise("propose: staked another amount than the deposit");
            ghostStaked += staked;
            _debit(proposer, p.deposit, "propose: model balance below the deposit");
        } catch {
            _expect(expected, false, "propose", "propose: refused a member who can pay the deposit");
        }
    }

    /// @notice An actor votes: a random side, an affordable number of votes, or zero, or one too many.
    function castVote(uint256 voterSeed, uint256 proposalSeed, uint256 supportSeed, uint256 votesSeed) external act {
        (bool found, uint256 id) = _pickProposal(proposalSeed, uint8(IGovernor.ProposalState.Active));
        if (!found) return;
        uint256 snapshot = governor.proposalSnapshot(id);
        address voter = _actors[_pickVoter(voterSeed, snapshot)];
        VoteGhost memory g = _voteGhosts[id][voter];
        uint8 support = _chooseSupport(supportSeed, g.side);
        uint256 votes = _chooseVotes(votesSeed, _model[voter].balance, g.votes);
        bool active = governor.state(id) == IGovernor.ProposalState.Active;
        (string memory refusal, ) = _acceptable(
            support,
            votes,
            g.side,
            g.votes,
            _model[voter].balance,
            _eligible(voter, snapshot),
            active
        );
        bool expected = bytes(refusal).length == 0;
        if (!expected) _outcome(string.concat("castVote.", refusal), false);

        uint256 before = credits.balanceOf(voter);
        vm.prank(voter);
        try governor.castVoteWithReasonAndParams(id, support, "invariant", abi.encode(votes)) returns (
            uint256 counted
        ) {
            _expect(expected, true, "castVote", "castVote: accepted a vote the rules refuse");
            uint256 added = support == 2 ? 0 : votes;
            if (counted != added) _surprise("castVote: returned another vote count");
            uint256 spent = _diff(before, credits.balanceOf(voter), "castVote: a vote raised the balance");
            _recordVote(id, voter, support, added);
            _recordSpend(id, voter, spent);
        } catch {
            _expect(expected, false, "castVote", "castVote: refused a vote the rules accept");
        }
    }

    /// @notice A relayer submits 1-4 signed ballots on one proposal: valid ones, expired, wrong nonce, signed by
    /// someone else, replayed. A bad ballot must be skipped and the rest counted.
    function castBallots(uint256 proposalSeed, uint256 seed, uint256 countSeed) external act {
        (bool found, uint256 id) = _pickProposal(proposalSeed, uint8(IGovernor.ProposalState.Active));
        if (!found) return;
        uint256 n = bound(countSeed, 1, 4);
        (IMutualGovernor.Ballot[] memory ballots, bool[] memory predicted) = _buildBallots(id, seed, n, "relayed");
        uint256[ACTORS] memory before = _balances();
        vm.recordLogs();
        try governor.castBallots(ballots) returns (uint256 counted) {
            _checkBatch("castBallots", id, predicted, before, counted);
        } catch {
            vm.getRecordedLogs();
            _surprise("castBallots: the batch reverted (one bad ballot must not sink the rest)");
        }
    }

    /// @notice The same kinds of ballots, without a reason, in compact form through {castBallotsCompact}: a bad
    /// ballot must be skipped and the rest counted; a proposal that is not open refuses the whole batch.
    function castBallotsCompact(uint256 proposalSeed, uint256 seed, uint256 countSeed) external act {
        (bool found, uint256 id) = _pickProposal(proposalSeed, uint8(IGovernor.ProposalState.Active));
        if (!found) return;
        uint256 n = bound(countSeed, 1, 4);
        (IMutualGovernor.Ballot[] memory ballots, bool[] memory predicted) = _buildBallots(id, seed, n, "");
        IMutualGovernor.CompactBallot[] memory compact = new IMutualGovernor.CompactBallot[](n);
        for (uint256 i = 0; i < n; ++i) compact[i] = _compactOf(ballots[i]);
        bool active = governor.state(id) == IGovernor.ProposalState.Active;
        uint256[ACTORS] memory before = _balances();
        vm.recordLogs();
        try governor.castBallotsCompact(id, compact) returns (uint256 counted) {
            if (!active) _surprise("castBallotsCompact: counted ballots on a proposal that is not open");
            _checkBatch("castBallotsCompact", id, predicted, before, counted);
        } catch (bytes memory err) {
            vm.getRecordedLogs();
            if (active || bytes4(err) != IGovernor.GovernorUnexpectedProposalState.selector) {
                _surprise("castBallotsCompact: the batch reverted on an open proposal, or with another error");
            }
            _outcome("castBallotsCompact", false);
        }
    }

    /// @dev After a batch: every ballot was counted or skipped as predicted, the count returned matches the
    /// events, and every balance change is recorded as a spend.
    function _checkBatch(
        string memory what,
        uint256 id,
        bool[] memory predicted,
        uint256[ACTORS] memory before,
        uint256 counted
    ) internal {
        uint256 n = predicted.length;
        bool[] memory skipped = _readBallotLogs(n);
        uint256 accepted = 0;
        for (uint256 i = 0; i < n; ++i) {
            if (!skipped[i]) ++accepted;
            if (skipped[i] == predicted[i]) {
                _surprise(
                    string.concat(
                        what,
                        ": ballot ",
                        Strings.toString(i),
                        predicted[i] ? " skipped although valid" : " counted although invalid"
                    )
                );
            }
        }
        if (counted != accepted) _surprise(string.concat(what, ": returned another count than the events"));
        for (uint256 i = 0; i < ACTORS; ++i) {
            uint256 spent = _diff(before[i], credits.balanceOf(_actors[i]), string.concat(what, ": a balance went up"));
            if (spent != 0) _recordSpend(id, _actors[i], spent);
        }
        _outcome(what, true);
    }

    function _balances() internal view returns (uint256[ACTORS] memory balances) {
        for (uint256 i = 0; i < ACTORS; ++i) balances[i] = credits.balanceOf(_actors[i]);
    }

    /// @dev `b` in the form of {IMutualGovernor.CompactBallot} (its nonce and reason are left out: the governor
    /// uses the voter's current nonce and an empty reason).
    function _compactOf(IMutualGovernor.Ballot memory b) internal pure returns (IMutualGovernor.CompactBallot memory) {
        bytes memory sig = b.signature;
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
        uint256 head = uint256(uint160(b.voter)) | (uint256(b.support) << 160) | (b.votes << 168) | (b.deadline << 192);
        return
            IMutualGovernor.CompactBallot({
                head: bytes32(head),
                r: r,
                vs: bytes32(uint256(s) | (uint256(v - 27) << 255))
            });
    }

    /// @notice Someone tries to cancel a proposal: its proposer one time in four (so most proposals live on),
    /// otherwise another actor, which must be refused.
    function cancel(uint256 proposalSeed, uint256 callerSeed) external act {
        (bool found, uint256 id) = _pickProposal(proposalSeed, uint8(IGovernor.ProposalState.Pending));
        if (!found) return;
        Proposal storage p = _proposals[id];
        address caller = callerSeed % 4 == 0 ? p.proposer : _actor(callerSeed >> 2);
        bool expected = governor.state(id) == IGovernor.ProposalState.Pending && caller == p.proposer;
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _calls(p);
        vm.prank(caller);
        try governor.cancel(targets, values, calldatas, p.descriptionHash) {
            _expect(expected, true, "cancel", "cancel: accepted a cancellation that must be refused");
        } catch {
            _expect(expected, false, "cancel", "cancel: the proposer could not cancel a pending proposal");
        }
    }

    /// @notice Anyone settles a proposal's deposit (also too early and twice, which must be refused).
    function settleDeposit(uint256 proposalSeed) external act {
        (bool found, uint256 id) = _pickProposal(proposalSeed, PREFER_SETTLEABLE);
        if (!found) return;
        Proposal storage p = _proposals[id];
        IGovernor.ProposalState s = governor.state(id);
        bool expected = s != IGovernor.ProposalState.Pending && s != IGovernor.ProposalState.Active && !p.settled;
        (bool returnedPredicted, address holder, uint256 creditedPredicted) = _predictSettlement(id);

        uint256 heldBefore = credits.heldDeposits();
        uint256 holderBefore = holder == address(0) ? 0 : credits.balanceOf(holder);
        try governor.settleDeposit(id) returns (bool returned) {
            _expect(expected, true, "settleDeposit", "settleDeposit: settled a deposit that must not be settled now");
            p.settled = true;
            uint256 released = _diff(heldBefore, credits.heldDeposits(), "settleDeposit: held deposits went up");
            uint256 credited =
                holder == address(0)
                    ? 0
                    : _diff(credits.balanceOf(holder), holderBefore, "settleDeposit: the holder lost credits");
            ghostReleased += released;
            ghostReturned += credited;
            if (released != p.deposit) _surprise("settleDeposit: released another amount than the deposit");
            if (returned != returnedPredicted) _surprise("settleDeposit: returned/burned against the rule");
            if (credited != creditedPredicted) _surprise("settleDeposit: credited another amount than the cap allows");
            if (holder != address(0)) _model[holder].balance += creditedPredicted;
        } catch {
            _expect(expected, false, "settleDeposit", "settleDeposit: refused a settleable deposit");
        }
    }

    /// @notice Anyone queues a proposal.
    function queue(uint256 proposalSeed) external act {
        (bool found, uint256 id) = _pickProposal(proposalSeed, uint8(IGovernor.ProposalState.Succeeded));
        if (!found) return;
        Proposal storage p = _proposals[id];
        bool expected = governor.state(id) == IGovernor.ProposalState.Succeeded;
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _calls(p);
        try governor.queue(targets, values, calldatas, p.descriptionHash) {
            _expect(expected, true, "queue", "queue: queued a proposal that did not succeed");
        } catch {
            _expect(expected, false, "queue", "queue: refused a succeeded proposal");
        }
    }

    /// @notice Anyone executes a proposal through the governor (also too early, and again).
    function execute(uint256 proposalSeed) external act {
        (bool found, uint256 id) = _pickProposal(proposalSeed, uint8(IGovernor.ProposalState.Queued));
        if (!found) return;
        Proposal storage p = _proposals[id];
        bool expected = _ready(id) && _callWouldSucceed(p, true);
        uint256 victimBefore = p.kind == KIND_EXPEL ? credits.balanceOf(p.subject) : 0;
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _calls(p);
        try governor.execute(targets, values, calldatas, p.descriptionHash) {
            _onExecuted(p, victimBefore);
            _expect(expected, true, "execute", "execute: executed a proposal that must not execute");
        } catch {
            _expect(expected, false, "execute", "execute: a ready proposal failed to execute");
        }
    }

    /// @notice An attacker executes a queued operation straight on the timelock (anyone may execute there):
    /// it must not let a proposal run twice, nor run governance-only calls without the governor.
    function executeViaTimelock(uint256 proposalSeed) external act {
        (bool found, uint256 id) = _pickProposal(proposalSeed, uint8(IGovernor.ProposalState.Queued));
        if (!found) return;
        Proposal storage p = _proposals[id];
        bool expected = _ready(id) && _callWouldSucceed(p, false);
        uint256 victimBefore = p.kind == KIND_EXPEL ? credits.balanceOf(p.subject) : 0;
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _calls(p);
        bytes32 salt = bytes20(address(governor)) ^ p.descriptionHash;
        try timelock.executeBatch(targets, values, calldatas, bytes32(0), salt) {
            _onExecuted(p, victimBefore);
            _expect(
                expected,
                true,
                "executeViaTimelock",
                "executeViaTimelock: executed an operation that must not execute"
            );
        } catch {
            _expect(expected, false, "executeViaTimelock", "executeViaTimelock: a ready operation failed to execute");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Views for the invariants
    // ------------------------------------------------------------------------------------------------

    function coop() external view returns (MembershipCard, VoiceCredits, MutualGovernor, TimelockController) {
        return (card, credits, governor, timelock);
    }

    function actorAt(uint256 i) external view returns (address) {
        return _actors[i];
    }

    function modelOf(
        address actor
    ) external view returns (bool member, uint256 since, uint256 cardId, uint256 balance) {
        Account memory a = _model[actor];
        return (a.member, a.since, a.card, a.balance);
    }

    function proposalCount() external view returns (uint256) {
        return proposalIds.length;
    }

    /// @notice Votes and voters per side as the handler counted them.
    function ghostTally(
        uint256 id
    )
        external
        view
        returns (
            uint256 forVotes,
            uint256 againstVotes,
            uint256 forVoters,
            uint256 againstVoters,
            uint256 abstainVoters
        )
    {
        Proposal storage p = _proposals[id];
        return (p.forVotes, p.againstVotes, p.forVoters, p.againstVoters, p.abstainVoters);
    }

    /// @notice Executions seen, the kind of action, and what it pays.
    function ghostExecution(uint256 id) external view returns (uint256 executions, uint8 kind, uint256 value) {
        Proposal storage p = _proposals[id];
        return (p.executions, p.kind, p.value);
    }

    function voteGhost(
        uint256 id,
        address voter
    ) external view returns (bool voted, uint8 support, uint256 votes, uint256 spent, uint256 count) {
        VoteGhost memory g = _voteGhosts[id][voter];
        return (g.side != 0, g.side == 0 ? 0 : g.side - 1, g.votes, g.spent, g.count);
    }

    function outcome(string calldata what) external view returns (uint256) {
        return outcomes[keccak256(bytes(what))];
    }

    // ------------------------------------------------------------------------------------------------
    // Model updates
    // ------------------------------------------------------------------------------------------------

    /// @dev Moves the clock to `to`, applying the accrual rule once per epoch boundary crossed.
    function _advanceTo(uint256 to) internal {
        while (nextBoundary <= to) {
            if (_pendingSet) {
                epochLength = _pendingLength;
                creditsPerEpoch = _pendingPerEpoch;
                maxBalance = _pendingMax;
                _pendingSet = false;
            }
            for (uint256 i = 0; i < ACTORS; ++i) {
                Account storage a = _model[_actors[i]];
                if (!a.member) continue;
                uint256 b = a.balance;
                uint256 next = b >= maxBalance ? b : Math.min(b + creditsPerEpoch, maxBalance);
                ghostCreated += next - b;
                a.balance = next;
            }
            nextBoundary += epochLength;
        }
        clock = to;
        vm.warp(to);
    }

    function _onAdmitted(address a) internal {
        Account storage m = _model[a];
        m.member = true;
        m.since = uint48(clock);
        m.card = uint64(++ghostCardsIssued);
        m.balance = Math.min(creditsPerEpoch, maxBalance);
        ghostCreated += m.balance;
    }

    function _onLeft(address a, uint256 observedBalance) internal {
        ghostForfeited += observedBalance;
        ++ghostCardsBurned;
        delete _model[a];
    }

    function _onReassigned(address from, address to) internal {
        Account memory f = _model[from];
        delete _model[from];
        _model[to] = Account({member: true, since: uint48(clock), card: f.card, balance: f.balance});
    }

    /// @dev The model's cap in force, or the pending one if lower (what a deposit must not exceed).
    function _lowestCap() internal view returns (uint256) {
        return _pendingSet && _pendingMax < maxBalance ? _pendingMax : maxBalance;
    }

    function _onScheduleSet(uint256 len, uint256 per, uint256 cap) internal {
        // In force from the next epoch boundary; a second change in the same epoch replaces the first.
        _pendingSet = true;
        _pendingLength = len;
        _pendingPerEpoch = per;
        _pendingMax = cap;
    }

    function _onExecuted(Proposal storage p, uint256 victimBefore) internal {
        ++p.executions;
        uint8 kind = p.kind;
        if (kind == KIND_PAY) ghostPaid += p.value;
        else if (kind == KIND_ADMIT) _onAdmitted(p.subject);
        else if (kind == KIND_EXPEL) _onLeft(p.subject, victimBefore);
        else if (kind == KIND_SCHEDULE) _onScheduleSet(p.p1, p.p2, p.p3);
        else if (kind == KIND_REASSIGN) _onReassigned(p.subject, p.subject2);
    }

    function _recordVote(uint256 id, address voter, uint8 support, uint256 votes) internal {
        VoteGhost storage g = _voteGhosts[id][voter];
        Proposal storage p = _proposals[id];
        if (g.side == 0) {
            g.side = support + 1;
            if (support == 1) ++p.forVoters;
            else if (support == 0) ++p.againstVoters;
            else ++p.abstainVoters;
        }
        if (support == 1) p.forVotes += votes;
        else if (support == 0) p.againstVotes += votes;
        uint256 cost = (g.votes + votes) ** 2 - g.votes ** 2;
        g.votes += votes;
        ++g.count;
        _debit(voter, cost, "vote: the model cannot pay the quadratic cost");
        _outcome(support == 2 ? "abstain" : "vote", true);
    }

    function _recordSpend(uint256 id, address voter, uint256 spent) internal {
        _voteGhosts[id][voter].spent += spent;
        ghostSpent += spent;
    }

    function _debit(address actor, uint256 amount, string memory what) internal {
        Account storage a = _model[actor];
        if (a.balance < amount) {
            _surprise(what);
            a.balance = 0;
        } else {
            a.balance -= amount;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Predictions
    // ------------------------------------------------------------------------------------------------

    /// @dev Why a vote must be refused, by the rules of docs/governance.md ("" when it must be accepted), and
    /// what it costs.
    function _acceptable(
        uint8 support,
        uint256 votes,
        uint8 side,
        uint256 previousVotes,
        uint256 balance,
        bool eligible,
        bool active
    ) internal pure returns (string memory refusal, uint256 cost) {
        if (!active) return ("notActive", 0);
        if (support > 2) return ("invalidSupport", 0);
        if (side != 0) {
            if (side - 1 != support) return ("switchedSides", 0);
            if (support == 2) return ("alreadyAbstained", 0);
        }
        if (support != 2) {
            if (votes == 0) return ("zeroVotes", 0);
            if (votes > type(uint24).max - previousVotes) return ("tooManyVotes", 0);
            cost = (previousVotes + votes) ** 2 - previousVotes ** 2;
        }
        if (!eligible) return ("notEligible", 0);
        if (balance < cost) return ("insufficientCredits", 0);
        return ("", cost);
    }

    /// @dev A member continuously since at or before the snapshot.
    function _eligible(address voter, uint256 snapshot) internal view returns (bool) {
        Account storage a = _model[voter];
        return a.member && a.since <= snapshot;
    }

    /// @dev A side: for half the time, against or abstain a quarter each; a member who voted already keeps to
    /// their side three times in four (and otherwise tries to switch or abstain again, which must be refused).
    function _chooseSupport(uint256 seed, uint8 side) internal pure returns (uint8) {
        if (side != 0 && seed % 4 != 0) return side - 1;
        uint256 s = (seed >> 2) % 4;
        return s == 3 ? 1 : uint8(s);
    }

    /// @dev Votes to add: usually affordable, sometimes zero, sometimes one more than the balance pays for.
    function _chooseVotes(uint256 seed, uint256 balance, uint256 previous) internal pure returns (uint256) {
        uint256 affordable = Math.sqrt(balance + previous * previous) - previous;
        uint256 mode = seed % 8;
        if (mode == 0) return 0;
        if (mode == 1) return affordable + 1;
        return bound(seed >> 3, 1, affordable == 0 ? 1 : affordable);
    }

    function _predictSettlement(uint256 id) internal view returns (bool returned, address holder, uint256 credited) {
        Proposal storage p = _proposals[id];
        uint256 voters = p.forVoters + p.againstVoters + p.abstainVoters;
        bool quorum = false;
        if (voters > 0) {
            uint256 members = card.memberCountAt(governor.proposalSnapshot(id));
            uint256 needed = (members * p.quorumBps + 9_999) / 10_000;
            quorum = voters >= (needed == 0 ? 1 : needed);
        }
        returned = quorum && p.againstVotes < 2 * p.forVotes;
        holder = _holderOf(p.proposerCard);
        if (returned && holder != address(0)) {
            uint256 balance = _model[holder].balance;
            if (balance < maxBalance) credited = Math.min(p.deposit, maxBalance - balance);
        }
    }

    function _holderOf(uint64 cardId) internal view returns (address) {
        for (uint256 i = 0; i < ACTORS; ++i) {
            Account storage a = _model[_actors[i]];
            if (a.member && a.card == cardId) return _actors[i];
        }
        return address(0);
    }

    /// @dev Queued in the timelock and its delay is over.
    function _ready(uint256 id) internal view returns (bool) {
        return governor.state(id) == IGovernor.ProposalState.Queued && governor.proposalEta(id) <= clock;
    }

    /// @dev Whether the proposal's call succeeds now. Governance-only calls on the governor need the governor.
    function _callWouldSucceed(Proposal storage p, bool viaGovernor) internal view returns (bool) {
        uint8 kind = p.kind;
        if (kind == KIND_PAY) return address(timelock).balance >= p.value;
        if (kind == KIND_ADMIT) return !_model[p.subject].member;
        if (kind == KIND_EXPEL) return _model[p.subject].member;
        if (kind == KIND_DEPOSIT) return viaGovernor && p.p1 <= _lowestCap();
        if (kind == KIND_QUORUM) return viaGovernor;
        if (kind == KIND_SCHEDULE) return p.p3 >= governor.proposalDeposit();
        if (kind == KIND_REASSIGN) return _model[p.subject].member && !_model[p.subject2].member;
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // Signed ballots
    // ------------------------------------------------------------------------------------------------

    function _buildBallots(
        uint256 id,
        uint256 seed,
        uint256 n,
        string memory reason
    ) internal returns (IMutualGovernor.Ballot[] memory ballots, bool[] memory predicted) {
        _ballotReason = reason;
        ballots = new IMutualGovernor.Ballot[](n);
        predicted = new bool[](n);
        bool[] memory validSignature = new bool[](n);
        uint256[] memory voterIndex = new uint256[](n);
        Sim memory sim = _simulation(id);
        bool active = governor.state(id) == IGovernor.ProposalState.Active;
        uint256 snapshot = governor.proposalSnapshot(id);

        for (uint256 i = 0; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 kind = (r >> 200) % 16;
            if (kind == 3 && i > 0) {
                // Replay of the previous ballot, signature and all.
                ballots[i] = ballots[i - 1];
                validSignature[i] = validSignature[i - 1];
                voterIndex[i] = voterIndex[i - 1];
            } else {
                uint256 v = _pickVoter(r, snapshot);
                voterIndex[i] = v;
                validSignature[i] = kind != 2;
                ballots[i] = _signedBallotFor(id, v, r, kind, sim);
            }
            predicted[i] = _simulateBallot(sim, ballots[i], voterIndex[i], validSignature[i], active, snapshot);
        }
        if (n > 0 && governor.ballotDigest(ballots[0]) != _ballotDigest(ballots[0])) {
            _surprise("castBallots: the governor's digest differs from EIP-712 computed independently");
        }
    }

    /// @dev Kinds: 0 expired, 1 wrong nonce, 2 signed by another actor's key, (3 replays the previous ballot),
    /// anything else (12 in 16) well-formed.
    function _signedBallotFor(
        uint256 id,
        uint256 v,
        uint256 r,
        uint256 kind,
        Sim memory sim
    ) internal view returns (IMutualGovernor.Ballot memory b) {
        b = IMutualGovernor.Ballot({
            proposalId: id,
            support: _chooseSupport(r >> 8, sim.side[v]),
            voter: _actors[v],
            votes: _chooseVotes(r >> 16, sim.balance[v], sim.votes[v]),
            nonce: sim.count[v] + (kind == 1 ? 1 : 0),
            deadline: kind == 0 ? clock - 1 : clock + 1 hours,
            reason: _ballotReason,
            signature: ""
        });
        uint256 key = kind == 2 ? _keys[(v + 1) % ACTORS] : _keys[v];
        (uint8 sv, bytes32 sr, bytes32 ss) = vm.sign(key, _ballotDigest(b));
        b.signature = abi.encodePacked(sr, ss, sv);
    }

    function _simulation(uint256 id) internal view returns (Sim memory sim) {
        for (uint256 i = 0; i < ACTORS; ++i) {
            VoteGhost storage g = _voteGhosts[id][_actors[i]];
            sim.balance[i] = _model[_actors[i]].balance;
            sim.votes[i] = g.votes;
            sim.side[i] = g.side;
            sim.count[i] = g.count;
        }
    }

    /// @dev Predicts one ballot of a batch in order, updating the sandbox when it must count.
    function _simulateBallot(
        Sim memory sim,
        IMutualGovernor.Ballot memory b,
        uint256 v,
        bool validSignature,
        bool active,
        uint256 snapshot
    ) internal view returns (bool ok) {
        if (b.deadline < clock || b.nonce != sim.count[v] || !validSignature) return false;
        (string memory refusal, uint256 cost) = _acceptable(
            b.support,
            b.votes,
            sim.side[v],
            sim.votes[v],
            sim.balance[v],
            _eligible(b.voter, snapshot),
            active
        );
        if (bytes(refusal).length != 0) return false;
        ok = true;
        sim.balance[v] -= cost;
        if (b.support != 2) sim.votes[v] += b.votes;
        sim.side[v] = b.support + 1;
        ++sim.count[v];
    }

    /// @dev Reads the batch's events: records every counted vote, returns which ballots were skipped.
    function _readBallotLogs(uint256 n) internal returns (bool[] memory skipped) {
        skipped = new bool[](n);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter != address(governor) || log.topics.length == 0) continue;
            if (log.topics[0] == IMutualGovernor.BallotSkipped.selector) {
                uint256 index = uint256(log.topics[1]);
                if (index < n) skipped[index] = true;
                _outcome("ballot", false);
            } else if (log.topics[0] == IGovernor.VoteCast.selector) {
                address voter = address(uint160(uint256(log.topics[1])));
                (uint256 id, uint8 support, uint256 weight, ) = abi.decode(log.data, (uint256, uint8, uint256, string));
                _recordVote(id, voter, support, weight);
                _outcome("ballot", true);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % ACTORS];
    }

    /**
     * @dev Three times in four, the index of the first actor (from a seeded start) who may vote on a proposal with
     * this snapshot; otherwise, or when there is none, any actor (who may be a newcomer, a former member...).
     */
    function _pickVoter(uint256 seed, uint256 snapshot) internal view returns (uint256) {
        uint256 start = (seed >> 2) % ACTORS;
        if (seed % 4 != 0) {
            for (uint256 k = 0; k < ACTORS; ++k) {
                uint256 candidate = (start + k) % ACTORS;
                if (_eligible(_actors[candidate], snapshot)) return candidate;
            }
        }
        return start;
    }

    /**
     * @dev Three times in four, the first actor (from a seeded start) who is a member (`member`) or is not one;
     * otherwise, or when there is none, any actor. Keeps actions productive while refusals still happen.
     */
    function _pickActor(uint256 seed, bool member) internal view returns (address) {
        uint256 start = (seed >> 2) % ACTORS;
        if (seed % 4 != 0) {
            for (uint256 k = 0; k < ACTORS; ++k) {
                address candidate = _actors[(start + k) % ACTORS];
                if (_model[candidate].member == member) return candidate;
            }
        }
        return _actors[start];
    }

    function _schedule(
        uint256 lengthSeed,
        uint256 perEpochSeed,
        uint256 capSeed
    ) internal pure returns (uint256 len, uint256 per, uint256 cap) {
        len = bound(lengthSeed, 1 hours, 2 days);
        per = bound(perEpochSeed, 1, 60);
        cap = per + bound(capSeed >> 3, 0, 200);
    }

    /// @dev The action a proposal carries, with what executing it changes.
    function _randomAction(uint8 kind, uint256 argSeed) internal view returns (Proposal memory p) {
        p.kind = kind;
        if (kind == KIND_NOOP) {
            p.target = address(card);
            p.data = abi.encodeCall(IMembershipCard.memberCount, ());
        } else if (kind == KIND_PAY) {
            p.target = PAYEE;
            p.value = bound(argSeed, 1, 1 ether);
        } else if (kind == KIND_ADMIT) {
            p.subject = _actor(argSeed);
            p.target = address(card);
            p.data = abi.encodeCall(IMembershipCard.admit, (p.subject));
        } else if (kind == KIND_EXPEL) {
            p.subject = _actor(argSeed);
            p.target = address(card);
            p.data = abi.encodeCall(IMembershipCard.expel, (p.subject, "by vote"));
        } else if (kind == KIND_SCHEDULE) {
            (p.p1, p.p2, p.p3) = _schedule(argSeed, argSeed >> 64, argSeed >> 128);
            p.target = address(credits);
            p.data = abi.encodeCall(VoiceCredits.setSchedule, (p.p1, p.p2, p.p3));
        } else if (kind == KIND_DEPOSIT) {
            p.target = address(governor);
            p.p1 = bound(argSeed, 0, 25);
            p.data = abi.encodeCall(MutualGovernor.setProposalDeposit, (uint64(p.p1)));
        } else if (kind == KIND_QUORUM) {
            p.target = address(governor);
            p.data = abi.encodeCall(MutualGovernor.setQuorumFraction, (uint16(bound(argSeed, 500, 6000))));
        } else {
            p.subject = _actor(argSeed);
            p.subject2 = _actor(argSeed >> 8);
            p.target = address(card);
            p.data = abi.encodeCall(IMembershipCard.reassign, (p.subject, p.subject2));
        }
    }

    function _calls(
        Proposal memory p
    ) internal pure returns (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) {
        targets = new address[](1);
        values = new uint256[](1);
        calldatas = new bytes[](1);
        targets[0] = p.target;
        values[0] = p.value;
        calldatas[0] = p.data;
    }

    /**
     * @dev Picks a proposal. Three times in four, the first (from a seeded start) in the state the action can
     * use (so runs are not wasted); otherwise, or when none is, a seeded one in whatever state (so refusals
     * happen: voting too early or too late, executing twice, settling twice...).
     */
    function _pickProposal(uint256 seed, uint8 preferred) internal view returns (bool found, uint256 id) {
        uint256 n = proposalIds.length;
        if (n == 0) return (false, 0);
        uint256 start = (seed >> 2) % n;
        if (seed % 4 != 0) {
            for (uint256 k = 0; k < n; ++k) {
                uint256 candidate = proposalIds[(start + k) % n];
                IGovernor.ProposalState s = governor.state(candidate);
                bool matches =
                    preferred == PREFER_SETTLEABLE
                        ? (s != IGovernor.ProposalState.Pending &&
                            s != IGovernor.ProposalState.Active &&
                            !_proposals[candidate].settled)
                        : uint8(s) == preferred;
                if (matches) return (true, candidate);
            }
        }
        return (true, proposalIds[start]);
    }

    /// @dev `a - b`, or a surprise (and 0) when `b > a`.
    function _diff(uint256 a, uint256 b, string memory what) internal returns (uint256) {
        if (b > a) {
            _surprise(what);
            return 0;
        }
        return a - b;
    }

    function _expect(bool expected, bool happened, string memory action, string memory what) internal {
        if (expected != happened) _surprise(what);
        _outcome(action, happened);
    }

    /// @dev Counts "<action>.ok" or "<action>.refused".
    function _outcome(string memory action, bool accepted) internal {
        ++outcomes[keccak256(bytes(string.concat(action, accepted ? ".ok" : ".refused")))];
    }

    function _surprise(string memory what) internal {
        if (surprises == 0) firstSurprise = what;
        ++surprises;
    }
}
