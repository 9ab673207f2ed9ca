// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ContributionLedger} from "../../contracts/patronage/ContributionLedger.sol";
import {IContributionLedger} from "../../contracts/interfaces/IContributionLedger.sol";
import {Vm} from "../utils/Vm.sol";
import {PatronageFixture} from "../utils/PatronageFixture.sol";

/// @notice The contribution ledger: record, attest, validate, void; periods; refusals that change nothing.
contract ContributionLedgerTest is PatronageFixture {
    address internal alice;
    address internal bob;
    address internal carol;
    address internal outsider;

    function setUp() public {
        address[] memory m = _deployPatronage(3);
        alice = m[0];
        bob = m[1];
        carol = m[2];
        outsider = _memberAddr(999);
    }

    // ------------------------------------------------------------------------------------------------
    // Recording and attesting
    // ------------------------------------------------------------------------------------------------

    /// A member's record is a pending entry of their card in the current period, with the threshold in force.
    function test_record_storesPendingEntryOfTheCardInTheCurrentPeriod() public {
        vm.warp(DEPLOY_TIME + PERIOD + 5);
        vm.recordLogs();
        vm.prank(alice);
        uint256 id = ledger.record("goods", 40, keccak256("receipt"), "ipfs://receipt");
        assertEq(id, 1, "first entry");
        assertEq(ledger.entryCount(), 1, "one entry");
        IContributionLedger.Entry memory e = ledger.entry(id);
        assertEq(e.cardId, card.cardOf(alice), "alice's card");
        assertEq(e.period, 1, "period 1");
        assertEq(e.units, 40, "units");
        assertEq(e.threshold, 1, "threshold copied");
        assertEq(e.attestations, 0, "no attestation");
        assertTrue(e.status == IContributionLedger.Status.Pending, "pending");
        (uint256 units, uint256 contributors) = ledger.periodTotals(1);
        assertEq(units, 0, "nothing counts before attestation");
        assertEq(contributors, 0, "no contributor yet");

        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "one event");
        assertEq(uint256(logs[0].topics[0]), uint256(IContributionLedger.ContributionRecorded.selector), "event");
        assertEq(uint256(logs[0].topics[1]), id, "entry id");
        assertEq(uint256(logs[0].topics[2]), 1, "period");
        assertEq(uint256(logs[0].topics[3]), card.cardOf(alice), "card");
        (address contributor, bytes32 kind, uint256 u, bytes32 evidence, string memory uri, uint256 threshold) = abi
            .decode(logs[0].data, (address, bytes32, uint256, bytes32, string, uint256));
        assertEq(contributor, alice, "contributor");
        assertTrue(kind == "goods" && evidence == keccak256("receipt"), "kind and evidence");
        assertEq(u, 40, "units in the event");
        assertTrue(keccak256(bytes(uri)) == keccak256("ipfs://receipt"), "evidence URI in the event");
        assertEq(threshold, 1, "threshold in the event");
    }

    /// Another member's attestation validates the entry (threshold 1): the units count for the card and the period.
    function test_attest_byAnotherMember_validatesAndCountsUnits() public {
        uint256 id = _record(alice, 40);
        assertTrue(_attest(bob, id), "validated");
        IContributionLedger.Entry memory e = ledger.entry(id);
        assertTrue(e.status == IContributionLedger.Status.Validated, "validated");
        assertEq(e.attestations, 1, "one attestation");
        assertTrue(ledger.hasAttested(id, card.cardOf(bob)), "bob attested");
        assertEq(ledger.validatedUnits(0, card.cardOf(alice)), 40, "alice's units");
        (uint256 units, uint256 contributors) = ledger.periodTotals(0);
        assertEq(units, 40, "period units");
        assertEq(contributors, 1, "one contributor");

        // A second validated entry of the same card adds units, not a contributor.
        _contribute(alice, carol, 10);
        _contribute(bob, alice, 5);
        (units, contributors) = ledger.periodTotals(0);
        assertEq(units, 55, "period units");
        assertEq(contributors, 2, "two contributors");
        uint256[] memory ids = new uint256[](3);
        ids[0] = card.cardOf(alice);
        ids[1] = card.cardOf(bob);
        ids[2] = card.cardOf(carol);
        uint256[] memory batch = ledger.validatedUnitsBatch(0, ids);
        assertEq(batch[0], 50, "alice");
        assertEq(batch[1], 5, "bob");
        assertEq(batch[2], 0, "carol");
    }

    /// With a threshold of 2 an entry counts at the second attestation; a threshold change applies to later entries.
    function test_threshold_isCopiedIntoEachEntry() public {
        ledger.setAttestationThreshold(2);
        uint256 first = _record(alice, 10);
        assertFalse(_attest(bob, first), "one of two");
        assertEq(ledger.validatedUnits(0, card.cardOf(alice)), 0, "not yet");

        ledger.setAttestationThreshold(1);
        uint256 second = _record(alice, 7);
        assertEq(ledger.entry(first).threshold, 2, "first keeps 2");
        assertEq(ledger.entry(second).threshold, 1, "second has 1");
        assertTrue(_attest(bob, second), "second counts at one");
        assertEq(ledger.validatedUnits(0, card.cardOf(alice)), 7, "only the second");
        assertTrue(_attest(carol, first), "first counts at two");
        assertEq(ledger.validatedUnits(0, card.cardOf(alice)), 17, "both");
        assertEq(ledger.entry(first).attestations, 2, "two attestations");
    }

    /// Entries are recorded in the current period only; periods follow one another from the deployment.
    function test_periods_followTheClock() public {
        assertEq(ledger.currentPeriod(), 0, "period 0");
        (uint256 start, uint256 end, uint256 reviewEnd) = ledger.periodTimes(2);
        assertEq(start, DEPLOY_TIME + 2 * PERIOD, "start");
        assertEq(end, DEPLOY_TIME + 3 * PERIOD, "end");
        assertEq(reviewEnd, DEPLOY_TIME + 3 * PERIOD + REVIEW, "review end");
        assertEq(ledger.firstPeriodStart(), DEPLOY_TIME, "first start");
        assertEq(ledger.periodLength(), PERIOD, "length");
        assertEq(ledger.reviewWindow(), REVIEW, "review");
        assertEq(address(ledger.membershipCard()), address(card), "card");
        vm.warp(end - 1);
        assertEq(ledger.currentPeriod(), 2, "last second of period 2");
        assertEq(ledger.entry(_record(alice, 1)).period, 2, "recorded in period 2");
        vm.warp(end);
        assertEq(ledger.currentPeriod(), 3, "period 3");
        assertEq(ledger.entry(_record(alice, 1)).period, 3, "recorded in period 3");
    }

    /// A card reassigned to a new key keeps its units; the new key can neither attest its own entry nor attest twice.
    function test_reassignedCard_keepsUnitsAndAttestations() public {
        _contribute(alice, bob, 30);
        uint256 bobEntry = _record(bob, 4);
        ledger.setAttestationThreshold(2);
        uint256 aliceEntry = _record(alice, 8);
        uint256 carolEntry = _record(carol, 9);
        _attest(alice, carolEntry);
        address newAlice = _memberAddr(77);
        card.reassign(alice, newAlice);
        uint256 id = card.cardOf(newAlice);
        assertEq(ledger.validatedUnits(0, id), 30, "units follow the card");

        assertEq(card.personOf(id), id, "the card keeps its person");
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.ContributionLedgerSelfAttestation.selector, aliceEntry, id, id)
        );
        vm.prank(newAlice);
        ledger.attest(aliceEntry);
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.ContributionLedgerAlreadyAttested.selector, carolEntry, id, id)
        );
        vm.prank(newAlice);
        ledger.attest(carolEntry);
        assertEq(ledger.entry(carolEntry).attestations, 1, "still one");
        // The old key is no longer a member.
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.ContributionLedgerNotMember.selector, alice));
        vm.prank(alice);
        ledger.attest(bobEntry);
        assertTrue(_attest(newAlice, bobEntry), "the new key attests others");
    }

    /// @dev Everything the ledger keeps about `entryId` and its author's card, and whether `attester`'s person attested.
    function _entryState(uint256 entryId, uint256 attesterCard) internal view returns (bytes32) {
        IContributionLedger.Entry memory e = ledger.entry(entryId);
        return
            keccak256(abi.encode(_ledgerState(entryId, e.period, e.cardId), ledger.hasAttested(entryId, attesterCard)));
    }

    /// An author who resigns and is admitted again (a new card) is the same person: their old entry is still their own.
    function test_readmittedAuthor_attestsOwnOldEntry_revertsSelfAttestation() public {
        uint256 oldCard = card.cardOf(alice);
        uint256 id = _record(alice, 10);
        vm.prank(alice);
        card.resign();
        uint256 newCard = card.admit(alice);
        assertTrue(newCard != oldCard, "a new card");
        assertEq(card.personOf(newCard), oldCard, "the new card carries the first card's person");
        bytes32 before = _entryState(id, newCard);

        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.ContributionLedgerSelfAttestation.selector, id, newCard, oldCard)
        );
        vm.prank(alice);
        ledger.attest(id);
        assertEq(uint256(_entryState(id, newCard)), uint256(before), "state changed");
        assertTrue(ledger.entry(id).status == IContributionLedger.Status.Pending, "still pending");
        // Others still attest it.
        assertTrue(_attest(bob, id), "bob validates it");
    }

    /// With a threshold of 2, an attester who resigns and is admitted again cannot attest a second time: one person
    /// never validates an entry alone.
    function test_readmittedAttester_attestsAgain_revertsAlreadyAttested() public {
        ledger.setAttestationThreshold(2);
        uint256 id = _record(alice, 10);
        uint256 bobPerson = card.cardOf(bob);
        _attest(bob, id);
        vm.prank(bob);
        card.resign();
        uint256 newCard = card.admit(bob);
        assertEq(card.personOf(newCard), bobPerson, "bob is the same person");
        assertTrue(ledger.hasAttested(id, newCard), "bob's person attested, whichever card asks");
        bytes32 before = _entryState(id, newCard);

        vm.expectRevert(
            abi.encodeWithSelector(
                IContributionLedger.ContributionLedgerAlreadyAttested.selector,
                id,
                newCard,
                bobPerson
            )
        );
        vm.prank(bob);
        ledger.attest(id);
        assertEq(uint256(_entryState(id, newCard)), uint256(before), "state changed");
        IContributionLedger.Entry memory e = ledger.entry(id);
        assertEq(e.attestations, 1, "one attestation");
        assertTrue(e.status == IContributionLedger.Status.Pending, "one person did not validate it");
        assertEq(ledger.validatedUnits(0, card.cardOf(alice)), 0, "nothing counts");
        // A second person does.
        assertTrue(_attest(carol, id), "carol's attestation validates it");
    }

    /// An author whose card was reassigned to a new key is the same person on the new key and, admitted again,
    /// on the old one: neither attests the entry.
    function test_reassignedAuthor_newKeyOrOldKeyReadmitted_revertsSelfAttestation() public {
        uint256 aliceCard = card.cardOf(alice);
        uint256 id = _record(alice, 10);
        address newAlice = _memberAddr(77);
        card.reassign(alice, newAlice);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContributionLedger.ContributionLedgerSelfAttestation.selector,
                id,
                aliceCard,
                aliceCard
            )
        );
        vm.prank(newAlice);
        ledger.attest(id);

        // The old key found again and admitted: a new card, the same person.
        uint256 oldKeyCard = card.admit(alice);
        assertEq(card.personOf(oldKeyCard), aliceCard, "the old key is still alice");
        bytes32 before = _entryState(id, oldKeyCard);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContributionLedger.ContributionLedgerSelfAttestation.selector,
                id,
                oldKeyCard,
                aliceCard
            )
        );
        vm.prank(alice);
        ledger.attest(id);
        assertEq(uint256(_entryState(id, oldKeyCard)), uint256(before), "state changed");
    }

    /// An attester whose card was reassigned attests no second time, neither from the new key nor from the old key
    /// admitted again (threshold 2: the entry waits for a second person).
    function test_reassignedAttester_newKeyOrOldKeyReadmitted_revertsAlreadyAttested() public {
        ledger.setAttestationThreshold(2);
        uint256 id = _record(alice, 10);
        uint256 bobCard = card.cardOf(bob);
        _attest(bob, id);
        address newBob = _memberAddr(78);
        card.reassign(bob, newBob);
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.ContributionLedgerAlreadyAttested.selector, id, bobCard, bobCard)
        );
        vm.prank(newBob);
        ledger.attest(id);

        uint256 oldKeyCard = card.admit(bob);
        assertEq(card.personOf(oldKeyCard), bobCard, "the old key is still bob");
        bytes32 before = _entryState(id, oldKeyCard);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContributionLedger.ContributionLedgerAlreadyAttested.selector,
                id,
                oldKeyCard,
                bobCard
            )
        );
        vm.prank(bob);
        ledger.attest(id);
        assertEq(uint256(_entryState(id, oldKeyCard)), uint256(before), "state changed");
        assertEq(ledger.entry(id).attestations, 1, "one attestation, one person");
    }

    /// hasAttested asks about a card's person: false for a card never issued (person 0) and for a person who did not.
    function test_hasAttested_byPersonOfTheCard() public {
        uint256 id = _record(alice, 10);
        assertFalse(ledger.hasAttested(id, 0), "card 0");
        assertFalse(ledger.hasAttested(id, 999), "a card never issued");
        assertFalse(ledger.hasAttested(id, card.cardOf(bob)), "bob did not yet");
        _attest(bob, id);
        assertTrue(ledger.hasAttested(id, card.cardOf(bob)), "bob did");
        assertFalse(ledger.hasAttested(id, card.cardOf(carol)), "carol did not");
    }

    /// Contributions never change voice: recording and attesting leave every credit account as it was.
    function test_recordAndAttest_touchNoCredits() public {
        bytes32 before = _creditState();
        uint256 id = _record(alice, 25);
        _attest(bob, id);
        _contribute(carol, alice, 3);
        assertEq(uint256(_creditState()), uint256(before), "credits changed");
    }

    // ------------------------------------------------------------------------------------------------
    // Voiding
    // ------------------------------------------------------------------------------------------------

    /// Voiding a validated entry removes its units, and the contributor when it was their only entry.
    function test_voidValidatedEntry_removesUnitsAndContributor() public {
        uint256 a = _contribute(alice, bob, 40);
        uint256 b = _contribute(bob, alice, 10);
        uint256 b2 = _contribute(bob, carol, 5);
        vm.warp(DEPLOY_TIME + PERIOD + REVIEW - 1); // the last second of the review
        ledger.voidEntry(a, "double counted");
        ledger.voidEntry(b, "not delivered");
        assertTrue(ledger.entry(a).status == IContributionLedger.Status.Voided, "voided");
        assertEq(ledger.validatedUnits(0, card.cardOf(alice)), 0, "alice has nothing");
        assertEq(ledger.validatedUnits(0, card.cardOf(bob)), 5, "bob keeps b2");
        (uint256 units, uint256 contributors) = ledger.periodTotals(0);
        assertEq(units, 5, "period units");
        assertEq(contributors, 1, "only bob");
        assertTrue(ledger.entry(b2).status == IContributionLedger.Status.Validated, "b2 untouched");
    }

    /// Voiding a pending entry removes nothing, and it can never be attested afterwards.
    function test_voidPendingEntry_blocksAttestation() public {
        uint256 id = _record(alice, 40);
        ledger.voidEntry(id, "no evidence");
        bytes32 before = _ledgerState(id, 0, card.cardOf(alice));
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.ContributionLedgerEntryVoided.selector, id));
        vm.prank(bob);
        ledger.attest(id);
        assertEq(uint256(_ledgerState(id, 0, card.cardOf(alice))), uint256(before), "state changed");
        assertFalse(ledger.hasAttested(id, card.cardOf(bob)), "no attestation recorded");
    }

    // ------------------------------------------------------------------------------------------------
    // Refusals: the exact error, and nothing changed
    // ------------------------------------------------------------------------------------------------

    /// A non-member cannot record: ContributionLedgerNotMember(account).
    function test_recordByNonMember_reverts() public {
        bytes32 before = _ledgerState(1, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.ContributionLedgerNotMember.selector, outsider));
        vm.prank(outsider);
        ledger.record("labour", 10, bytes32(0), "");
        assertEq(uint256(_ledgerState(1, 0, 0)), uint256(before), "state changed");
    }

    /// Zero units, or more than 2^64 - 1: ContributionLedgerInvalidUnits(units).
    function testFuzz_recordInvalidUnits_reverts(uint256 units) public {
        units = units % 2 == 0 ? 0 : bound(units, uint256(type(uint64).max) + 1, type(uint256).max);
        bytes32 before = _ledgerState(1, 0, card.cardOf(alice));
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.ContributionLedgerInvalidUnits.selector, units));
        vm.prank(alice);
        ledger.record("labour", units, bytes32(0), "");
        assertEq(uint256(_ledgerState(1, 0, card.cardOf(alice))), uint256(before), "state changed");
    }

    /// Nobody attests their own entry: ContributionLedgerSelfAttestation(entryId, cardId, person).
    function test_attestOwnEntry_reverts() public {
        uint256 id = _record(alice, 10);
        uint256 aliceCard = card.cardOf(alice);
        assertEq(ledger.entry(id).person, aliceCard, "a first card is its own person");
        bytes32 before = _ledgerState(id, 0, aliceCard);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContributionLedger.ContributionLedgerSelfAttestation.selector,
                id,
                aliceCard,
                aliceCard
            )
        );
        vm.prank(alice);
        ledger.attest(id);
        assertEq(uint256(_ledgerState(id, 0, aliceCard)), uint256(before), "state changed");
        assertFalse(ledger.hasAttested(id, aliceCard), "not recorded");
    }

    /// A card attests an entry once: ContributionLedgerAlreadyAttested(entryId, cardId, person).
    function test_attestTwice_reverts() public {
        ledger.setAttestationThreshold(2);
        uint256 id = _record(alice, 10);
        _attest(bob, id);
        bytes32 before = _ledgerState(id, 0, card.cardOf(alice));
        uint256 bobCard = card.cardOf(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.ContributionLedgerAlreadyAttested.selector, id, bobCard, bobCard)
        );
        vm.prank(bob);
        ledger.attest(id);
        assertEq(uint256(_ledgerState(id, 0, card.cardOf(alice))), uint256(before), "state changed");
    }

    /// A validated entry needs no more attestations: ContributionLedgerAlreadyValidated(entryId).
    function test_attestValidatedEntry_reverts() public {
        uint256 id = _contribute(alice, bob, 10);
        bytes32 before = _ledgerState(id, 0, card.cardOf(alice));
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.ContributionLedgerAlreadyValidated.selector, id));
        vm.prank(carol);
        ledger.attest(id);
        assertEq(uint256(_ledgerState(id, 0, card.cardOf(alice))), uint256(before), "state changed");
        assertFalse(ledger.hasAttested(id, card.cardOf(carol)), "not recorded");
    }

    /// A non-member cannot attest: ContributionLedgerNotMember(account); a card given back cannot either.
    function test_attestByNonMember_reverts() public {
        uint256 id = _record(alice, 10);
        bytes32 before = _ledgerState(id, 0, card.cardOf(alice));
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.ContributionLedgerNotMember.selector, outsider));
        vm.prank(outsider);
        ledger.attest(id);
        vm.prank(bob);
        card.resign();
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.ContributionLedgerNotMember.selector, bob));
        vm.prank(bob);
        ledger.attest(id);
        assertEq(uint256(_ledgerState(id, 0, card.cardOf(alice))), uint256(before), "state changed");
    }

    /// An entry that was never recorded: ContributionLedgerUnknownEntry(entryId), for attest and void.
    function test_unknownEntry_reverts() public {
        bytes32 before = _ledgerState(7, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.ContributionLedgerUnknownEntry.selector, 7));
        vm.prank(bob);
        ledger.attest(7);
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.ContributionLedgerUnknownEntry.selector, 7));
        ledger.voidEntry(7, "none");
        assertEq(uint256(_ledgerState(7, 0, 0)), uint256(before), "state changed");
    }

    /// Attestations end when the period closes: ContributionLedgerPeriodClosed(period, closedAt).
    function test_attestAfterPeriodClosed_reverts() public {
        uint256 id = _record(alice, 10);
        vm.warp(DEPLOY_TIME + PERIOD);
        bytes32 before = _ledgerState(id, 0, card.cardOf(alice));
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.ContributionLedgerPeriodClosed.selector, 0, DEPLOY_TIME + PERIOD)
        );
        vm.prank(bob);
        ledger.attest(id);
        assertEq(uint256(_ledgerState(id, 0, card.cardOf(alice))), uint256(before), "state changed");
    }

    /// Voids end with the review: ContributionLedgerReviewClosed(period, reviewEndedAt).
    function test_voidAfterReview_reverts() public {
        uint256 id = _contribute(alice, bob, 10);
        vm.warp(DEPLOY_TIME + PERIOD + REVIEW);
        bytes32 before = _ledgerState(id, 0, card.cardOf(alice));
        vm.expectRevert(
            abi.encodeWithSelector(
                IContributionLedger.ContributionLedgerReviewClosed.selector,
                0,
                DEPLOY_TIME + PERIOD + REVIEW
            )
        );
        ledger.voidEntry(id, "too late");
        assertEq(uint256(_ledgerState(id, 0, card.cardOf(alice))), uint256(before), "state changed");
    }

    /// An entry is voided once: ContributionLedgerEntryVoided(entryId).
    function test_voidTwice_reverts() public {
        uint256 id = _contribute(alice, bob, 10);
        ledger.voidEntry(id, "first");
        bytes32 before = _ledgerState(id, 0, card.cardOf(alice));
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.ContributionLedgerEntryVoided.selector, id));
        ledger.voidEntry(id, "second");
        assertEq(uint256(_ledgerState(id, 0, card.cardOf(alice))), uint256(before), "state changed");
    }

    /// Only governance voids and sets the threshold: OwnableUnauthorizedAccount(caller).
    function test_governanceCalls_fromMember_revert() public {
        uint256 id = _contribute(alice, bob, 10);
        bytes32 before = _ledgerState(id, 0, card.cardOf(alice));
        bytes memory err = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, bob);
        vm.startPrank(bob);
        vm.expectRevert(err);
        ledger.voidEntry(id, "I say so");
        vm.expectRevert(err);
        ledger.setAttestationThreshold(3);
        vm.stopPrank();
        assertEq(uint256(_ledgerState(id, 0, card.cardOf(alice))), uint256(before), "state changed");
    }

    /// The threshold is from 1 to 255: ContributionLedgerInvalidThreshold(threshold, 255).
    function test_setInvalidThreshold_reverts() public {
        uint256 max = ledger.MAX_ATTESTATION_THRESHOLD();
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.ContributionLedgerInvalidThreshold.selector, 0, max)
        );
        ledger.setAttestationThreshold(0);
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.ContributionLedgerInvalidThreshold.selector, max + 1, max)
        );
        ledger.setAttestationThreshold(max + 1);
        assertEq(ledger.attestationThreshold(), 1, "unchanged");
        ledger.setAttestationThreshold(max);
        assertEq(ledger.attestationThreshold(), max, "255 is allowed");
    }

    /// The constructor announces the card, the first period's start, the period length and the review window, then
    /// the threshold: everything the replay needs to rebuild the periods from events alone.
    function test_constructor_emitsConfigurationThenThreshold() public {
        vm.warp(DEPLOY_TIME + 123);
        vm.recordLogs();
        ContributionLedger fresh = new ContributionLedger(card, 7 days, 2 days, 3, address(this));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 3, "ownership, configuration, threshold");
        assertEq(logs[1].emitter, address(fresh), "emitted by the ledger");
        assertEq(
            uint256(logs[1].topics[0]),
            uint256(IContributionLedger.ContributionLedgerConfigured.selector),
            "configuration event"
        );
        assertEq(address(uint160(uint256(logs[1].topics[1]))), address(card), "the card");
        (uint256 start, uint256 length, uint256 review) = abi.decode(logs[1].data, (uint256, uint256, uint256));
        assertEq(start, DEPLOY_TIME + 123, "start is the deployment time");
        assertEq(start, fresh.firstPeriodStart(), "as the view says");
        assertEq(length, 7 days, "period length");
        assertEq(review, 2 days, "review window");
        assertEq(
            uint256(logs[2].topics[0]),
            uint256(IContributionLedger.AttestationThresholdSet.selector),
            "then the threshold"
        );
        (uint256 oldThreshold, uint256 newThreshold) = abi.decode(logs[2].data, (uint256, uint256));
        assertEq(oldThreshold, 0, "from 0");
        assertEq(newThreshold, 3, "to 3");
    }

    /// Periods from 1 day to 5 years, a review of at most a year: ContributionLedgerInvalidPeriods(length, review).
    function test_constructorInvalidPeriods_reverts() public {
        bytes4 sel = IContributionLedger.ContributionLedgerInvalidPeriods.selector;
        vm.expectRevert(abi.encodeWithSelector(sel, 1 days - 1, 0));
        new ContributionLedger(card, 1 days - 1, 0, 1, address(this));
        vm.expectRevert(abi.encodeWithSelector(sel, 5 * 365 days + 1, 0));
        new ContributionLedger(card, 5 * 365 days + 1, 0, 1, address(this));
        vm.expectRevert(abi.encodeWithSelector(sel, 30 days, 365 days + 1));
        new ContributionLedger(card, 30 days, 365 days + 1, 1, address(this));
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.ContributionLedgerInvalidThreshold.selector, 0, 255)
        );
        new ContributionLedger(card, 30 days, 0, 0, address(this));
        ContributionLedger ok = new ContributionLedger(card, 1 days, 365 days, 255, address(this));
        assertEq(ok.periodLength(), 1 days, "the bounds are allowed");
    }

    // ------------------------------------------------------------------------------------------------
    // Fuzz
    // ------------------------------------------------------------------------------------------------

    /// Splitting a contribution into several entries gives the card the same validated units as one entry.
    function testFuzz_splittingEntries_givesTheSameUnits(uint64 total, uint8 pieces) public {
        total = uint64(bound(total, 1, type(uint64).max));
        uint256 n = bound(pieces, 1, 12);
        if (n > total) n = total;
        uint256 left = total;
        for (uint256 i = 0; i < n; ++i) {
            uint256 piece = i == n - 1 ? left : left / (n - i);
            left -= piece;
            _contribute(alice, i % 2 == 0 ? bob : carol, piece);
        }
        _contribute(bob, alice, total);
        assertEq(
            ledger.validatedUnits(0, card.cardOf(alice)),
            ledger.validatedUnits(0, card.cardOf(bob)),
            "split != whole"
        );
        (uint256 units, uint256 contributors) = ledger.periodTotals(0);
        assertEq(units, 2 * uint256(total), "period units");
        assertEq(contributors, 2, "two contributors");
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    function _creditState() internal view returns (bytes32 h) {
        for (uint256 i = 0; i < memberAddrs.length; ++i) {
            (uint256 balance, uint256 epoch, uint256 since, uint256 cardId) = credits.accountOf(memberAddrs[i]);
            h = keccak256(abi.encode(h, balance, epoch, since, cardId, credits.balanceOf(memberAddrs[i])));
        }
        h = keccak256(abi.encode(h, credits.heldDeposits(), governor.proposalCount()));
    }
}
