// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IVoiceCredits} from "../../contracts/interfaces/IVoiceCredits.sol";
import {IMutualGovernor} from "../../contracts/interfaces/IMutualGovernor.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";
import {Vm} from "../utils/Vm.sol";

/**
 * @notice Shared set-up for the credit scenarios: a small co-op with daily epochs, a low cap that deposits and
 * accrual both run into, and helpers that drive proposals, votes and settlements from random seeds.
 */
abstract contract CreditsScenarioBase is CoopFixture {
    uint256 internal constant EPOCH = 1 days;
    uint256 internal constant PER_EPOCH = 100;
    uint256 internal constant CAP = 250;
    uint64 internal constant DEPOSIT = 30;
    uint256 internal constant MEMBERS = 3;
    uint256 internal constant MAX_STEPS = 12;

    /// @dev Every proposal made in the scenario, oldest first, and the next one whose deposit is unsettled.
    uint256[] internal proposals;
    uint256 internal nextToSettle;

    function setUp() public virtual {
        _deployCoop(
            CoopFixture.CoopConfig({
                epochLength: EPOCH,
                creditsPerEpoch: PER_EPOCH,
                maxBalance: CAP,
                votingDelay: 1 hours,
                votingPeriod: 1 days,
                quorumBps: 2000, // ⌈3 × 20%⌉ = 1 member
                proposalDeposit: DEPOSIT,
                lateQuorumExtension: 1 hours,
                timelockDelay: 2 days
            })
        );
        _admitMembers(MEMBERS);
    }

    /// @dev The epoch at the current time under the fixed schedule set at deployment.
    function _epochNow() internal view returns (uint256) {
        return (block.timestamp - DEPLOY_TIME) / EPOCH;
    }

    /// @dev Warps `k` whole epochs (0..4) and a random part of one more.
    function _warpEpochs(uint256 x) internal {
        vm.warp(block.timestamp + (x % 5) * EPOCH + ((x >> 8) % EPOCH));
    }

    /// @dev `proposer` proposes if they can pay the deposit; otherwise checks the exact refusal and that the
    /// balance did not move. Returns the proposal id, or 0 when refused.
    function _tryPropose(address proposer) internal returns (uint256 pid) {
        uint256 balance = credits.balanceOf(proposer);
        if (balance < DEPOSIT) {
            vm.expectRevert(
                abi.encodeWithSelector(IVoiceCredits.InsufficientCredits.selector, proposer, DEPOSIT, balance)
            );
            _propose(proposer);
            assertEq(credits.balanceOf(proposer), balance, "refused proposal moved credits");
            return 0;
        }
        pid = _propose(proposer);
        proposals.push(pid);
    }

    /// @dev The newest proposal if it is still pending or open for votes, else 0.
    function _newestOpenProposal() internal view returns (uint256 pid) {
        if (proposals.length == 0) return 0;
        pid = proposals[proposals.length - 1];
        IGovernor.ProposalState s = governor.state(pid);
        if (s != IGovernor.ProposalState.Active && s != IGovernor.ProposalState.Pending) return 0;
    }

    /// @dev Warps into the vote of `pid` if it is still pending.
    function _ensureVoting(uint256 pid) internal {
        if (governor.state(pid) == IGovernor.ProposalState.Pending) _warpIntoVoting(pid);
    }

    /// @dev The most votes `voter` can add to `previous` with `balance` credits: ⌊√(balance + previous²)⌋ − previous.
    function _maxTopUp(uint256 balance, uint256 previous) internal pure returns (uint256) {
        uint256 budget = balance + previous * previous;
        uint256 r = previous;
        while ((r + 1) * (r + 1) <= budget) ++r;
        return r - previous;
    }

    /// @dev `voter` adds an affordable number of votes on `pid`, on the side they already took or (mostly) For.
    /// Returns the credits paid, the votes added and the side; nothing is added when the voter cannot pay one vote.
    function _voteAffordably(
        address voter,
        uint256 pid,
        uint256 x
    ) internal returns (uint256 paid, uint256 added, uint8 side) {
        (bool voted, uint8 previousSide, uint256 previous, ) = governor.receiptOf(pid, voter);
        side = voted ? previousSide : (x % 4 == 0 ? AGAINST : FOR);
        // Only a member since the snapshot may vote (checked elsewhere); skip the others here.
        (, , uint256 since, ) = credits.accountOf(voter);
        if (since == 0 || since > governor.proposalSnapshot(pid)) return (0, 0, side);
        uint256 maxAdd = _maxTopUp(credits.balanceOf(voter), previous);
        if (maxAdd == 0) return (0, 0, side);
        added = bound(x >> 8, 1, maxAdd > 10 ? 10 : maxAdd);
        uint256 before = credits.balanceOf(voter);
        _vote(voter, pid, side, added);
        paid = (previous + added) * (previous + added) - previous * previous;
        assertEq(before - credits.balanceOf(voter), paid, "a vote costs its marginal quadratic cost");
    }

    /// @dev Settles the oldest unsettled deposit, warping past its deadline if needed.
    /// Returns the proposal id (0 if none) and the `credited` of the ProposalDepositSettled event.
    function _settleOldest() internal returns (uint256 pid, bool returned, uint256 credited) {
        if (nextToSettle == proposals.length) return (0, false, 0);
        pid = proposals[nextToSettle++];
        IGovernor.ProposalState s = governor.state(pid);
        if (s == IGovernor.ProposalState.Pending || s == IGovernor.ProposalState.Active) _warpPastDeadline(pid);
        (, , , uint256 proposerCard) = governor.proposalTerms(pid);
        // The deposit follows the proposer's card (to a new key if it was reassigned).
        bool proposerStillMember = card.holderOf(proposerCard) != address(0);
        vm.recordLogs();
        returned = governor.settleDeposit(pid);
        credited = _creditedFromLogs(pid, returned, proposerStillMember);
    }

    /// @dev Reads `credited` from the governor's ProposalDepositSettled event and cross-checks the ledger's
    /// DepositReturned / DepositBurned events, as an auditor replaying events would.
    function _creditedFromLogs(
        uint256 pid,
        bool returned,
        bool proposerStillMember
    ) private returns (uint256 credited) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool seenSettled;
        bool seenReturned;
        bool seenBurned;
        uint256 ledgerCredited;
        for (uint256 i = 0; i < logs.length; ++i) {
            bytes32 topic = logs[i].topics[0];
            if (logs[i].emitter == address(governor) && topic == IMutualGovernor.ProposalDepositSettled.selector) {
                assertEq(uint256(logs[i].topics[1]), pid, "settled event: proposal");
                (uint256 amount, bool evReturned, uint256 evCredited) = abi.decode(
                    logs[i].data,
                    (uint256, bool, uint256)
                );
                assertEq(amount, DEPOSIT, "settled event: amount");
                assertEq(evReturned, returned, "settled event: returned");
                credited = evCredited;
                seenSettled = true;
            } else if (logs[i].emitter == address(credits) && topic == IVoiceCredits.DepositReturned.selector) {
                (, uint256 amount, uint256 evCredited) = abi.decode(logs[i].data, (uint256, uint256, uint256));
                assertEq(amount, DEPOSIT, "returned event: amount");
                ledgerCredited = evCredited;
                seenReturned = true;
            } else if (logs[i].emitter == address(credits) && topic == IVoiceCredits.DepositBurned.selector) {
                assertEq(abi.decode(logs[i].data, (uint256)), DEPOSIT, "burned event: amount");
                seenBurned = true;
            }
        }
        assertTrue(seenSettled, "ProposalDepositSettled emitted");
        bool toProposer = returned && proposerStillMember;
        assertEq(seenReturned, toProposer, "DepositReturned emitted iff returned to a member");
        assertEq(seenBurned, !toProposer, "DepositBurned emitted iff not returned to a member");
        if (toProposer) assertEq(ledgerCredited, credited, "ledger and governor agree on credited");
        else assertEq(credited, 0, "nothing credited when burned");
        assertLe(credited, DEPOSIT, "credited at most the deposit");
    }
}

/// @notice Cap and bookkeeping over random sequences of warps, votes, proposals and settlements.
contract VoiceCreditsScenarioTest is CreditsScenarioBase {
    /// @dev A step-by-step model of each member: balance, and the credits accrual really added (after the cap).
    uint256[MEMBERS] internal modelBalance;
    uint256[MEMBERS] internal modelAccrued;
    uint256[MEMBERS] internal creditedFromEvents;
    uint256 internal modelEpoch;

    /// @dev Votes per proposal, for the model's own verdict on a deposit.
    mapping(uint256 pid => uint256) internal forVotes;
    mapping(uint256 pid => uint256) internal againstVotes;
    mapping(uint256 pid => uint256) internal voters;
    mapping(uint256 pid => uint256) internal proposerIndex;
    mapping(uint256 pid => bool) internal recorded;

    function setUp() public override {
        super.setUp();
        for (uint256 i = 0; i < MEMBERS; ++i) {
            modelBalance[i] = PER_EPOCH; // the opening allowance
            modelAccrued[i] = PER_EPOCH;
        }
    }

    /// No balance ever exceeds maxBalance, whatever the sequence of warps, votes, proposals and returned deposits.
    function testFuzz_balanceNeverExceedsMaxBalance(uint256 steps, uint256[MAX_STEPS] memory seeds) public {
        steps = bound(steps, 1, MAX_STEPS);
        for (uint256 i = 0; i < steps; ++i) {
            _step(seeds[i]);
            for (uint256 m = 0; m < MEMBERS; ++m) {
                assertLe(credits.balanceOf(memberAddrs[m]), CAP, "balance above maxBalance");
            }
        }
        // Finish with every deposit settled after the longest wait: returns land on full balances.
        vm.warp(block.timestamp + 10 * EPOCH);
        _sync();
        while (nextToSettle < proposals.length) {
            _settle();
            for (uint256 m = 0; m < MEMBERS; ++m) {
                assertLe(credits.balanceOf(memberAddrs[m]), CAP, "balance above maxBalance after a return");
            }
        }
    }

    /// For every member: balance = accrued − spent on votes − deposits staked + deposits credited back, where the
    /// spent, staked and credited amounts are what the governor's receipts, terms and events report; the ledger
    /// holds exactly the unsettled deposits; and the balance equals a step-by-step model.
    function testFuzz_bookkeepingMatchesBalances(uint256 steps, uint256[MAX_STEPS] memory seeds) public {
        steps = bound(steps, 1, MAX_STEPS);
        _checkBooks();
        for (uint256 i = 0; i < steps; ++i) {
            _step(seeds[i]);
            _checkBooks();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Steps, each mirrored in the model
    // ------------------------------------------------------------------------------------------------

    function _step(uint256 seed) private {
        uint256 op = seed % 4;
        uint256 who = (seed >> 8) % MEMBERS;
        uint256 x = seed >> 16;
        if (op == 0) {
            _warpEpochs(x);
            _sync();
        } else if (op == 1) {
            uint256 pid = _newestOpenProposal();
            if (pid == 0) {
                // No open vote: the voter proposes one (the deposit is taken now, before any warp).
                pid = _tryPropose(memberAddrs[who]);
                if (pid == 0) return;
                _recordProposalIfNew(pid, who);
            }
            _ensureVoting(pid);
            _sync();
            (bool votedBefore, , , ) = governor.receiptOf(pid, memberAddrs[who]);
            (uint256 paid, uint256 added, uint8 side) = _voteAffordably(memberAddrs[who], pid, x);
            if (added == 0) return;
            modelBalance[who] -= paid;
            if (!votedBefore) ++voters[pid];
            if (side == FOR) forVotes[pid] += added;
            else againstVotes[pid] += added;
        } else if (op == 2) {
            uint256 pid = _tryPropose(memberAddrs[who]);
            if (pid != 0) _recordProposalIfNew(pid, who);
        } else {
            _settle();
        }
    }

    function _settle() private {
        uint256 expectedIndex = nextToSettle;
        (uint256 pid, bool returned, uint256 credited) = _settleOldest();
        if (pid == 0) return;
        _sync();
        assertEq(pid, proposals[expectedIndex], "settled in order");
        // The model's own verdict: quorum (1 member) and against < 2 × for.
        bool expected = voters[pid] >= 1 && againstVotes[pid] < 2 * forVotes[pid];
        assertEq(returned, expected, "deposit verdict");
        uint256 p = proposerIndex[pid];
        uint256 modelCredited = 0;
        if (returned && modelBalance[p] < CAP) {
            modelCredited = DEPOSIT < CAP - modelBalance[p] ? DEPOSIT : CAP - modelBalance[p];
        }
        assertEq(credited, modelCredited, "credited = min(deposit, room under the cap)");
        modelBalance[p] += modelCredited;
        creditedFromEvents[p] += credited;
    }

    function _recordProposalIfNew(uint256 pid, uint256 who) private {
        if (recorded[pid]) return;
        recorded[pid] = true;
        proposerIndex[pid] = who;
        modelBalance[who] -= DEPOSIT;
    }

    /// @dev Brings the model to the current epoch, one epoch at a time.
    function _sync() private {
        uint256 target = _epochNow();
        while (modelEpoch < target) {
            ++modelEpoch;
            for (uint256 m = 0; m < MEMBERS; ++m) {
                uint256 b = modelBalance[m];
                if (b >= CAP) continue;
                uint256 added = b + PER_EPOCH <= CAP ? PER_EPOCH : CAP - b;
                modelBalance[m] = b + added;
                modelAccrued[m] += added;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // The books
    // ------------------------------------------------------------------------------------------------

    function _checkBooks() private {
        _sync();
        uint256 unsettled = 0;
        for (uint256 m = 0; m < MEMBERS; ++m) {
            address member = memberAddrs[m];
            uint256 spent = 0;
            uint256 staked = 0;
            for (uint256 j = 0; j < proposals.length; ++j) {
                (, , , uint256 creditsSpent) = governor.receiptOf(proposals[j], member);
                spent += creditsSpent;
                if (governor.proposalProposer(proposals[j]) == member) {
                    (, uint256 deposit, bool settled, ) = governor.proposalTerms(proposals[j]);
                    staked += deposit;
                    if (!settled) unsettled += deposit;
                }
            }
            uint256 balance = credits.balanceOf(member);
            assertEq(
                balance + spent + staked,
                modelAccrued[m] + creditedFromEvents[m],
                "balance != accrued - spent - staked + credited"
            );
            assertEq(balance, modelBalance[m], "balance != step-by-step model");
        }
        assertEq(credits.heldDeposits(), unsettled, "held deposits != unsettled deposits");
        assertEq(credits.balanceOf(address(governor)), unsettled, "governor's balance != held deposits");
    }
}

/// @notice Credits never move between members: whatever member A (and others) do, member B's balance is B's own accrual.
contract VoiceCreditsIsolationTest is CreditsScenarioBase {
    address internal alice; // member A: acts at random
    address internal bob; // member B: never acts
    address internal carol; // another active member, whose card governance may move to a new key
    uint256 internal freshKeys;

    function setUp() public override {
        super.setUp();
        alice = memberAddrs[0];
        bob = memberAddrs[1];
        carol = memberAddrs[2];
    }

    /// No sequence of calls by other members or by governance moves credits to or from an untouched member:
    /// B's balance always equals the pure accrual model min(100 × (epochs + 1), 250), and B's stored account is
    /// never written.
    function testFuzz_noCallMovesCreditsBetweenMembers(uint256 steps, uint256[MAX_STEPS] memory seeds) public {
        steps = bound(steps, 1, MAX_STEPS);
        (uint256 bobStored, uint256 bobEpoch, uint256 bobSince, uint256 bobCard) = credits.accountOf(bob);
        assertEq(bobStored, PER_EPOCH, "B opened with one epoch's credits");
        for (uint256 i = 0; i < steps; ++i) {
            _step(seeds[i]);
            uint256 accrued = PER_EPOCH * (_epochNow() + 1);
            assertEq(credits.balanceOf(bob), accrued < CAP ? accrued : CAP, "B's balance != B's own accrual");
            (uint256 stored, uint256 epoch, uint256 since, uint256 cardId) = credits.accountOf(bob);
            assertEq(stored, bobStored, "B's stored balance was written");
            assertEq(epoch, bobEpoch, "B's stored epoch was written");
            assertEq(since, bobSince, "B's membership start was written");
            assertEq(cardId, bobCard, "B's card was written");
        }
    }

    function _step(uint256 seed) private {
        uint256 op = seed % 8;
        uint256 x = seed >> 8;
        if (op == 0) {
            _warpEpochs(x);
        } else if (op == 1) {
            if (card.isMember(alice)) _tryPropose(alice);
        } else if (op == 2 || op == 3) {
            address voter = op == 2 ? alice : carol;
            if (!card.isMember(voter)) return;
            uint256 pid = _newestOpenProposal();
            if (pid == 0) pid = _tryPropose(voter);
            if (pid == 0) return;
            _ensureVoting(pid);
            _voteAffordably(voter, pid, x);
        } else if (op == 4) {
            _settleOldest();
        } else if (op == 5) {
            // A leaves alone, or governance takes A back (a fresh account, not A's old credits).
            if (card.isMember(alice)) {
                vm.prank(alice);
                card.resign();
                assertEq(credits.balanceOf(alice), 0, "a resigned member keeps no credits");
            } else {
                card.admit(alice);
            }
        } else if (op == 6) {
            // Governance moves C's card to a new key (C's credits go along), or admits a newcomer.
            address fresh = _memberAddr(1000 + freshKeys++);
            if (x % 2 == 0 && card.isMember(carol)) {
                uint256 carolBalance = credits.balanceOf(carol);
                card.reassign(carol, fresh);
                assertEq(credits.balanceOf(fresh), carolBalance, "reassigned credits follow the card");
                assertEq(credits.balanceOf(carol), 0, "the old key keeps nothing");
                carol = fresh;
            } else {
                card.admit(fresh);
            }
        } else {
            _tryToTakeFromBob(x);
        }
    }

    /// @dev A tries every way of moving B's credits; each is refused with its exact error.
    function _tryToTakeFromBob(uint256 x) private {
        uint256 amount = bound(x, 1, CAP);
        bytes memory notGovernor = abi.encodeWithSelector(
            IVoiceCredits.VoiceCreditsUnauthorizedGovernor.selector,
            alice
        );
        bytes memory notCard = abi.encodeWithSelector(IVoiceCredits.VoiceCreditsUnauthorizedCard.selector, alice);

        // Credits have no ERC-20 movement surface at all: each selector is refused (no such function).
        _assertNoSuchFunction(alice, abi.encodeWithSelector(IERC20.transferFrom.selector, bob, alice, amount));
        _assertNoSuchFunction(bob, abi.encodeWithSelector(IERC20.transfer.selector, alice, amount)); // even B
        _assertNoSuchFunction(bob, abi.encodeWithSelector(IERC20.approve.selector, alice, amount));

        vm.expectRevert(notGovernor);
        vm.prank(alice);
        credits.spendForVote(bob, block.timestamp, amount);
        vm.expectRevert(notGovernor);
        vm.prank(alice);
        credits.holdDeposit(bob, amount);
        vm.expectRevert(notGovernor);
        vm.prank(alice);
        credits.returnDeposit(alice, amount);
        vm.expectRevert(notCard);
        vm.prank(alice);
        credits.moveAccount(bob, alice);
        vm.expectRevert(notCard);
        vm.prank(alice);
        credits.closeAccount(bob);
        vm.expectRevert(notCard);
        vm.prank(alice);
        credits.openAccount(bob, 1);
    }
}

/// @notice Lazy accrual equals a step-by-step model across random schedule changes, touches and membership changes.
/// The test contract owns the credits (to set schedules) and is their governor (to spend and hold directly).
contract VoiceCreditsScheduleTest is CoopFixture {
    struct Params {
        uint256 len;
        uint256 perEpoch;
        uint256 cap;
    }

    uint256 internal constant SLOTS = 4;
    uint256 internal constant MAX_STEPS = 16;

    // The step-by-step model: the schedule in force, the one set for the next epoch, the epoch and balances.
    Params internal current;
    Params internal pending;
    bool internal hasPending;
    uint256 internal epochNumber;
    uint256 internal epochEnd;
    uint256[SLOTS] internal balance;
    bool[SLOTS] internal open;
    uint256 internal held;
    uint256[SLOTS] internal heldFor;

    function setUp() public {
        CoopFixture.CoopConfig memory cfg = _defaultConfig();
        cfg.epochLength = 1 days;
        cfg.creditsPerEpoch = 100;
        cfg.maxBalance = 400;
        _deployCoop(cfg);
        credits.setGovernor(address(this));
        _admitMembers(SLOTS);
        vm.prank(memberAddrs[2]);
        card.resign();
        vm.prank(memberAddrs[3]);
        card.resign();

        current = Params({len: 1 days, perEpoch: 100, cap: 400});
        epochEnd = DEPLOY_TIME + 1 days;
        balance[0] = 100;
        balance[1] = 100;
        open[0] = true;
        open[1] = true;
    }

    /// Lazy accrual (balances brought up to date only when read or touched) equals applying every epoch one by one,
    /// across random schedule changes (including two in one epoch), warps onto and around epoch boundaries,
    /// spends, held and returned deposits, and accounts opened and closed while a change is pending.
    function testFuzz_lazyAccrualMatchesStepwiseModel(uint256 steps, uint256[MAX_STEPS] memory seeds) public {
        steps = bound(steps, 1, MAX_STEPS);
        _checkAgainstModel();
        for (uint256 i = 0; i < steps; ++i) {
            _step(seeds[i]);
            _checkAgainstModel();
        }
    }

    /// Across the whole permitted range of epoch lengths (MIN_EPOCH_LENGTH, an hour, to MAX_EPOCH_LENGTH) and up to
    /// 10,000 years on, currentEpoch and lazily accrued balances equal the closed form, before and after a spend, and
    /// epoch numbers stay within their 32 bits.
    function testFuzz_accrualAcrossThePermittedRange(
        uint256 lenSeed,
        uint256 perSeed,
        uint256 capSeed,
        uint256 t1Seed,
        uint256 t2Seed,
        uint256 spendSeed
    ) public {
        assertEq(credits.MIN_EPOCH_LENGTH(), 1 hours, "shortest epoch");
        Params memory p = Params({
            len: bound(lenSeed, credits.MIN_EPOCH_LENGTH(), credits.MAX_EPOCH_LENGTH()),
            perEpoch: bound(perSeed, 1, 1_000_000),
            cap: 0
        });
        p.cap = bound(capSeed, p.perEpoch, type(uint48).max);
        credits.setSchedule(p.len, p.perEpoch, p.cap);
        // Set in epoch 0 of the 1-day schedule: in force from its end, as epoch 1.
        uint256 horizon = DEPLOY_TIME + 1 days + 10_000 * 365.25 days;
        uint256 t1 = bound(t1Seed, DEPLOY_TIME + 1 days, horizon);
        address m = memberAddrs[0];

        vm.warp(t1);
        uint256 e1 = _epochUnder(p, t1);
        uint256 b1 = _closedForm(100, e1, p.perEpoch, p.cap);
        assertEq(credits.balanceOf(m), b1, "balance at t1");
        uint256 left = b1 - bound(spendSeed, 0, b1);
        (IVoiceCredits.SpendStatus status, ) = credits.spendForVote(m, block.timestamp, b1 - left);
        assertEq(uint256(status), uint256(IVoiceCredits.SpendStatus.Ok), "spend accepted");

        uint256 t2 = bound(t2Seed, t1, horizon);
        vm.warp(t2);
        uint256 e2 = _epochUnder(p, t2);
        assertEq(credits.balanceOf(m), _closedForm(left, e2 - e1, p.perEpoch, p.cap), "balance at t2");
        if (left != b1) {
            // A spend brought the account up to date: it is stored as of epoch e1.
            (, uint256 storedEpoch, , ) = credits.accountOf(m);
            assertEq(storedEpoch, e1, "stored epoch is the epoch of the spend");
        }
    }

    /// @dev The epoch at `t` under `p`, set in epoch 0 and in force from the first day's end as epoch 1, checked
    /// against currentEpoch and the 32 bits epoch numbers are stored in.
    function _epochUnder(Params memory p, uint256 t) private view returns (uint256 epoch) {
        epoch = 1 + (t - (DEPLOY_TIME + 1 days)) / p.len;
        assertEq(credits.currentEpoch(), epoch, "currentEpoch");
        assertLe(epoch, type(uint32).max, "epoch fits 32 bits");
    }

    /// @dev `balance` after `epochs` epochs of `per`, capped at `cap`; a balance at or above the cap stays.
    function _closedForm(uint256 balance, uint256 epochs, uint256 per, uint256 cap) private pure returns (uint256) {
        if (balance >= cap) return balance;
        uint256 grown = balance + epochs * per;
        return grown < cap ? grown : cap;
    }

    /// A schedule change takes effect at the next epoch and never rewrites credits already accrued.
    function test_scheduleChange_appliesFromNextEpochOnly() public {
        address m = memberAddrs[0];
        vm.warp(DEPLOY_TIME + 1 days + 5 hours); // epoch 1: 200
        assertEq(credits.balanceOf(m), 200, "two epochs of 100");
        credits.setSchedule(12 hours, 10, 1000);
        assertEq(credits.balanceOf(m), 200, "change does not rewrite accrued credits");
        assertEq(credits.currentSchedule().creditsPerEpoch, 100, "old schedule still in force");
        vm.warp(DEPLOY_TIME + 2 days - 1);
        assertEq(credits.balanceOf(m), 200, "still epoch 1");
        vm.warp(DEPLOY_TIME + 2 days);
        assertEq(credits.balanceOf(m), 210, "epoch 2 under the new schedule");
        assertEq(credits.currentEpoch(), 2, "epoch 2");
        vm.warp(DEPLOY_TIME + 2 days + 12 hours);
        assertEq(credits.balanceOf(m), 220, "12-hour epochs from now on");
        assertEq(credits.currentEpoch(), 3, "epoch 3");
    }

    /// Lowering the cap below a balance leaves the balance as it is (accrual never takes credits away).
    function test_lowerCap_keepsBalanceAboveIt() public {
        address m = memberAddrs[0];
        vm.warp(DEPLOY_TIME + 3 days); // 400
        credits.setSchedule(1 days, 100, 150);
        vm.warp(DEPLOY_TIME + 10 days);
        assertEq(credits.balanceOf(m), 400, "balance above the new cap is kept, not cut");
    }

    // ------------------------------------------------------------------------------------------------
    // Steps
    // ------------------------------------------------------------------------------------------------

    function _step(uint256 seed) private {
        uint256 op = seed % 6;
        uint256 slot = (seed >> 8) % SLOTS;
        uint256 x = seed >> 16;
        address m = memberAddrs[slot];
        if (op == 0) {
            uint256 shortest = hasPending && pending.len < current.len ? pending.len : current.len;
            vm.warp(block.timestamp + (x % (3 * shortest + 1)));
        } else if (op == 1) {
            vm.warp(epochEnd - 1 + (x % 3)); // the last second of the epoch, its boundary, or just after
        } else if (op == 2) {
            uint256 len = bound(x, 1 hours, 3 days);
            uint256 perEpoch = bound(x >> 64, 1, 300);
            uint256 cap = bound(x >> 128, perEpoch, 1000);
            credits.setSchedule(len, perEpoch, cap);
            _advance();
            pending = Params(len, perEpoch, cap);
            hasPending = true; // replaces a change set earlier in the same epoch
        } else if (op == 3) {
            if (!open[slot]) return;
            _advance();
            uint256 amount = bound(x, 1, balance[slot] + 1);
            (IVoiceCredits.SpendStatus status, uint256 available) = credits.spendForVote(m, block.timestamp, amount);
            assertEq(available, balance[slot], "available != model balance");
            if (amount > balance[slot]) {
                assertEq(uint256(status), uint256(IVoiceCredits.SpendStatus.InsufficientCredits), "overspend refused");
            } else {
                assertEq(uint256(status), uint256(IVoiceCredits.SpendStatus.Ok), "spend accepted");
                balance[slot] -= amount;
            }
        } else if (op == 4) {
            _advance();
            if (open[slot]) {
                vm.prank(m);
                card.resign();
                open[slot] = false;
                balance[slot] = 0;
            } else {
                card.admit(m);
                open[slot] = true;
                balance[slot] = current.perEpoch < current.cap ? current.perEpoch : current.cap;
            }
        } else if (heldFor[slot] == 0) {
            // Stake a deposit now; it is returned by a later step, perhaps under another schedule.
            if (!open[slot] || balance[slot] == 0) return;
            _advance();
            uint256 amount = bound(x, 1, balance[slot]);
            credits.holdDeposit(m, amount);
            balance[slot] -= amount;
            heldFor[slot] = amount;
            held += amount;
        } else {
            // Return it: capped by the schedule in force now; burned if the member has left.
            _advance();
            uint256 amount = heldFor[slot];
            uint256 room = open[slot] && balance[slot] < current.cap ? current.cap - balance[slot] : 0;
            uint256 expected = amount < room ? amount : room;
            assertEq(credits.returnDeposit(m, amount), expected, "credited = min(amount, room under the cap)");
            balance[slot] += expected;
            heldFor[slot] = 0;
            held -= amount;
        }
    }

    /// @dev Applies every epoch boundary up to now, one at a time.
    function _advance() private {
        while (block.timestamp >= epochEnd) {
            if (hasPending) {
                current = pending;
                hasPending = false;
            }
            epochEnd += current.len;
            ++epochNumber;
            for (uint256 s = 0; s < SLOTS; ++s) {
                if (!open[s] || balance[s] >= current.cap) continue;
                balance[s] = balance[s] + current.perEpoch < current.cap ? balance[s] + current.perEpoch : current.cap;
            }
        }
    }

    function _checkAgainstModel() private {
        _advance();
        assertEq(credits.currentEpoch(), epochNumber, "epoch number");
        assertEq(credits.nextEpochStart(), epochEnd, "next epoch start");
        IVoiceCredits.Schedule memory s = credits.currentSchedule();
        assertEq(s.epochLength, current.len, "schedule in force: epoch length");
        assertEq(s.creditsPerEpoch, current.perEpoch, "schedule in force: credits per epoch");
        assertEq(s.maxBalance, current.cap, "schedule in force: cap");
        assertEq(credits.heldDeposits(), held, "held deposits");
        for (uint256 i = 0; i < SLOTS; ++i) {
            assertEq(credits.balanceOf(memberAddrs[i]), balance[i], "lazy balance != step-by-step model");
        }
    }
}

/// @notice Every refusal of the credits ledger, with its exact error, and that nothing changed.
contract VoiceCreditsRefusalsTest is CoopFixture {
    address internal alice;
    address internal bob;

    function setUp() public {
        _deployCoop(_defaultConfig());
        address[] memory m = _admitMembers(2);
        alice = m[0];
        bob = m[1];
    }

    /// Credits are not an ERC-20: transfer, transferFrom, approve, allowance and totalSupply do not exist (each call
    /// reverts with no data) and nothing moves; the read views wallets use are there and true.
    function test_noErc20TransferSurface_callsRevertAndMoveNothing() public {
        _assertNoSuchFunction(alice, abi.encodeWithSelector(IERC20.transfer.selector, bob, 10));
        _assertNoSuchFunction(bob, abi.encodeWithSelector(IERC20.transferFrom.selector, alice, bob, 10));
        _assertNoSuchFunction(alice, abi.encodeWithSelector(IERC20.approve.selector, bob, 10));
        _assertNoSuchFunction(alice, abi.encodeWithSelector(IERC20.allowance.selector, alice, bob));
        _assertNoSuchFunction(alice, abi.encodeWithSelector(IERC20.totalSupply.selector));
        assertEq(credits.balanceOf(alice), 100, "alice unchanged");
        assertEq(credits.balanceOf(bob), 100, "bob unchanged");
        assertEq(credits.decimals(), 0, "whole credits");
    }

    /// Only the card opens, closes or moves accounts: VoiceCreditsUnauthorizedCard(caller).
    function test_accountHooks_fromAnyoneButTheCard_revert() public {
        bytes memory err = abi.encodeWithSelector(IVoiceCredits.VoiceCreditsUnauthorizedCard.selector, address(this));
        vm.expectRevert(err);
        credits.openAccount(address(0xBEEF), 99);
        vm.expectRevert(err);
        credits.closeAccount(alice);
        vm.expectRevert(err);
        credits.moveAccount(alice, address(0xBEEF));
        assertEq(credits.balanceOf(alice), 100, "alice unchanged");
        assertEq(credits.balanceOf(address(0xBEEF)), 0, "no account opened");
    }

    /// Only the governor spends, holds, returns or burns: VoiceCreditsUnauthorizedGovernor(caller).
    function test_spending_fromAnyoneButTheGovernor_reverts() public {
        bytes memory err = abi.encodeWithSelector(IVoiceCredits.VoiceCreditsUnauthorizedGovernor.selector, alice);
        vm.startPrank(alice);
        vm.expectRevert(err);
        credits.spendForVote(bob, block.timestamp, 50);
        vm.expectRevert(err);
        credits.holdDeposit(bob, 50);
        vm.expectRevert(err);
        credits.returnDeposit(alice, 50);
        vm.expectRevert(err);
        credits.burnDeposit(0);
        vm.stopPrank();
        assertEq(credits.balanceOf(bob), 100, "bob unchanged");
        assertEq(credits.heldDeposits(), 0, "nothing held");
    }

    /// Out-of-range schedules revert with VoiceCreditsInvalidSchedule(epochLength, creditsPerEpoch, maxBalance).
    function testFuzz_invalidSchedule_reverts(uint256 which, uint256 a, uint256 b) public {
        uint256 len = bound(a, 1 hours, 366 days);
        uint256 perEpoch = bound(b, 1, 1000);
        uint256 cap = perEpoch * 2;
        which = bound(which, 0, 5);
        if (which == 0) len = 0;
        else if (which == 5)
            len = bound(a, 1, 1 hours - 1); // shorter than MIN_EPOCH_LENGTH
        else if (which == 1) len = bound(a, 366 days + 1, type(uint64).max);
        else if (which == 2) perEpoch = 0;
        else if (which == 3) cap = bound(b, 0, perEpoch - 1);
        else cap = bound(b, uint256(type(uint48).max) + 1, type(uint128).max);
        vm.expectRevert(abi.encodeWithSelector(IVoiceCredits.VoiceCreditsInvalidSchedule.selector, len, perEpoch, cap));
        credits.setSchedule(len, perEpoch, cap);
        assertEq(credits.scheduleCount(), 1, "no schedule added");
    }

    /// Only the owner sets schedules or the governor: OwnableUnauthorizedAccount(caller).
    function test_adminCalls_fromNonOwner_revert() public {
        bytes memory err = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice);
        vm.expectRevert(err);
        vm.prank(alice);
        credits.setSchedule(1 days, 1000, 1000);
        vm.expectRevert(err);
        vm.prank(alice);
        credits.setGovernor(alice);
        assertEq(credits.scheduleCount(), 1, "no schedule added");
        assertEq(credits.governor(), address(governor), "governor unchanged");
    }

    /// The governor cannot be the zero address: VoiceCreditsInvalidGovernor(0).
    function test_setGovernor_zeroAddress_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IVoiceCredits.VoiceCreditsInvalidGovernor.selector, address(0)));
        credits.setGovernor(address(0));
        assertEq(credits.governor(), address(governor), "governor unchanged");
    }

    /// Holding a deposit from a non-member or beyond the balance reverts with the exact error.
    function test_holdDeposit_nonMemberOrShortBalance_reverts() public {
        credits.setGovernor(address(this));
        vm.expectRevert(abi.encodeWithSelector(IVoiceCredits.VoiceCreditsNotMember.selector, address(0xBEEF)));
        credits.holdDeposit(address(0xBEEF), 1);
        vm.expectRevert(abi.encodeWithSelector(IVoiceCredits.InsufficientCredits.selector, alice, 101, 100));
        credits.holdDeposit(alice, 101);
        assertEq(credits.balanceOf(alice), 100, "alice unchanged");
        assertEq(credits.heldDeposits(), 0, "nothing held");
    }

    /// Releasing more than is held reverts with VoiceCreditsInsufficientHeld(amount, held).
    function test_releaseMoreThanHeld_reverts() public {
        credits.setGovernor(address(this));
        credits.holdDeposit(alice, 30);
        vm.expectRevert(abi.encodeWithSelector(IVoiceCredits.VoiceCreditsInsufficientHeld.selector, 31, 30));
        credits.burnDeposit(31);
        vm.expectRevert(abi.encodeWithSelector(IVoiceCredits.VoiceCreditsInsufficientHeld.selector, 31, 30));
        credits.returnDeposit(alice, 31);
        assertEq(credits.heldDeposits(), 30, "held unchanged");
        assertEq(credits.balanceOf(alice), 70, "alice unchanged");
    }

    /// A vote by a member admitted after the snapshot is refused without reverting (NotEligible) and charges nothing.
    function test_spendForVote_afterSnapshotMember_isNotEligible() public {
        credits.setGovernor(address(this));
        uint256 snapshot = block.timestamp;
        vm.warp(block.timestamp + 1);
        address late = _admitMembers(1)[0];
        (IVoiceCredits.SpendStatus status, uint256 available) = credits.spendForVote(late, snapshot, 1);
        assertEq(uint256(status), uint256(IVoiceCredits.SpendStatus.NotEligible), "not eligible");
        assertEq(available, 0, "no availability reported");
        assertEq(credits.balanceOf(late), 100, "nothing charged");
    }
}
