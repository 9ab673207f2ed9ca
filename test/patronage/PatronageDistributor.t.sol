// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {PatronageDistributor} from "../../contracts/patronage/PatronageDistributor.sol";
import {IPatronageDistributor} from "../../contracts/interfaces/IPatronageDistributor.sol";
import {TestToken, FeeOnTransferToken} from "../../contracts/mocks/patronage/TestTokens.sol";
import {ReentrantClaimer} from "../../contracts/mocks/patronage/ReentrantClaimer.sol";
import {PatronageFixture} from "../utils/PatronageFixture.sol";

/// @notice The distributor: finalization, pots, claims under the pay-ratio cap, sweeps; refusals that change nothing.
contract PatronageDistributorTest is PatronageFixture {
    /// @dev The worked example of docs/patronage.md: five contributors, one member without contributions.
    uint256[5] internal EXAMPLE_UNITS = [uint256(10), 20, 40, 100, 200];
    uint256[5] internal EXAMPLE_SHARES = [uint256(52_631), 105_263, 210_526, 315_786, 315_786];
    uint256 internal constant POT = 1_000_000;

    address[] internal m;
    address internal outsider;

    receive() external payable {}

    function setUp() public {
        m = _deployPatronage(8);
        outsider = _memberAddr(999);
        vm.deal(address(this), 1_000 ether);
    }

    /// @dev m[0..4] contribute the example's units in period 0 (attested by the next member); m[5..7] contribute nothing.
    function _contributeExample() internal {
        for (uint256 i = 0; i < 5; ++i) _contribute(m[i], m[i + 1], EXAMPLE_UNITS[i]);
    }

    function _finalizedExample() internal {
        _contributeExample();
        _finalize(0, m);
    }

    function _ethPot() internal returns (uint256 potId) {
        _finalizedExample();
        potId = distributor.allocate{value: POT}(0, address(0), POT);
    }

    function _claim(address member, uint256 potId) internal returns (uint256 amount) {
        vm.prank(member);
        amount = distributor.claim(potId);
    }

    /// @dev One word that changes whenever the pot, its claims, the finalization or the balances involved change.
    function _distributorState(uint256 potId, uint256 period) internal view returns (bytes32 h) {
        h = keccak256(
            abi.encode(
                distributor.pot(potId),
                distributor.finalization(period),
                distributor.potCount(),
                address(distributor).balance,
                address(this).balance
            )
        );
        for (uint256 i = 0; i < m.length; ++i) {
            uint256 id = card.cardOf(m[i]);
            h = keccak256(abi.encode(h, m[i].balance, distributor.hasClaimed(potId, id)));
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Finalization
    // ------------------------------------------------------------------------------------------------

    /// Submitted smallest first, a period is finalized with u_min, the ratio at its close and the capped sum S.
    function test_finalize_recordsMinimumRatioAndCappedSum() public {
        _contributeExample();
        _warpPastReview(0);
        uint256[] memory order = _finalizationOrder(0, m);
        assertEq(order.length, 5, "five contributors");
        assertTrue(distributor.finalize(0, order), "finalized");
        IPatronageDistributor.Finalization memory f = distributor.finalization(0);
        assertTrue(f.finalized, "finalized");
        assertEq(f.minUnits, 10, "u_min");
        assertEq(f.ratio, 6, "R");
        assertEq(f.submitted, 5, "all five");
        assertEq(f.generation, 0, "first pass");
        assertEq(f.cappedSum, 190, "S = 10 + 20 + 40 + 60 + 60");
    }

    /// Chunks: the period is finalized by the call that submits its last contributor; after the minimum, any order.
    function test_finalize_inChunks_anyOrderAfterTheMinimum() public {
        _contributeExample();
        _warpPastReview(0);
        uint256[] memory first = new uint256[](2);
        first[0] = card.cardOf(m[0]); // 10 units: the minimum
        first[1] = card.cardOf(m[4]); // 200
        assertFalse(distributor.finalize(0, first), "not yet");
        assertEq(distributor.finalization(0).submitted, 2, "two so far");
        assertEq(distributor.finalization(0).cappedSum, 70, "10 + 60");
        uint256[] memory second = new uint256[](3);
        second[0] = card.cardOf(m[3]);
        second[1] = card.cardOf(m[1]);
        second[2] = card.cardOf(m[2]);
        assertTrue(distributor.finalize(0, second), "done");
        assertEq(distributor.finalization(0).cappedSum, 190, "same S as in order");
    }

    /// A wrong first contributor cannot block finalization: a smaller one starts the pass over (a new generation).
    function test_finalize_wrongFirst_startsOverAtTheTrueMinimum() public {
        _contributeExample();
        _warpPastReview(0);
        uint256[] memory grief = new uint256[](2);
        grief[0] = card.cardOf(m[4]); // 200 units, not the minimum
        grief[1] = card.cardOf(m[3]); // 100
        distributor.finalize(0, grief);
        // 100 < 200 already started the griefer's own pass over once.
        assertEq(distributor.finalization(0).minUnits, 100, "the griefer's minimum");
        assertEq(distributor.finalization(0).generation, 1, "100 undercut 200");
        assertTrue(distributor.finalize(0, _finalizationOrder(0, m)), "the honest list finalizes");
        IPatronageDistributor.Finalization memory f = distributor.finalization(0);
        assertEq(f.generation, 2, "10 undercut 100");
        assertEq(f.minUnits, 10, "true u_min");
        assertEq(f.cappedSum, 190, "true S");
        assertEq(f.submitted, 5, "five");
    }

    /// A period without validated contributions is finalized by an empty list; no pot can be allocated to it.
    function test_finalize_emptyPeriod_thenNothingToShare() public {
        uint256 id = _record(m[0], 5); // never attested: adds nothing
        _warpPastReview(0);
        assertTrue(distributor.finalize(0, new uint256[](0)), "finalized empty");
        assertEq(ledger.entry(id).attestations, 0, "pending");
        bytes32 before = _distributorState(1, 0);
        vm.expectRevert(abi.encodeWithSelector(IPatronageDistributor.PatronageDistributorNothingToShare.selector, 0));
        distributor.allocate{value: 1 ether}(0, address(0), 1 ether);
        assertEq(uint256(_distributorState(1, 0)), uint256(before), "state changed");
    }

    /// Before its review ends a period cannot be finalized: PatronageDistributorPeriodUnderReview(period, reviewEnd).
    function test_finalize_underReview_reverts() public {
        _contributeExample();
        (, , uint256 reviewEnd) = ledger.periodTimes(0);
        vm.warp(reviewEnd - 1);
        uint256[] memory order = _finalizationOrder(0, m);
        bytes32 before = _distributorState(0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IPatronageDistributor.PatronageDistributorPeriodUnderReview.selector, 0, reviewEnd)
        );
        distributor.finalize(0, order);
        assertEq(uint256(_distributorState(0, 0)), uint256(before), "state changed");
    }

    /// A card the current pass counted already is skipped, not refused: submitting it again changes nothing.
    function test_finalize_cardCountedAlready_isSkipped() public {
        _contributeExample();
        _warpPastReview(0);
        uint256[] memory first = new uint256[](2);
        first[0] = card.cardOf(m[0]);
        first[1] = card.cardOf(m[1]);
        distributor.finalize(0, first);
        bytes32 before = _distributorState(0, 0);
        uint256[] memory again = new uint256[](3);
        again[0] = card.cardOf(m[1]);
        again[1] = card.cardOf(m[0]);
        again[2] = card.cardOf(m[1]);
        assertFalse(distributor.finalize(0, again), "not finalized");
        assertEq(uint256(_distributorState(0, 0)), uint256(before), "state changed");
        assertEq(distributor.finalization(0).submitted, 2, "still two");
        assertEq(distributor.finalization(0).cappedSum, 30, "10 + 20");
    }

    /// Front-running an honest chunk with one of its cards no longer sinks it: the chunk counts the rest and finalizes.
    function test_finalize_frontRunWithOneOfItsCards_stillFinalizes() public {
        _contributeExample();
        _warpPastReview(0);
        uint256[] memory order = _finalizationOrder(0, m);
        uint256[] memory front = new uint256[](2);
        front[0] = order[0];
        front[1] = order[3];
        distributor.finalize(0, front);
        assertTrue(distributor.finalize(0, order), "the honest chunk finalizes");
        IPatronageDistributor.Finalization memory f = distributor.finalization(0);
        assertEq(f.submitted, 5, "each contributor once");
        assertEq(f.cappedSum, 190, "the worked example's capped sum");
    }

    /// submittedInPass says which cards the current pass counted; a new minimum starts a pass that counted none.
    function test_submittedInPass_followsTheCurrentPass() public {
        _contributeExample();
        _warpPastReview(0);
        uint256[] memory order = _finalizationOrder(0, m);
        bool[] memory none = distributor.submittedInPass(0, order);
        for (uint256 i = 0; i < order.length; ++i) assertFalse(none[i], "nothing submitted yet");

        uint256[] memory wrongFirst = new uint256[](2);
        wrongFirst[0] = order[2]; // not the smallest: a pass that the true minimum will restart
        wrongFirst[1] = order[4];
        distributor.finalize(0, wrongFirst);
        bool[] memory seen = distributor.submittedInPass(0, order);
        assertTrue(seen[4] && seen[2], "the two submitted");
        assertFalse(seen[0] || seen[1] || seen[3], "the others not");

        uint256[] memory minimum = new uint256[](1);
        minimum[0] = order[0];
        distributor.finalize(0, minimum);
        seen = distributor.submittedInPass(0, order);
        assertTrue(seen[0], "the minimum starts the new pass");
        assertFalse(seen[1] || seen[2] || seen[3] || seen[4], "the earlier pass does not count");
    }

    /// Documented limit: the smallest contributor sets the cap for everyone. A 1-unit entry validated in the period
    /// lowers the cap to R units, so 600 + 600 + 100 + 100 are shared as 6 + 6 + 6 + 6 + 1 (docs/threat-model.md).
    function test_tinyEntry_lowersEveryonesCap() public {
        _contribute(m[0], m[1], 600);
        _contribute(m[1], m[2], 600);
        _contribute(m[2], m[3], 100);
        _contribute(m[3], m[4], 100);
        _contribute(m[4], m[5], 1);
        _finalize(0, m);
        IPatronageDistributor.Finalization memory f = distributor.finalization(0);
        assertEq(f.minUnits, 1, "the 1-unit entry is the minimum");
        assertEq(f.cappedSum, 25, "four capped at 6, plus 1");
        uint256 potId = distributor.allocate{value: POT}(0, address(0), POT);
        assertEq(
            distributor.shareOf(potId, card.cardOf(m[0])),
            distributor.shareOf(potId, card.cardOf(m[2])),
            "600 = 100"
        );
        assertEq(distributor.shareOf(potId, card.cardOf(m[4])), POT / 25, "the 1-unit card gets 1/25");
    }

    /// The defence: governance may void such an entry until the review ends, and the period is shared as if it never
    /// was (cap 6 x 100 = 600: nobody capped).
    function test_tinyEntry_voidedDuringReview_restoresTheCap() public {
        _contribute(m[0], m[1], 600);
        _contribute(m[1], m[2], 600);
        _contribute(m[2], m[3], 100);
        _contribute(m[3], m[4], 100);
        uint256 tiny = _contribute(m[4], m[5], 1);
        (, uint256 end, ) = ledger.periodTimes(0);
        vm.warp(end); // closed, under review
        ledger.voidEntry(tiny, "a token entry recorded to lower the cap");
        _finalize(0, m);
        IPatronageDistributor.Finalization memory f = distributor.finalization(0);
        assertEq(f.minUnits, 100, "the smallest real contribution");
        assertEq(f.cappedSum, 1_400, "nobody capped");
    }

    /// A card without validated units (none recorded, or voided): PatronageDistributorNotContributor(period, cardId).
    function test_finalize_nonContributor_reverts() public {
        _contributeExample();
        uint256 voided = _contribute(m[5], m[0], 1);
        ledger.voidEntry(voided, "not delivered");
        _warpPastReview(0);
        uint256[] memory list = _finalizationOrder(0, m);
        uint256[] memory withVoided = new uint256[](6);
        for (uint256 i = 0; i < 5; ++i) withVoided[i] = list[i];
        withVoided[5] = card.cardOf(m[5]);
        bytes32 before = _distributorState(0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPatronageDistributor.PatronageDistributorNotContributor.selector,
                0,
                card.cardOf(m[5])
            )
        );
        distributor.finalize(0, withVoided);
        assertEq(uint256(_distributorState(0, 0)), uint256(before), "state changed");
    }

    /// Once finalized, a period never changes: PatronageDistributorAlreadyFinalized(period).
    function test_finalize_twice_reverts() public {
        _finalizedExample();
        bytes32 before = _distributorState(0, 0);
        vm.expectRevert(abi.encodeWithSelector(IPatronageDistributor.PatronageDistributorAlreadyFinalized.selector, 0));
        distributor.finalize(0, new uint256[](0));
        assertEq(uint256(_distributorState(0, 0)), uint256(before), "state changed");
    }

    /// A period's ratio is the one in force before it closed: a change afterwards applies to later periods only.
    function test_payRatio_ofAPeriodIsTheOneAtItsClose() public {
        _contributeExample();
        vm.warp(DEPLOY_TIME + PERIOD + 1);
        distributor.setPayRatio(3);
        assertEq(distributor.payRatio(), 3, "now 3");
        assertEq(distributor.payRatioOf(0), 6, "period 0 closed under 6");
        assertEq(distributor.payRatioOf(1), 3, "period 1 closes under 3");
        assertEq(distributor.payRatioOf(2 ** 40), 3, "a far period: the latest");
        _finalize(0, m);
        assertEq(distributor.finalization(0).ratio, 6, "finalized under 6");

        // A distributor deployed after a period closed uses its first ratio for it.
        PatronageDistributor late = new PatronageDistributor(ledger, 4, CLAIM_WINDOW, address(this));
        assertEq(late.payRatioOf(0), 4, "first ratio");
        assertEq(address(late.ledger()), address(ledger), "ledger");
    }

    /// @dev Sets the ratio to 3 at `when` (period 0 closes at DEPLOY_TIME + PERIOD), then finalizes period 0.
    function _ratioChangeAt(uint256 when) internal returns (uint256 ratioOfPeriod0, uint256 ratioOfPeriod1) {
        _contributeExample();
        vm.warp(when);
        distributor.setPayRatio(3);
        assertEq(distributor.payRatio(), 3, "in force now");
        ratioOfPeriod0 = distributor.payRatioOf(0);
        ratioOfPeriod1 = distributor.payRatioOf(1);
        _finalize(0, m);
        assertEq(distributor.finalization(0).ratio, ratioOfPeriod0, "finalized under the ratio payRatioOf gives");
    }

    /// A change at a period's last second (end - 1) is in force strictly before its end: the period is shared under it.
    function test_payRatio_changeAtTheLastSecond_appliesToThePeriod() public {
        (uint256 r0, uint256 r1) = _ratioChangeAt(DEPLOY_TIME + PERIOD - 1);
        assertEq(r0, 3, "period 0 under the new ratio");
        assertEq(r1, 3, "period 1 too");
    }

    /// A change at the closing second (end) belongs to the next period: the period that just closed keeps its ratio.
    function test_payRatio_changeAtTheClosingSecond_appliesToTheNextPeriodOnly() public {
        (uint256 r0, uint256 r1) = _ratioChangeAt(DEPLOY_TIME + PERIOD);
        assertEq(r0, 6, "period 0 keeps 6");
        assertEq(r1, 3, "period 1 under 3");
    }

    /// A change a second after the close (end + 1) applies to the next period only.
    function test_payRatio_changeAfterTheClose_appliesToTheNextPeriodOnly() public {
        (uint256 r0, uint256 r1) = _ratioChangeAt(DEPLOY_TIME + PERIOD + 1);
        assertEq(r0, 6, "period 0 keeps 6");
        assertEq(r1, 3, "period 1 under 3");
    }

    // ------------------------------------------------------------------------------------------------
    // Allocation
    // ------------------------------------------------------------------------------------------------

    /// An ETH pot records the amount, the period's figures, the claim deadline and the largest share.
    function test_allocateEth_recordsThePot() public {
        uint256 potId = _ethPot();
        assertEq(potId, 1, "first pot");
        assertEq(distributor.potCount(), 1, "one pot");
        IPatronageDistributor.Pot memory p = distributor.pot(potId);
        assertEq(p.token, address(0), "ETH");
        assertEq(p.period, 0, "period 0");
        assertEq(p.amount, POT, "amount");
        assertEq(p.claimed, 0, "nothing claimed");
        assertEq(p.deadline, block.timestamp + CLAIM_WINDOW, "deadline");
        assertEq(p.unitCap, 60, "C = 6 x 10");
        assertEq(p.cappedSum, 190, "S");
        assertEq(p.maxShare, 6 * 52_631, "R x floor(P u_min / S)");
        assertFalse(p.swept, "not swept");
        assertEq(address(distributor).balance, POT, "held");
        for (uint256 i = 0; i < 5; ++i) {
            assertEq(distributor.shareOf(potId, card.cardOf(m[i])), EXAMPLE_SHARES[i], "share");
        }
        assertEq(distributor.shareOf(potId, card.cardOf(m[5])), 0, "no units, no share");
        assertEq(distributor.shareOf(99, 1), 0, "unknown pot");
    }

    /// An ERC-20 pot is pulled from governance with SafeERC20; with a fee-taking token, what arrived counts.
    function test_allocateToken_pullsWhatWasApproved() public {
        _finalizedExample();
        TestToken token = new TestToken();
        token.mint(address(this), 5_000);
        token.approve(address(distributor), 5_000);
        uint256 potId = distributor.allocate(0, address(token), 5_000);
        assertEq(token.balanceOf(address(distributor)), 5_000, "pulled");
        assertEq(distributor.pot(potId).amount, 5_000, "amount");

        FeeOnTransferToken fee = new FeeOnTransferToken(1_000); // 10%
        fee.mint(address(this), 10_000);
        fee.approve(address(distributor), 10_000);
        uint256 feePot = distributor.allocate(0, address(fee), 10_000);
        assertEq(distributor.pot(feePot).amount, 9_000, "what arrived");
        uint256 paid = _claim(m[0], feePot);
        assertEq(paid, uint256(9_000 * 10) / 190, "share of what arrived");
        assertEq(fee.balanceOf(m[0]), paid - paid / 10, "the token took its fee on the way out too");
    }

    /// Only governance allocates: OwnableUnauthorizedAccount(caller).
    function test_allocateByMember_reverts() public {
        _finalizedExample();
        vm.deal(m[0], 1 ether);
        bytes32 before = _distributorState(1, 0);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, m[0]));
        vm.prank(m[0]);
        distributor.allocate{value: 1 ether}(0, address(0), 1 ether);
        assertEq(uint256(_distributorState(1, 0)), uint256(before), "state changed");
    }

    /// A pot goes to a finalized period only: PatronageDistributorNotFinalized(period).
    function test_allocateBeforeFinalization_reverts() public {
        _contributeExample();
        _warpPastReview(0);
        bytes32 before = _distributorState(1, 0);
        vm.expectRevert(abi.encodeWithSelector(IPatronageDistributor.PatronageDistributorNotFinalized.selector, 0));
        distributor.allocate{value: 1 ether}(0, address(0), 1 ether);
        assertEq(uint256(_distributorState(1, 0)), uint256(before), "state changed");
    }

    /// A pot is more than zero and its ETH matches: PatronageDistributorInvalidAllocation(token, amount, value).
    function test_allocateInvalidAmounts_revert() public {
        _finalizedExample();
        TestToken token = new TestToken();
        token.mint(address(this), 100);
        token.approve(address(distributor), 100);
        FeeOnTransferToken eatsAll = new FeeOnTransferToken(10_000);
        eatsAll.mint(address(this), 100);
        eatsAll.approve(address(distributor), 100);
        bytes32 before = _distributorState(1, 0);
        bytes4 sel = IPatronageDistributor.PatronageDistributorInvalidAllocation.selector;

        vm.expectRevert(abi.encodeWithSelector(sel, address(0), 0, 0));
        distributor.allocate(0, address(0), 0);
        vm.expectRevert(abi.encodeWithSelector(sel, address(0), 2 ether, 1 ether));
        distributor.allocate{value: 1 ether}(0, address(0), 2 ether);
        vm.expectRevert(abi.encodeWithSelector(sel, address(token), 0, 0));
        distributor.allocate(0, address(token), 0);
        vm.expectRevert(abi.encodeWithSelector(sel, address(token), 100, 1));
        distributor.allocate{value: 1}(0, address(token), 100);
        vm.expectRevert(abi.encodeWithSelector(sel, address(eatsAll), 100, 0));
        distributor.allocate(0, address(eatsAll), 100);

        assertEq(uint256(_distributorState(1, 0)), uint256(before), "state changed");
        assertEq(token.balanceOf(address(distributor)), 0, "no token pulled");
    }

    // ------------------------------------------------------------------------------------------------
    // Claims
    // ------------------------------------------------------------------------------------------------

    /// Each contributor claims their share once; the sum stays under the pot; the rest is swept after the deadline.
    function test_claimsAndSweep_theWholeFlow() public {
        uint256 potId = _ethPot();
        uint256 total = 0;
        for (uint256 i = 0; i < 5; ++i) {
            uint256 before = m[i].balance;
            assertEq(distributor.claimable(potId, m[i]), EXAMPLE_SHARES[i], "claimable");
            assertEq(_claim(m[i], potId), EXAMPLE_SHARES[i], "claimed");
            assertEq(m[i].balance - before, EXAMPLE_SHARES[i], "paid");
            assertTrue(distributor.hasClaimed(potId, card.cardOf(m[i])), "marked");
            assertEq(distributor.claimable(potId, m[i]), 0, "nothing more");
            total += EXAMPLE_SHARES[i];
        }
        assertEq(distributor.pot(potId).claimed, total, "claimed in all");
        assertEq(total, 999_992, "the worked example");
        assertEq(distributor.claimable(potId, outsider), 0, "an outsider has nothing");

        IPatronageDistributor.Pot memory p = distributor.pot(potId);
        vm.warp(p.deadline + 1);
        assertEq(distributor.claimable(potId, m[0]), 0, "closed");
        uint256 treasuryBefore = address(this).balance;
        vm.prank(outsider); // anyone may sweep
        assertEq(distributor.sweep(potId), 8, "the dust");
        assertEq(address(this).balance - treasuryBefore, 8, "back to the treasury");
        assertEq(address(distributor).balance, 0, "nothing left");
        assertTrue(distributor.pot(potId).swept, "swept");
    }

    /// A card claims a pot once: PatronageDistributorAlreadyClaimed(potId, cardId).
    function test_claimTwice_reverts() public {
        uint256 potId = _ethPot();
        _claim(m[2], potId);
        bytes32 before = _distributorState(potId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPatronageDistributor.PatronageDistributorAlreadyClaimed.selector,
                potId,
                card.cardOf(m[2])
            )
        );
        vm.prank(m[2]);
        distributor.claim(potId);
        assertEq(uint256(_distributorState(potId, 0)), uint256(before), "state changed");
    }

    /// No pot, no claim: PatronageDistributorUnknownPot(potId) (before any allocation, and for sweeps).
    function test_claimBeforeAllocation_reverts() public {
        _finalizedExample();
        bytes32 before = _distributorState(1, 0);
        vm.expectRevert(abi.encodeWithSelector(IPatronageDistributor.PatronageDistributorUnknownPot.selector, 1));
        vm.prank(m[0]);
        distributor.claim(1);
        vm.expectRevert(abi.encodeWithSelector(IPatronageDistributor.PatronageDistributorUnknownPot.selector, 1));
        distributor.sweep(1);
        assertEq(uint256(_distributorState(1, 0)), uint256(before), "state changed");
    }

    /// Only current members claim: PatronageDistributorNotMember(account); an expelled member's share stays for the sweep.
    function test_claimByNonMemberOrExpelled_reverts() public {
        uint256 potId = _ethPot();
        card.expel(m[4], "left the co-op in bad faith");
        bytes32 before = _distributorState(potId, 0);
        vm.expectRevert(abi.encodeWithSelector(IPatronageDistributor.PatronageDistributorNotMember.selector, outsider));
        vm.prank(outsider);
        distributor.claim(potId);
        vm.expectRevert(abi.encodeWithSelector(IPatronageDistributor.PatronageDistributorNotMember.selector, m[4]));
        vm.prank(m[4]);
        distributor.claim(potId);
        assertEq(uint256(_distributorState(potId, 0)), uint256(before), "state changed");
        assertEq(distributor.claimable(potId, m[4]), 0, "nothing claimable");

        for (uint256 i = 0; i < 4; ++i) _claim(m[i], potId);
        vm.warp(distributor.pot(potId).deadline + 1);
        assertEq(distributor.sweep(potId), 315_786 + 8, "the expelled member's share and the dust");
    }

    /// A member without validated units (a voided entry, or none): PatronageDistributorNothingToClaim(potId, cardId).
    function test_claimForVoidedEntry_reverts() public {
        _contributeExample();
        uint256 voided = _contribute(m[5], m[0], 500);
        ledger.voidEntry(voided, "invoice was fake");
        _finalize(0, m);
        uint256 potId = distributor.allocate{value: POT}(0, address(0), POT);
        bytes32 before = _distributorState(potId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPatronageDistributor.PatronageDistributorNothingToClaim.selector,
                potId,
                card.cardOf(m[5])
            )
        );
        vm.prank(m[5]);
        distributor.claim(potId);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPatronageDistributor.PatronageDistributorNothingToClaim.selector,
                potId,
                card.cardOf(m[6])
            )
        );
        vm.prank(m[6]);
        distributor.claim(potId);
        assertEq(uint256(_distributorState(potId, 0)), uint256(before), "state changed");
    }

    /// Claims end at the deadline: PatronageDistributorClaimClosed(potId, deadline).
    function test_claimAfterDeadline_reverts() public {
        uint256 potId = _ethPot();
        uint256 deadline = distributor.pot(potId).deadline;
        vm.warp(deadline);
        _claim(m[0], potId); // the deadline itself is still open
        vm.warp(deadline + 1);
        bytes32 before = _distributorState(potId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IPatronageDistributor.PatronageDistributorClaimClosed.selector, potId, deadline)
        );
        vm.prank(m[1]);
        distributor.claim(potId);
        assertEq(uint256(_distributorState(potId, 0)), uint256(before), "state changed");
    }

    /// A sweep waits for the deadline (ClaimOpen) and happens once (AlreadySwept).
    function test_sweepEarlyOrTwice_reverts() public {
        uint256 potId = _ethPot();
        uint256 deadline = distributor.pot(potId).deadline;
        vm.warp(deadline);
        bytes32 before = _distributorState(potId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IPatronageDistributor.PatronageDistributorClaimOpen.selector, potId, deadline)
        );
        distributor.sweep(potId);
        assertEq(uint256(_distributorState(potId, 0)), uint256(before), "state changed");

        vm.warp(deadline + 1);
        assertEq(distributor.sweep(potId), POT, "nobody claimed: all of it");
        before = _distributorState(potId, 0);
        vm.expectRevert(abi.encodeWithSelector(IPatronageDistributor.PatronageDistributorAlreadySwept.selector, potId));
        distributor.sweep(potId);
        assertEq(uint256(_distributorState(potId, 0)), uint256(before), "state changed");
    }

    /// A token pot's rest is swept in the token; a pot claimed to the last unit sweeps nothing.
    function test_sweepToken_andNothingLeft() public {
        _contribute(m[0], m[1], 5);
        _contribute(m[1], m[0], 5);
        _finalize(0, m);
        TestToken token = new TestToken();
        token.mint(address(this), 1_001);
        token.approve(address(distributor), 1_001);
        uint256 tokenPot = distributor.allocate(0, address(token), 1_001);
        uint256 ethPot = distributor.allocate{value: 1_000}(0, address(0), 1_000);
        assertEq(_claim(m[0], tokenPot), 500, "half, rounded down");
        _claim(m[0], ethPot);
        _claim(m[1], ethPot);
        vm.warp(distributor.pot(tokenPot).deadline + 1);
        assertEq(distributor.sweep(tokenPot), 501, "m[1]'s share and the dust");
        assertEq(token.balanceOf(address(this)), 501, "in the token");
        uint256 before = address(this).balance;
        assertEq(distributor.sweep(ethPot), 0, "all claimed");
        assertEq(address(this).balance, before, "nothing sent");
    }

    // ------------------------------------------------------------------------------------------------
    // Re-entrancy, voice
    // ------------------------------------------------------------------------------------------------

    /// A member contract that re-enters claim (or sweep) when paid is paid once: the guard refuses the re-entry.
    function test_reentrantReceiver_isPaidOnce() public {
        ReentrantClaimer claimer = new ReentrantClaimer(ledger, distributor);
        card.admit(address(claimer));
        uint256 id = claimer.record(50);
        _attest(m[0], id);
        _contribute(m[1], m[0], 50);
        address[] memory withClaimer = new address[](2);
        withClaimer[0] = m[1];
        withClaimer[1] = address(claimer);
        _finalize(0, withClaimer);
        uint256 potId = distributor.allocate{value: 1_000}(0, address(0), 1_000);

        // Bubbling: the whole claim reverts with the guard's error and nothing changes.
        claimer.arm(abi.encodeCall(distributor.claim, (potId)), true);
        bytes32 before = _distributorState(potId, 0);
        vm.expectRevert(abi.encodeWithSelector(ReentrancyGuard.ReentrancyGuardReentrantCall.selector));
        claimer.claim(potId);
        assertEq(uint256(_distributorState(potId, 0)), uint256(before), "state changed");
        assertEq(address(claimer).balance, 0, "not paid");

        // Swallowing: the re-entry fails, the one payment stands.
        claimer.arm(abi.encodeCall(distributor.sweep, (potId)), false);
        assertEq(claimer.claim(potId), 500, "half");
        assertEq(address(claimer).balance, 500, "paid once");
        assertEq(claimer.payments(), 1, "one payment");
        assertFalse(claimer.reentered(), "re-entry refused");
        assertTrue(
            keccak256(claimer.reentryData()) ==
                keccak256(abi.encodeWithSelector(ReentrancyGuard.ReentrancyGuardReentrantCall.selector)),
            "by the guard"
        );
        assertEq(distributor.pot(potId).claimed, 500, "claimed once");
    }

    /// Claims never change voice: credit accounts and deposits are the same before and after.
    function test_claims_touchNoCredits() public {
        uint256 potId = _ethPot();
        bytes32 before = _creditState();
        for (uint256 i = 0; i < 5; ++i) _claim(m[i], potId);
        assertEq(uint256(_creditState()), uint256(before), "credits changed");
    }

    // ------------------------------------------------------------------------------------------------
    // Governance parameters
    // ------------------------------------------------------------------------------------------------

    /// The ratio is from 1 to 1000 and the claim window from 1 day to 10 years: PatronageDistributorInvalidParameter.
    function test_setInvalidParameters_revert() public {
        bytes4 sel = IPatronageDistributor.PatronageDistributorInvalidParameter.selector;
        vm.expectRevert(abi.encodeWithSelector(sel, "payRatio", 0));
        distributor.setPayRatio(0);
        vm.expectRevert(abi.encodeWithSelector(sel, "payRatio", 1001));
        distributor.setPayRatio(1001);
        vm.expectRevert(abi.encodeWithSelector(sel, "claimWindow", 1 days - 1));
        distributor.setClaimWindow(1 days - 1);
        vm.expectRevert(abi.encodeWithSelector(sel, "claimWindow", 10 * 365 days + 1));
        distributor.setClaimWindow(10 * 365 days + 1);
        assertEq(distributor.payRatio(), RATIO, "ratio unchanged");
        assertEq(distributor.claimWindow(), CLAIM_WINDOW, "window unchanged");
        distributor.setClaimWindow(1 days);
        assertEq(distributor.claimWindow(), 1 days, "set");
    }

    /// Only governance sets them: OwnableUnauthorizedAccount(caller).
    function test_setParametersByMember_revert() public {
        bytes memory err = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, m[0]);
        vm.startPrank(m[0]);
        vm.expectRevert(err);
        distributor.setPayRatio(2);
        vm.expectRevert(err);
        distributor.setClaimWindow(2 days);
        vm.stopPrank();
        assertEq(distributor.payRatio(), RATIO, "ratio unchanged");
        assertEq(distributor.claimWindow(), CLAIM_WINDOW, "window unchanged");
    }

    // ------------------------------------------------------------------------------------------------
    // Fuzz
    // ------------------------------------------------------------------------------------------------

    /// For any distribution of units, any ratio, any pot and any order of finalization and claims: claims never exceed
    /// the pot, no share exceeds R times the smallest, each claim is the share computed before anyone claimed, and the
    /// sweep returns exactly the rest.
    function testFuzz_claimsNeverExceedThePot_andTheRatioHolds(
        uint64[8] memory rawUnits,
        uint16 ratio,
        uint128 potSeed,
        uint256 orderSeed
    ) public {
        uint256 r = bound(ratio, 1, 1000);
        distributor.setPayRatio(r);
        uint256 contributors = 0;
        for (uint256 i = 0; i < 8; ++i) {
            // About one member in four contributes nothing.
            if (rawUnits[i] % 4 == 3) continue;
            _contribute(m[i], m[(i + 1) % 8], bound(rawUnits[i], 1, type(uint64).max));
            ++contributors;
        }
        vm.assume(contributors > 0);
        _warpPastReview(0);
        uint256[] memory order = _shuffledAfterFirst(_finalizationOrder(0, m), orderSeed);
        // Two chunks, split anywhere.
        uint256 cut = bound(orderSeed >> 128, 0, order.length);
        if (cut < order.length) assertFalse(distributor.finalize(0, _slice(order, 0, cut)), "first chunk");
        assertTrue(distributor.finalize(0, _slice(order, cut < order.length ? cut : 0, order.length)), "finalized");

        uint256 amount = bound(potSeed, 1, type(uint128).max);
        vm.deal(address(this), amount);
        uint256 potId = distributor.allocate{value: amount}(0, address(0), amount);

        uint256[8] memory expected;
        for (uint256 i = 0; i < 8; ++i) expected[i] = distributor.shareOf(potId, card.cardOf(m[i]));
        uint256 total = 0;
        uint256 smallest = type(uint256).max;
        uint256 largest = 0;
        uint256[] memory claimOrder = _shuffledAfterFirst(_identity(8), orderSeed >> 64);
        for (uint256 k = 0; k < 8; ++k) {
            uint256 i = claimOrder[k];
            uint256 units = ledger.validatedUnits(0, card.cardOf(m[i]));
            if (units == 0 || expected[i] == 0) continue;
            uint256 paid = _claim(m[i], potId);
            assertEq(paid, expected[i], "claim differs from the share before any claim");
            total += paid;
            if (paid < smallest) smallest = paid;
            if (paid > largest) largest = paid;
        }
        assertLe(total, amount, "claims exceed the pot");
        if (total > 0) assertLe(largest, r * smallest, "ratio broken");
        assertEq(address(distributor).balance, amount - total, "the distributor holds the rest");

        vm.warp(distributor.pot(potId).deadline + 1);
        assertEq(distributor.sweep(potId), amount - total, "the sweep returns the rest");
        assertEq(address(distributor).balance, 0, "nothing stranded");
    }

    /// Splitting a contribution into several entries, or recording it in another order, gives the same share.
    function testFuzz_splittingOrOrdering_givesTheSameShare(uint32 unitsSeed, uint8 pieces, uint64 otherSeed) public {
        uint256 units = bound(unitsSeed, 1, type(uint32).max);
        uint256 n = bound(pieces, 1, 8);
        if (n > units) n = units;
        uint256 other = bound(otherSeed, 1, type(uint64).max);
        // m[1] records the units whole; m[0] in n pieces; m[2] contributes `other`.
        _contribute(m[2], m[3], other);
        uint256 left = units;
        for (uint256 i = 0; i < n; ++i) {
            uint256 piece = i == n - 1 ? left : left / (n - i);
            left -= piece;
            _contribute(m[0], m[3 + (i % 4)], piece);
        }
        _contribute(m[1], m[3], units);
        _finalize(0, m);
        uint256 potId = distributor.allocate{value: 1 ether}(0, address(0), 1 ether);
        uint256 whole = distributor.shareOf(potId, card.cardOf(m[1]));
        assertEq(distributor.shareOf(potId, card.cardOf(m[0])), whole, "split != whole");
        // Claiming in either order pays the same.
        if (whole > 0) {
            uint256 first = _claim(m[0], potId);
            assertEq(_claim(m[1], potId), first, "second claimer paid differently");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    function _shuffledAfterFirst(uint256[] memory list, uint256 seed) internal pure returns (uint256[] memory) {
        for (uint256 i = list.length; i > 2; --i) {
            uint256 j = 1 + (uint256(keccak256(abi.encode(seed, i))) % (i - 1));
            (list[i - 1], list[j]) = (list[j], list[i - 1]);
        }
        return list;
    }

    function _identity(uint256 n) internal pure returns (uint256[] memory list) {
        list = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) list[i] = i;
    }

    function _slice(uint256[] memory list, uint256 from, uint256 to) internal pure returns (uint256[] memory out) {
        out = new uint256[](to - from);
        for (uint256 i = from; i < to; ++i) out[i - from] = list[i];
    }

    function _creditState() internal view returns (bytes32 h) {
        for (uint256 i = 0; i < m.length; ++i) {
            (uint256 balance, uint256 epoch, uint256 since, uint256 cardId) = credits.accountOf(m[i]);
            h = keccak256(abi.encode(h, balance, epoch, since, cardId, credits.balanceOf(m[i])));
        }
        h = keccak256(abi.encode(h, credits.heldDeposits(), governor.proposalCount()));
    }
}
