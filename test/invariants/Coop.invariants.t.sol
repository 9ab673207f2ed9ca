// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {MembershipCard} from "../../contracts/membership/MembershipCard.sol";
import {VoiceCredits} from "../../contracts/credits/VoiceCredits.sol";
import {MutualGovernor} from "../../contracts/governance/MutualGovernor.sol";
import {TestBase} from "../utils/Vm.sol";
import {CoopHandler} from "./CoopHandler.sol";

/**
 * @notice The handler the runner fuzzes. Declared here, in the test file, so that `hardhat test solidity` on this
 * file alone has an artifact for it: the runner needs one to know the handler's ABI (an imported contract gets no
 * artifact unless its own file is also built).
 */
// solhint-disable-next-line no-empty-blocks
contract CoopInvariantHandler is CoopHandler {}

/**
 * @notice Invariants of a whole co-op under random sequences of member, governance and attacker actions
 * ({CoopHandler}). Only the handler is fuzzed, and only its actions (see {targetSelectors}).
 *
 * Sums "over members" are over the handler's actors: every address that ever held a card is one of them.
 *
 * Run with `npx hardhat test solidity test/invariants/Coop.invariants.t.sol`. Runs and depth are set here
 * (inline config, which wins over hardhat.config.ts), so the suite keeps its budget whatever the project's
 * defaults are: without it the runner would take `fuzz.runs` (256) for runs and 500 for depth. 40 × 200 calls
 * per invariant is about 25 s on 2 cores; a `ci.`-prefixed directive can raise it for a CI test profile.
 * `fail-on-revert`: the handler catches every refusal it can meet, so any revert is a bug in the handler.
 */
/// forge-config: invariant.runs = 40
/// forge-config: invariant.depth = 200
/// forge-config: invariant.fail-on-revert = true
contract CoopInvariantsTest is TestBase {
    /// @dev The runner's target-selection structure (as forge-std's StdInvariant declares it).
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    CoopHandler internal handler;
    MembershipCard internal card;
    VoiceCredits internal credits;
    MutualGovernor internal governor;
    TimelockController internal timelock;

    function setUp() public {
        handler = new CoopInvariantHandler();
        (card, credits, governor, timelock) = handler.coop();
    }

    /// @notice The runner calls only the handler ...
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice ... and only its actions (not its views).
    function targetSelectors() public view returns (FuzzSelector[] memory selectors) {
        bytes4[] memory actions = new bytes4[](15);
        actions[0] = CoopHandler.warp.selector;
        actions[1] = CoopHandler.admit.selector;
        actions[2] = CoopHandler.resign.selector;
        actions[3] = CoopHandler.expel.selector;
        actions[4] = CoopHandler.reassign.selector;
        actions[5] = CoopHandler.setSchedule.selector;
        actions[6] = CoopHandler.propose.selector;
        actions[7] = CoopHandler.castVote.selector;
        actions[8] = CoopHandler.castBallots.selector;
        actions[9] = CoopHandler.cancel.selector;
        actions[10] = CoopHandler.settleDeposit.selector;
        actions[11] = CoopHandler.queue.selector;
        actions[12] = CoopHandler.execute.selector;
        actions[13] = CoopHandler.executeViaTimelock.selector;
        actions[14] = CoopHandler.castBallotsCompact.selector;
        selectors = new FuzzSelector[](1);
        selectors[0] = FuzzSelector({addr: address(handler), selectors: actions});
    }

    /// @dev Checks run at the handler's time (views such as balanceOf and state depend on it).
    modifier atHandlerClock() {
        vm.warp(handler.clock());
        _;
    }

    // ------------------------------------------------------------------------------------------------
    // 1. Credits are created only by accrual and destroyed only by spending or burning
    // ------------------------------------------------------------------------------------------------

    /**
     * Let, over the whole run,
     *   created   = admission allowances + per-epoch accrual, by the model's epoch-by-epoch rule
     *               (b = b >= cap ? b : min(b + perEpoch, cap), under the schedule in force in each epoch),
     *   spent     = credits debited by accepted votes,
     *   forfeited = balances zeroed when members resigned or were expelled (closed accounts),
     *   burned    = released − returned: deposits burned (no quorum, wide rejection, cancelled, proposer gone)
     *               plus what a returned deposit would have added above the cap,
     * then   Σ balanceOf(member) + heldDeposits == created − spent − forfeited − burned
     * (checked as Σ + held + spent + forfeited + released == created + returned, with no subtraction).
     * Also: each balance equals the model's, a non-member holds nothing, the governor's balance is the held
     * deposits, and heldDeposits == staked − released.
     */
    function invariant_creditsOnlyFromAccrualAndOnlyDestroyedBySpendingOrBurning() public atHandlerClock {
        uint256 sum = 0;
        for (uint256 i = 0; i < handler.ACTORS(); ++i) {
            address actor = handler.actorAt(i);
            (bool member, , , uint256 modelBalance) = handler.modelOf(actor);
            uint256 balance = credits.balanceOf(actor);
            assertEq(balance, modelBalance, "a balance differs from the accrual rule's");
            if (!member) assertEq(balance, 0, "a non-member holds credits");
            sum += balance;
        }
        uint256 held = credits.heldDeposits();
        assertEq(credits.balanceOf(address(governor)), held, "the governor's balance is not the held deposits");
        assertEq(held + handler.ghostReleased(), handler.ghostStaked(), "held deposits != staked - released");
        assertEq(
            sum + held + handler.ghostSpent() + handler.ghostForfeited() + handler.ghostReleased(),
            handler.ghostCreated() + handler.ghostReturned(),
            "credits not conserved: balances + held != created - spent - forfeited - burned"
        );
    }

    // ------------------------------------------------------------------------------------------------
    // 2. Credits spent on a proposal by a member are the square of their votes
    // ------------------------------------------------------------------------------------------------

    /**
     * For every proposal and every member: receiptOf(...).creditsSpent == votes², and the credits actually
     * debited from the member for that proposal (summed over all their votes and signed ballots, top-ups paying
     * the marginal cost) == votes² as well. The receipt's side and votes are the handler's, and the ballot nonce
     * is the number of accepted votes.
     */
    function invariant_creditsSpentAreTheSquareOfVotes() public atHandlerClock {
        uint256 n = handler.proposalCount();
        for (uint256 k = 0; k < n; ++k) {
            uint256 id = handler.proposalIds(k);
            for (uint256 i = 0; i < handler.ACTORS(); ++i) {
                _checkReceipt(id, handler.actorAt(i));
            }
        }
    }

    function _checkReceipt(uint256 id, address voter) internal view {
        (bool voted, uint8 support, uint256 votes, uint256 creditsSpent) = governor.receiptOf(id, voter);
        (bool ghostVoted, uint8 ghostSupport, uint256 ghostVotes, uint256 ghostSpent, uint256 count) = handler
            .voteGhost(id, voter);
        assertEq(creditsSpent, votes * votes, "receipt: credits spent != votes^2");
        assertEq(ghostSpent, votes * votes, "credits debited for a proposal != votes^2");
        assertEq(voted, ghostVoted, "receipt: voted differs from the votes cast");
        assertEq(governor.hasVoted(id, voter), ghostVoted, "hasVoted differs from the votes cast");
        assertEq(support, ghostSupport, "receipt: side differs from the votes cast");
        assertEq(votes, ghostVotes, "receipt: votes differ from the votes cast");
        assertEq(governor.ballotNonce(id, voter), count, "ballot nonce != accepted votes");
    }

    // ------------------------------------------------------------------------------------------------
    // 3. Cards held equal the member count
    // ------------------------------------------------------------------------------------------------

    /**
     * The number of actors with isMember == memberCount() == cardsIssued − cards burned (resigned or expelled;
     * a reassignment burns nothing). Each member holds exactly their card (cardOf, holderOf, ownerOf, ERC-721
     * balance), and the card numbers are those the handler expects.
     */
    function invariant_cardsHeldEqualMemberCount() public atHandlerClock {
        uint256 holders = 0;
        for (uint256 i = 0; i < handler.ACTORS(); ++i) {
            address actor = handler.actorAt(i);
            (bool member, , uint256 cardId, ) = handler.modelOf(actor);
            bool isMember = card.isMember(actor);
            assertEq(isMember, member, "isMember differs from the membership changes made");
            assertEq(card.balanceOf(actor), isMember ? 1 : 0, "a member holds other than one card");
            assertEq(card.cardOf(actor), cardId, "cardOf differs from the card issued or moved");
            if (isMember) {
                ++holders;
                assertEq(card.holderOf(cardId), actor, "holderOf differs from the member");
                assertEq(card.ownerOf(cardId), actor, "ownerOf differs from the member");
            }
        }
        uint256 count = card.memberCount();
        assertEq(holders, count, "card holders != memberCount");
        assertEq(card.cardsIssued(), handler.ghostCardsIssued(), "cardsIssued != admissions");
        assertEq(card.cardsIssued() - handler.ghostCardsBurned(), count, "cardsIssued - burned != memberCount");
    }

    // ------------------------------------------------------------------------------------------------
    // 4. Each tally is the sum of its receipts
    // ------------------------------------------------------------------------------------------------

    struct Sums {
        uint256 forVotes;
        uint256 againstVotes;
        uint256 forVoters;
        uint256 againstVoters;
        uint256 abstainVoters;
    }

    /**
     * For every proposal: forVotes / againstVotes in proposalTally are the sums of the receipts' votes on each
     * side over every member who ever voted, and forVoters / againstVoters / abstainVoters are the numbers of
     * those receipts per side; both also equal what the handler counted from accepted votes and ballots, and
     * proposalVotes agrees with proposalTally.
     */
    function invariant_eachTallyIsTheSumOfItsReceipts() public atHandlerClock {
        uint256 n = handler.proposalCount();
        for (uint256 k = 0; k < n; ++k) {
            uint256 id = handler.proposalIds(k);
            Sums memory tally = _tally(id);
            _assertSums(tally, _sumReceipts(id), "the sum of receipts");
            _assertSums(tally, _ghostTally(id), "the votes cast");
            (uint256 pvAgainst, uint256 pvFor, uint256 pvAbstain) = governor.proposalVotes(id);
            assertEq(pvAgainst, tally.againstVotes, "proposalVotes against != proposalTally");
            assertEq(pvFor, tally.forVotes, "proposalVotes for != proposalTally");
            assertEq(pvAbstain, tally.abstainVoters, "proposalVotes abstain != proposalTally");
        }
    }

    function _tally(uint256 id) internal view returns (Sums memory t) {
        (t.forVotes, t.againstVotes, t.forVoters, t.againstVoters, t.abstainVoters, ) = governor.proposalTally(id);
    }

    function _ghostTally(uint256 id) internal view returns (Sums memory t) {
        (t.forVotes, t.againstVotes, t.forVoters, t.againstVoters, t.abstainVoters) = handler.ghostTally(id);
    }

    function _assertSums(Sums memory tally, Sums memory expected, string memory what) internal pure {
        assertEq(tally.forVotes, expected.forVotes, string.concat("tally forVotes != ", what));
        assertEq(tally.againstVotes, expected.againstVotes, string.concat("tally againstVotes != ", what));
        assertEq(tally.forVoters, expected.forVoters, string.concat("tally forVoters != ", what));
        assertEq(tally.againstVoters, expected.againstVoters, string.concat("tally againstVoters != ", what));
        assertEq(tally.abstainVoters, expected.abstainVoters, string.concat("tally abstainVoters != ", what));
    }

    function _sumReceipts(uint256 id) internal view returns (Sums memory s) {
        for (uint256 i = 0; i < handler.ACTORS(); ++i) {
            (bool voted, uint8 support, uint256 votes, ) = governor.receiptOf(id, handler.actorAt(i));
            if (!voted) continue;
            if (support == 1) {
                s.forVotes += votes;
                ++s.forVoters;
            } else if (support == 0) {
                s.againstVotes += votes;
                ++s.againstVoters;
            } else {
                assertEq(votes, 0, "an abstention carries votes");
                ++s.abstainVoters;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // 5. Nothing executes twice
    // ------------------------------------------------------------------------------------------------

    /**
     * For every proposal: it executed (through the governor or straight on the timelock) at most once; its
     * state is Executed exactly when it executed, and stays so. The treasury paid out exactly the sum of the
     * payments of proposals in state Executed, and the payee received exactly that.
     */
    function invariant_nothingExecutesTwice() public atHandlerClock {
        uint256 paid = 0;
        uint256 n = handler.proposalCount();
        for (uint256 k = 0; k < n; ++k) {
            uint256 id = handler.proposalIds(k);
            (uint256 executions, uint8 kind, uint256 value) = handler.ghostExecution(id);
            assertLe(executions, 1, "a proposal executed twice");
            bool executed = governor.state(id) == IGovernor.ProposalState.Executed;
            assertEq(executed, executions == 1, "state Executed differs from executions");
            if (executed && kind == handler.KIND_PAY()) paid += value;
        }
        assertEq(handler.TREASURY() - address(timelock).balance, paid, "treasury paid != executed payments");
        assertEq(handler.PAYEE().balance, paid, "payee received != executed payments");
        assertEq(handler.ghostPaid(), paid, "payments executed != executed payments");
    }

    // ------------------------------------------------------------------------------------------------
    // 6. Accepted exactly what the rules accept
    // ------------------------------------------------------------------------------------------------

    /**
     * Every action was accepted or refused as docs/governance.md says (votes: eligibility at the snapshot,
     * affordability, no switching sides, no second abstention, nothing while not active; ballots: expired,
     * nonce, signature, and a bad ballot skipped without sinking the batch; proposals only from members who can
     * pay; resignation never blocked; deposits settled once, returned by the rule and bounded by the cap).
     */
    function invariant_acceptsExactlyWhatTheRulesAccept() public view {
        assertEq(handler.surprises(), 0, handler.firstSurprise());
    }

    // ------------------------------------------------------------------------------------------------
    // The handler itself: one scripted lifecycle, so that a broken handler cannot pass the invariants vacuously
    // ------------------------------------------------------------------------------------------------

    /// A payment proposal goes through the whole lifecycle; every refusal on the way is the one the rules expect.
    function test_handlerDrivesAFullLifecycle() public {
        handler.propose(_a(0), handler.KIND_PAY(), 0.25 ether); // actor 0 proposes a payment
        handler.propose(_a(5), handler.KIND_NOOP(), 0); // actor 5 is not a member: refused
        handler.propose(_a(4), handler.KIND_NOOP(), 0); // actor 4 proposes a no-op (for the signed ballots)
        uint256 id = handler.proposalIds(0);
        handler.castVote(_a(1), 0, 1, _votesSeed(1)); // pending: refused
        handler.skip(1 hours + 1); // voting opens
        handler.castVote(_a(1), 0, _for(), _votesSeed(3)); // 3 for
        handler.castVote(_a(2), 0, _for(), _votesSeed(2)); // 2 for
        handler.castVote(_a(2), 0, _for(), _votesSeed(1)); // top-up: 1 more for, marginal cost 9 - 4 = 5
        handler.castVote(_a(3), 0, _against(), _votesSeed(2)); // 2 against
        handler.castVote(_a(3), 0, _for(), _votesSeed(1)); // switching sides: refused
        handler.castVote(_a(4), 0, _abstain(), _votesSeed(1)); // abstains
        handler.castVote(_a(4), 0, _abstain(), _votesSeed(1)); // abstains again: refused
        handler.castVote(_a(1), 0, _for(), 1); // one more vote than the balance pays for: refused
        handler.castVote(_a(6), 0, _for(), _votesSeed(1)); // not a member: refused
        handler.castBallots(4, 42, 3); // 4 ballots (1 + 3 % 4) on proposal index 1 ((4 >> 2) % 2)
        handler.castBallots(4, 7, 2); // 3 ballots
        handler.castBallotsCompact(4, 9, 3); // 4 compact ballots on the same proposal
        handler.skip(1 days); // the vote is over
        handler.execute(0); // not queued: refused
        handler.queue(0);
        handler.execute(0); // timelock delay not over: refused
        handler.skip(6 hours);
        handler.execute(0);
        handler.execute(0); // again: refused
        handler.executeViaTimelock(0); // again, straight on the timelock: refused
        handler.settleDeposit(0);
        handler.settleDeposit(0); // again: refused
        handler.resign(1);
        handler.expel(2);
        handler.reassign(3, _a(6));
        handler.admit(_a(7));
        handler.setSchedule(3 days + 1, 25, 1); // a valid schedule (see CoopHandler.setSchedule)
        handler.skip(handler.nextBoundary() - handler.clock()); // exactly to the next epoch boundary
        handler.skip(handler.nextBoundary() - handler.clock() - 1); // one second before the following one
        handler.skip(1);

        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Executed), "executed");
        assertEq(handler.PAYEE().balance, 0.25 ether + 1, "paid (bound(0.25 ether, 1, 1 ether))");
        assertEq(handler.outcome("execute.ok"), 1, "executed once");
        assertEq(handler.outcome("execute.refused"), 3, "three refused executions");
        assertEq(handler.outcome("executeViaTimelock.refused"), 1, "timelock replay refused");
        assertEq(handler.outcome("castVote.refused"), 5, "five refused votes");
        assertEq(handler.outcome("settleDeposit.ok"), 1, "deposit settled once");
        assertEq(handler.outcome("settleDeposit.refused"), 1, "second settlement refused");
        assertEq(handler.outcome("propose.refused"), 1, "a non-member cannot propose");
        assertEq(handler.outcome("reassign.ok"), 1, "card reassigned");
        assertEq(handler.outcome("setSchedule.ok"), 1, "schedule set");
        assertEq(handler.outcome("ballot.ok") + handler.outcome("ballot.refused"), 11, "11 ballots counted or skipped");
        assertEq(handler.outcome("castBallotsCompact.ok"), 1, "the compact batch went through");
        (, , uint256 votes, uint256 spent) = governor.receiptOf(id, handler.actorAt(2));
        assertEq(votes, 3, "2 + 1 votes");
        assertEq(spent, 9, "(2 + 1)^2 credits");

        invariant_creditsOnlyFromAccrualAndOnlyDestroyedBySpendingOrBurning();
        invariant_creditsSpentAreTheSquareOfVotes();
        invariant_cardsHeldEqualMemberCount();
        invariant_eachTallyIsTheSumOfItsReceipts();
        invariant_nothingExecutesTwice();
        invariant_acceptsExactlyWhatTheRulesAccept();
    }

    /// @dev An actor seed that picks actor `i` exactly (see CoopHandler._pickActor).
    function _a(uint256 i) internal pure returns (uint256) {
        return i << 2;
    }

    /// @dev `castVote` support seeds (see CoopHandler._chooseSupport) for a member's first vote on a proposal, or a
    /// later vote that tries that side.
    function _for() internal pure returns (uint256) {
        return 1 << 2;
    }

    function _against() internal pure returns (uint256) {
        return 0;
    }

    function _abstain() internal pure returns (uint256) {
        return 2 << 2;
    }

    /// @dev A `castVote` votes seed that adds `votes` (when the voter can afford at least that many).
    function _votesSeed(uint256 votes) internal pure returns (uint256) {
        return ((votes - 1) << 3) | 2;
    }
}
