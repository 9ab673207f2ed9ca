// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {MembershipCard} from "../../contracts/membership/MembershipCard.sol";
import {VoiceCredits} from "../../contracts/credits/VoiceCredits.sol";
import {IMembershipCard} from "../../contracts/interfaces/IMembershipCard.sol";
import {IERC5192} from "../../contracts/interfaces/IERC5192.sol";
import {IVoiceCredits} from "../../contracts/interfaces/IVoiceCredits.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @notice The membership register: one soulbound card per address, and a history that answers for any past time.
contract MembershipCardTest is CoopFixture {
    uint256 internal constant POOL = 5;
    uint256 internal constant MAX_STEPS = 24;

    address internal alice;
    address internal bob;

    /// @dev The history model: after each step, the time and the set of members (a bit per pool address).
    uint256[] internal modelTimes;
    uint256[] internal modelMasks;
    uint256 internal mask;
    address[POOL] internal pool;

    function setUp() public {
        _deployCoop(_defaultConfig());
        address[] memory m = _admitMembers(2);
        alice = m[0];
        bob = m[1];
        for (uint256 i = 0; i < POOL; ++i) pool[i] = _memberAddr(100 + i);
    }

    // ------------------------------------------------------------------------------------------------
    // One card per address
    // ------------------------------------------------------------------------------------------------

    /// Admission issues the next card number, locked, to the new member, and counts them.
    function test_admit_issuesOneLockedCard() public {
        address carol = _memberAddr(42);
        uint256 id = card.admit(carol);
        assertEq(id, 3, "third card");
        assertEq(card.cardOf(carol), 3, "cardOf");
        assertEq(card.ownerOf(3), carol, "ownerOf");
        assertEq(card.balanceOf(carol), 1, "one card");
        assertTrue(card.locked(3), "ERC-5192 locked");
        assertTrue(card.isMember(carol), "member");
        assertEq(card.memberSince(carol), block.timestamp, "since now");
        assertEq(card.memberCount(), 3, "three members");
        assertEq(card.cardsIssued(), 3, "three cards issued");
        (, , uint256 since, uint256 cardId) = credits.accountOf(carol);
        assertEq(since, block.timestamp, "credit account opened");
        assertEq(cardId, 3, "credit account knows the card");
    }

    /// A second card for a member reverts with MembershipCardAlreadyMember(account) and changes nothing.
    function test_admitMemberTwice_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardAlreadyMember.selector, alice));
        card.admit(alice);
        assertEq(card.cardOf(alice), 1, "card unchanged");
        assertEq(card.memberCount(), 2, "count unchanged");
        assertEq(card.cardsIssued(), 2, "no card issued");
    }

    /// The zero address cannot be admitted: MembershipCardInvalidAccount(0).
    function test_admitZeroAddress_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardInvalidAccount.selector, address(0)));
        card.admit(address(0));
        assertEq(card.cardsIssued(), 2, "no card issued");
    }

    /// Only governance admits, expels and reassigns: OwnableUnauthorizedAccount(caller).
    function test_governanceCalls_fromMember_revert() public {
        bytes memory err = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice);
        vm.startPrank(alice);
        vm.expectRevert(err);
        card.admit(address(0xBEEF));
        vm.expectRevert(err);
        card.expel(bob, "no reason");
        vm.expectRevert(err);
        card.reassign(bob, address(0xBEEF));
        vm.expectRevert(err);
        card.bindVoiceCredits(IVoiceCredits(address(0xBEEF)));
        vm.stopPrank();
        assertTrue(card.isMember(bob), "bob still a member");
        assertFalse(card.isMember(address(0xBEEF)), "nobody admitted");
        assertEq(address(card.voiceCredits()), address(credits), "credits unchanged");
    }

    /// The credits ledger binds once: MembershipCardCreditsAlreadyBound(current); a fresh card refuses to admit
    /// before binding: MembershipCardCreditsNotBound().
    function test_bindVoiceCredits_onceOnly_andRequiredToAdmit() public {
        vm.expectRevert(
            abi.encodeWithSelector(IMembershipCard.MembershipCardCreditsAlreadyBound.selector, address(credits))
        );
        card.bindVoiceCredits(IVoiceCredits(address(0xBEEF)));
        assertEq(address(card.voiceCredits()), address(credits), "credits unchanged");

        MembershipCard unbound = new MembershipCard("Unbound", "UNB", address(this));
        vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardCreditsNotBound.selector));
        unbound.admit(alice);
        assertEq(unbound.memberCount(), 0, "nobody admitted");
        vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardInvalidAccount.selector, address(0)));
        unbound.bindVoiceCredits(IVoiceCredits(address(0)));
    }

    /// A member resigns alone; a second resignation reverts with MembershipCardNotMember(caller).
    function test_resign_burnsCardAndClosesAccount_thenRevertsForNonMember() public {
        vm.prank(alice);
        card.resign();
        assertFalse(card.isMember(alice), "no longer a member");
        assertEq(card.balanceOf(alice), 0, "no card");
        assertEq(card.memberCount(), 1, "one member left");
        assertEq(credits.balanceOf(alice), 0, "credits forfeited");
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 1));
        card.ownerOf(1);

        vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardNotMember.selector, alice));
        vm.prank(alice);
        card.resign();
        assertEq(card.memberCount(), 1, "count unchanged");
        assertEq(card.pastStintCount(alice), 1, "one stint recorded");
    }

    /// Expelling a non-member reverts with MembershipCardNotMember(account).
    function test_expelNonMember_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardNotMember.selector, address(0xBEEF)));
        card.expel(address(0xBEEF), "not one of us");
        assertEq(card.memberCount(), 2, "count unchanged");
    }

    /// Reassigning moves the card and its credits; the refusals name the account at fault.
    function test_reassign_movesCardAndRefusesBadTargets() public {
        address newKey = _memberAddr(77);
        vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardNotMember.selector, newKey));
        card.reassign(newKey, alice);
        vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardInvalidAccount.selector, address(0)));
        card.reassign(alice, address(0));
        vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardAlreadyMember.selector, bob));
        card.reassign(alice, bob);
        assertEq(card.ownerOf(1), alice, "card not moved by refusals");

        vm.warp(block.timestamp + 8 days); // 200 credits
        card.reassign(alice, newKey);
        assertEq(card.ownerOf(1), newKey, "card moved");
        assertEq(card.cardOf(newKey), 1, "same card number");
        assertFalse(card.isMember(alice), "old key is out");
        assertEq(card.memberCount(), 2, "count unchanged");
        assertEq(credits.balanceOf(newKey), 200, "credits moved along");
        assertEq(credits.balanceOf(alice), 0, "old key keeps nothing");
        assertEq(card.memberSince(newKey), block.timestamp, "new key is a member from now");
    }

    /// Every transfer path reverts with MembershipCardSoulbound(tokenId), whoever calls, and the card stays put.
    function testFuzz_everyTransferPath_revertsSoulbound(
        address caller,
        address to,
        uint256 tokenId,
        bytes memory data
    ) public {
        bytes memory err = abi.encodeWithSelector(IMembershipCard.MembershipCardSoulbound.selector, tokenId);
        vm.expectRevert(err);
        vm.prank(caller);
        card.transferFrom(alice, to, tokenId);
        vm.expectRevert(err);
        vm.prank(caller);
        card.safeTransferFrom(alice, to, tokenId);
        vm.expectRevert(err);
        vm.prank(caller);
        card.safeTransferFrom(alice, to, tokenId, data);
        assertEq(card.ownerOf(1), alice, "card 1 stays with alice");
        assertEq(card.ownerOf(2), bob, "card 2 stays with bob");
    }

    /// The owner cannot approve anyone, one card or all: MembershipCardApprovalDisabled().
    function testFuzz_approvals_revertDisabled(address operator, uint256 tokenId, bool approved) public {
        bytes memory err = abi.encodeWithSelector(IMembershipCard.MembershipCardApprovalDisabled.selector);
        vm.expectRevert(err);
        vm.prank(alice);
        card.approve(operator, tokenId);
        vm.expectRevert(err);
        vm.prank(alice);
        card.setApprovalForAll(operator, approved);
        assertEq(card.getApproved(1), address(0), "no approval");
        assertFalse(card.isApprovedForAll(alice, operator), "no operator");
    }

    /// ERC-721 views refuse what does not exist with OpenZeppelin's errors.
    function test_erc721Views_refuseNonexistentTokenAndZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 99));
        card.ownerOf(99);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 99));
        card.locked(99);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 99));
        card.getApproved(99);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 99));
        card.tokenURI(99);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidOwner.selector, address(0)));
        card.balanceOf(address(0));
        assertTrue(card.supportsInterface(type(IERC721).interfaceId), "ERC-721");
        assertTrue(card.supportsInterface(type(IERC721Metadata).interfaceId), "metadata");
        assertTrue(card.supportsInterface(type(IERC5192).interfaceId), "ERC-5192");
        assertTrue(card.supportsInterface(type(IERC165).interfaceId), "ERC-165");
        assertFalse(card.supportsInterface(0xffffffff), "not 0xffffffff");
    }

    /// Looking up the present or the future reverts with MembershipCardFutureLookup(timepoint, clock).
    function testFuzz_historyLookupOfPresentOrFuture_reverts(uint256 ahead) public {
        uint256 t = block.timestamp + bound(ahead, 0, 365 days);
        vm.expectRevert(
            abi.encodeWithSelector(IMembershipCard.MembershipCardFutureLookup.selector, t, uint48(block.timestamp))
        );
        card.wasMemberAt(alice, t);
        vm.expectRevert(
            abi.encodeWithSelector(IMembershipCard.MembershipCardFutureLookup.selector, t, uint48(block.timestamp))
        );
        card.memberCountAt(t);
    }

    /// A card that never admitted anyone has no history: zero members and no member at any past time, and the
    /// first admission does not rewrite the time before it.
    function test_history_beforeFirstAdmission_isEmpty() public {
        MembershipCard fresh = new MembershipCard("Empty Co-op", "EMPTY", address(this));
        fresh.bindVoiceCredits(
            new VoiceCredits(address(fresh), "Empty Credits", "EV", 7 days, 100, 400, address(this))
        );
        uint256 deployed = block.timestamp;
        vm.warp(deployed + 1 days);
        assertEq(fresh.memberCount(), 0, "no member now");
        assertEq(fresh.memberCountAt(deployed), 0, "no member at deployment");
        assertEq(fresh.memberCountAt(deployed + 1 days - 1), 0, "no member a day later");
        assertFalse(fresh.wasMemberAt(alice, deployed), "alice was not a member of it");

        fresh.admit(alice);
        vm.warp(block.timestamp + 1);
        assertEq(fresh.memberCountAt(block.timestamp - 1), 1, "one member after the admission");
        assertEq(fresh.memberCountAt(deployed), 0, "still none at deployment");
        assertFalse(fresh.wasMemberAt(alice, deployed), "still not a member at deployment");
    }

    // ------------------------------------------------------------------------------------------------
    // History
    // ------------------------------------------------------------------------------------------------

    /// After random admissions, resignations, expulsions and reassignments at random (often equal) times, with
    /// every invalid attempt refused by its exact error, `wasMemberAt` and `memberCountAt` at every change time,
    /// the second before and after, and random times in between match a simple model; each address holds at most
    /// one card and every card's owner holds it.
    function testFuzz_historyMatchesModel(
        uint256 steps,
        uint256[MAX_STEPS] memory seeds,
        uint256[8] memory probes
    ) public {
        steps = bound(steps, 1, MAX_STEPS);
        uint256 start = block.timestamp;
        _record(); // before any step: nobody from the pool is a member
        for (uint256 i = 0; i < steps; ++i) {
            _historyStep(seeds[i]);
            _record();
            _checkPresent();
        }
        vm.warp(block.timestamp + 1); // everything recorded is now in the past

        uint256 end = block.timestamp;
        for (uint256 j = 0; j < modelTimes.length; ++j) {
            uint256 t = modelTimes[j];
            _checkPast(t);
            if (t > start) _checkPast(t - 1);
            if (t + 1 < end) _checkPast(t + 1);
        }
        for (uint256 j = 0; j < probes.length; ++j) _checkPast(bound(probes[j], start, end - 1));
    }

    function _historyStep(uint256 seed) private {
        uint256 op = seed % 5;
        uint256 who = (seed >> 8) % POOL;
        uint256 x = seed >> 16;
        address a = pool[who];
        bool member = (mask >> who) & 1 == 1;
        uint256 countBefore = card.memberCount();
        if (op == 0) {
            // Often no time passes, so several changes share a timestamp.
            uint256 choice = x % 3;
            vm.warp(
                block.timestamp +
                    (
                        choice == 0
                            ? 0
                            : choice == 1
                                ? 1
                                : bound(x >> 8, 2, 3 days)
                    )
            );
        } else if (op == 1) {
            if (member) {
                vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardAlreadyMember.selector, a));
                card.admit(a);
                assertEq(card.memberCount(), countBefore, "refused admission changed the count");
            } else {
                uint256 id = card.admit(a);
                assertEq(id, card.cardsIssued(), "next card number");
                mask |= 1 << who;
            }
        } else if (op == 2 || op == 3) {
            if (!member) {
                vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardNotMember.selector, a));
                if (op == 2) {
                    vm.prank(a);
                    card.resign();
                } else {
                    card.expel(a, "fuzz");
                }
                assertEq(card.memberCount(), countBefore, "refused departure changed the count");
            } else {
                if (op == 2) {
                    vm.prank(a);
                    card.resign();
                } else {
                    card.expel(a, "fuzz");
                }
                mask &= ~(1 << who);
            }
        } else {
            uint256 toIndex = (who + 1 + (x % (POOL - 1))) % POOL;
            address to = pool[toIndex];
            bool toMember = (mask >> toIndex) & 1 == 1;
            if (!member) {
                vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardNotMember.selector, a));
                card.reassign(a, to);
            } else if (toMember) {
                vm.expectRevert(abi.encodeWithSelector(IMembershipCard.MembershipCardAlreadyMember.selector, to));
                card.reassign(a, to);
            } else {
                uint256 id = card.cardOf(a);
                card.reassign(a, to);
                assertEq(card.cardOf(to), id, "the card moved");
                mask = (mask & ~(1 << who)) | (1 << toIndex);
            }
            assertEq(card.memberCount(), countBefore, "reassignment changed the count");
        }
    }

    /// @dev Records the members after a step; a later step at the same timestamp replaces the record.
    function _record() private {
        uint256 n = modelTimes.length;
        if (n != 0 && modelTimes[n - 1] == block.timestamp) {
            modelMasks[n - 1] = mask;
        } else {
            modelTimes.push(block.timestamp);
            modelMasks.push(mask);
        }
    }

    /// @dev The present agrees with the model: one card at most per address, and its owner holds it.
    function _checkPresent() private view {
        for (uint256 i = 0; i < POOL; ++i) {
            bool member = (mask >> i) & 1 == 1;
            assertEq(card.isMember(pool[i]), member, "isMember");
            assertEq(card.balanceOf(pool[i]), member ? 1 : 0, "at most one card");
            if (member) assertEq(card.ownerOf(card.cardOf(pool[i])), pool[i], "owner holds the card");
            else assertEq(card.cardOf(pool[i]), 0, "no card");
        }
        assertEq(card.memberCount(), 2 + _popcount(mask), "member count");
    }

    /// @dev The past agrees with the model at time `t`.
    function _checkPast(uint256 t) private view {
        uint256 m = _maskAt(t);
        for (uint256 i = 0; i < POOL; ++i) {
            assertEq(card.wasMemberAt(pool[i], t), (m >> i) & 1 == 1, "wasMemberAt != model");
        }
        assertEq(card.memberCountAt(t), 2 + _popcount(m), "memberCountAt != model");
        assertTrue(card.wasMemberAt(alice, t), "alice, never touched, was a member throughout");
    }

    /// The member count at any past time is the cards issued by then less the departures by then: checked at every
    /// change and the second after, through 64 cards issued over time (so the lookup's binary search runs past its
    /// recent-cards probe), with departures and re-admissions in between, several changes often sharing a second.
    function test_memberCountAt_manyCards_matchesEveryChange() public {
        uint256[] memory times = new uint256[](160);
        uint256[] memory counts = new uint256[](160);
        uint256 n = 0;
        uint256 start = block.timestamp;
        for (uint256 i = 0; i < 64; ++i) {
            vm.warp(block.timestamp + (i % 3 == 0 ? 0 : 1 + (i % 7) * 1 hours));
            address a = _memberAddr(1_000 + i);
            card.admit(a);
            n = _noteCount(times, counts, n);
            if (i % 4 == 1) {
                // Leave at once or an hour later; every eighth re-admitted at once with a new card.
                if (i % 8 == 1) vm.warp(block.timestamp + 1 hours);
                vm.prank(a);
                card.resign();
                if (i % 8 == 5) card.admit(a);
                n = _noteCount(times, counts, n);
            }
        }
        vm.warp(block.timestamp + 1);
        assertEq(card.memberCountAt(start - 1), 0, "before the founders were admitted: nobody");
        for (uint256 j = 0; j < n; ++j) {
            assertEq(card.memberCountAt(times[j]), counts[j], "memberCountAt at a change");
            uint256 next = j + 1 < n ? times[j + 1] : block.timestamp;
            if (times[j] + 1 < next) assertEq(card.memberCountAt(times[j] + 1), counts[j], "the second after");
            if (times[j] > start && (j == 0 || times[j - 1] < times[j] - 1)) {
                assertEq(card.memberCountAt(times[j] - 1), j == 0 ? 2 : counts[j - 1], "the second before");
            }
        }
        assertEq(card.memberCountAt(block.timestamp - 1), card.memberCount(), "the last change: the count now");
    }

    /// @dev Records the member count now; a later change in the same second replaces the record.
    function _noteCount(uint256[] memory times, uint256[] memory counts, uint256 n) private view returns (uint256) {
        if (n != 0 && times[n - 1] == block.timestamp) {
            counts[n - 1] = card.memberCount();
            return n;
        }
        times[n] = block.timestamp;
        counts[n] = card.memberCount();
        return n + 1;
    }

    /// A card's issue time is kept when the card is given back: it is the admission's point in the count history.
    function test_issuedAt_keptAfterTheCardIsGivenBackOrMoved() public {
        vm.warp(block.timestamp + 1 days);
        address carol = _memberAddr(42);
        uint256 id = card.admit(carol);
        uint256 issued = block.timestamp;
        assertEq(card.issuedAt(id), issued, "issued now");
        assertEq(card.issuedAt(id + 1), 0, "a card never issued");
        vm.warp(block.timestamp + 1 days);
        address newKey = _memberAddr(43);
        card.reassign(carol, newKey);
        assertEq(card.issuedAt(id), issued, "a reassignment keeps the issue time");
        assertEq(card.holderOf(id), newKey, "held by the new key");
        vm.warp(block.timestamp + 1 days);
        vm.prank(newKey);
        card.resign();
        assertEq(card.issuedAt(id), issued, "a card given back keeps its issue time");
        assertEq(card.holderOf(id), address(0), "held by nobody");
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, id));
        card.ownerOf(id);
    }

    /// A person is their first card's number: a new address is its own card's person; an address that held a card
    /// before takes that card's person; a reassigned card keeps its person, on the new key and (admitted again) the old.
    function test_personOf_followsAPersonAcrossCardsAndKeys() public {
        assertEq(card.personOf(1), 1, "alice's first card");
        assertEq(card.personOf(2), 2, "bob's first card");
        assertEq(card.personOf(3), 0, "a card never issued");
        (uint256 cardId, uint256 person) = card.identityOf(alice);
        assertEq(cardId, 1, "alice's card");
        assertEq(person, 1, "alice's person");

        // Alice resigns and is admitted again: card 3, person 1; the given-back card keeps its person.
        vm.prank(alice);
        card.resign();
        (cardId, person) = card.identityOf(alice);
        assertEq(cardId + person, 0, "no identity without a card");
        assertEq(card.admit(alice), 3, "card 3");
        assertEq(card.personOf(3), 1, "alice again");
        assertEq(card.personOf(1), 1, "the old card keeps its person");

        // Bob's card moves to a new key: the card keeps person 2, and the old key admitted again is bob.
        address newBob = _memberAddr(60);
        card.reassign(bob, newBob);
        (cardId, person) = card.identityOf(newBob);
        assertEq(cardId, 2, "the same card");
        assertEq(person, 2, "the same person");
        assertEq(card.admit(bob), 4, "card 4");
        assertEq(card.personOf(4), 2, "the old key is bob");

        // A third address, admitted for the first time, is a new person; resigned, it keeps it.
        address carol = _memberAddr(61);
        assertEq(card.admit(carol), 5, "card 5");
        assertEq(card.personOf(5), 5, "a new person");
        vm.prank(carol);
        card.resign();
        assertEq(card.admit(carol), 6, "card 6");
        assertEq(card.personOf(6), 5, "carol again");
        // Card words still hold their holder and issue time as before.
        assertEq(card.holderOf(6), carol, "holder");
        assertEq(card.issuedAt(6), block.timestamp, "issue time");
        assertEq(card.memberCount(), 4, "alice, both of bob's keys (two cards) and carol");
    }

    /// A reassignment onto an address that was another person before makes it the card's person from then on.
    function test_personOf_reassignOntoAFormerMember_takesTheCardsPerson() public {
        vm.prank(alice);
        card.resign(); // alice's address was person 1
        card.reassign(bob, alice); // bob's card (person 2) moves onto it
        (uint256 cardId, uint256 person) = card.identityOf(alice);
        assertEq(cardId, 2, "bob's card");
        assertEq(person, 2, "person 2");
        vm.prank(alice);
        card.resign();
        assertEq(card.personOf(card.admit(alice)), 2, "the address is person 2 now");
        assertEq(card.pastStintCount(alice), 2, "two finished stints");
    }

    /// Before a credits ledger is bound nobody is a member, and the views say so rather than revert.
    function test_membershipViews_beforeTheLedgerIsBound_sayNobody() public {
        MembershipCard fresh = new MembershipCard("Fresh", "FRSH", address(this));
        assertFalse(fresh.isMember(alice), "isMember");
        assertEq(fresh.cardOf(alice), 0, "cardOf");
        assertEq(fresh.memberSince(alice), 0, "memberSince");
        assertEq(fresh.balanceOf(alice), 0, "balanceOf");
        assertEq(fresh.memberCount(), 0, "memberCount");
    }

    function _maskAt(uint256 t) private view returns (uint256 m) {
        for (uint256 j = 0; j < modelTimes.length && modelTimes[j] <= t; ++j) m = modelMasks[j];
    }

    function _popcount(uint256 m) private pure returns (uint256 c) {
        for (; m != 0; m >>= 1) c += m & 1;
    }
}
