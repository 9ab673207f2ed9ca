// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IMembershipCard} from "../interfaces/IMembershipCard.sol";
import {IERC5192} from "../interfaces/IERC5192.sol";
import {IVoiceCredits} from "../interfaces/IVoiceCredits.sol";
import {CardArt} from "./CardArt.sol";

/**
 * @title MembershipCard
 * @notice A soulbound ERC-721: one card per member, issued by governance, given back at will.
 * @dev Every transfer and approval entry point reverts, so the only ways a card moves are {admit} (mint),
 * {resign} and {expel} (burn) and {reassign} (governance moves it for a lost key).
 *
 * Storage, laid out so that admitting a member writes two fresh slots in all (this contract's card word and
 * the member's credit account), the least a card plus a credit account can take:
 * - The current stint of a member (card number and start) is the one the credits ledger keeps in the
 *   member's account word, which every vote reads anyway ({IVoiceCredits-memberOf}); this contract does not
 *   keep a second copy. The ledger writes it only when this contract tells it to, in the same call.
 * - Each card's word holds its holder, the time it was issued and its person (`_cards`). The issue time stays
 *   after the card is given back, so the number of cards issued up to a time `t` is found by a binary search over
 *   card numbers: cards are numbered in order of issue, and issue times never decrease.
 * - A person is the number of the first card they held, and every later card of theirs carries it: a card issued
 *   to an address that held a card before takes the person of that earlier card (read from the address's last
 *   finished stint, which records it), and a reassigned card keeps its person, so the new address is that person
 *   from then on. The contribution ledger counts attestations by person, so resigning and rejoining, or a new key,
 *   is never a second attester. The person is fixed when the card is issued and never changes.
 * - Departures (resignations and expulsions) are counted in a checkpointed trace. The number of members at
 *   `t` is the cards issued up to `t` less the departures up to `t`; admissions push no checkpoint.
 * - One word holds the last card number, the member count and the time of the last change of the count, so
 *   a lookup at a time since which nothing changed (the usual case for a proposal's snapshot) reads one slot.
 *
 * A finished stint is appended to `_pastStints` only when it ends. `wasMemberAt(a, t)` is true when
 * `since <= t < until`; changes made at timestamp `t` are visible at `t`, as in OpenZeppelin's
 * `Checkpoints.upperLookup`.
 *
 * @dev Note: every membership change is forwarded to {IVoiceCredits} in the same call, which opens, closes
 * or moves the member's credit account. `closeAccount` never reverts for a member, so nothing outside this
 * contract can block {resign}. The membership views read the ledger's account words, so they are external
 * calls to it; before a ledger is bound nobody is a member.
 */
contract MembershipCard is IMembershipCard, IERC721Metadata, IERC721Errors, IERC5192, IERC6372, Ownable {
    using Checkpoints for Checkpoints.Trace208;

    /// @dev A finished stint: member from `since` (inclusive) to `until` (exclusive), as `person`.
    struct Stint {
        uint48 since;
        uint48 until;
        uint48 person;
    }

    /// @notice The most members a co-op can have: the governor counts voters in 24-bit tallies.
    uint256 public constant MAX_MEMBERS = type(uint24).max;

    string private _name;
    string private _symbol;

    // The card word's layout: holder in the low 160 bits, issue time (48 bits) above, the card's person on top.
    uint256 private constant _ISSUED_AT = 160;
    uint256 private constant _PERSON = 208;

    // The views by which the co-op's contracts name the card they are bound to: the governor's and the ledger's
    // `membershipCard()`, the credits' `card()`; the distributor names its ledger (`ledger()`).
    bytes4 private constant _MEMBERSHIP_CARD = bytes4(keccak256("membershipCard()"));
    bytes4 private constant _CARD = bytes4(keccak256("card()"));
    bytes4 private constant _LEDGER = bytes4(keccak256("ledger()"));
    // Gas for each such view: theirs take a few thousand. Starving a probe cannot admit a co-op contract: a probe
    // given less than this leaves the caller under 1/63 of it (EIP-150), too little to issue a card.
    uint256 private constant _PROBE_GAS = 20_000;

    // The register word, one slot: read together by every admission and by every lookup of the member count.
    uint64 private _lastCardId;
    uint32 private _count;
    uint48 private _lastChange; // when the member count last changed

    IVoiceCredits private _credits; // a slot of its own (it does not fit beside the register word)

    mapping(uint256 tokenId => uint256 cardWord) private _cards;
    mapping(address account => Stint[]) private _pastStints;
    Checkpoints.Trace208 private _departures; // departures (resignations + expulsions) so far, by time

    /// @param name_ The co-op's name, shown on every card.
    /// @param symbol_ The card collection's symbol.
    /// @param initialOwner The account that admits the founders, then hands ownership to the timelock.
    constructor(string memory name_, string memory symbol_, address initialOwner) Ownable(initialOwner) {
        _name = name_;
        _symbol = symbol_;
    }

    // ------------------------------------------------------------------------------------------------
    // Set-up
    // ------------------------------------------------------------------------------------------------

    /// @notice Refused: ownership is never renounced. Without an owner,
    /// nobody could ever admit, expel or reassign again.
    /// @dev Ownership can only move, by `transferOwnership`, to another owner (a new timelock, by a passed proposal).
    function renounceOwnership() public view override onlyOwner {
        revert MembershipCardOwnershipNotRenounceable();
    }

    /// @notice Binds the credits ledger that is told of every membership change. Once only.
    /// @param credits The VoiceCredits contract of this co-op.
    function bindVoiceCredits(IVoiceCredits credits) external onlyOwner {
        if (address(_credits) != address(0)) revert MembershipCardCreditsAlreadyBound(address(_credits));
        if (address(credits) == address(0)) revert MembershipCardInvalidAccount(address(0));
        _credits = credits;
        emit VoiceCreditsBound(address(credits));
    }

    /// @notice The credits ledger bound to this register.
    function voiceCredits() external view returns (IVoiceCredits) {
        return _credits;
    }

    // ------------------------------------------------------------------------------------------------
    // Membership changes
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IMembershipCard
    function admit(address account) external onlyOwner returns (uint256 tokenId) {
        return _admit(account);
    }

    /// @inheritdoc IMembershipCard
    /// @dev Loops over the list it is given (bounded by the caller's gas), never over the members.
    function admitMany(address[] calldata accounts) external onlyOwner returns (uint256 firstTokenId) {
        firstTokenId = _lastCardId + 1;
        for (uint256 i = 0; i < accounts.length; ++i) {
            _admit(accounts[i]);
        }
    }

    function _admit(address account) private returns (uint256 tokenId) {
        if (account == address(0)) revert MembershipCardInvalidAccount(account);
        _checkNotCoopContract(account);
        IVoiceCredits credits = _credits;
        if (address(credits) == address(0)) revert MembershipCardCreditsNotBound();
        (, uint256 since) = credits.memberOf(account);
        if (since != 0) revert MembershipCardAlreadyMember(account);
        uint32 count = _count;
        if (count >= MAX_MEMBERS) revert MembershipCardFull(MAX_MEMBERS);

        uint64 id;
        unchecked {
            // A uint64 counter incremented once per admission cannot overflow; count < MAX_MEMBERS < 2^32.
            id = _lastCardId + 1;
            ++count;
        }
        uint48 now_ = Time.timestamp();
        tokenId = id;
        // The person of an address that held a card before is that card's, recorded in its last finished stint.
        // Person numbers are card numbers: under 2^48, since 2^48 admissions would take more gas than any chain
        // will ever spend (at over 21,000 gas each).
        Stint[] storage past = _pastStints[account];
        uint256 stints = past.length;
        uint256 person = stints == 0 ? tokenId : past[stints - 1].person;
        _cards[tokenId] = uint256(uint160(account)) | (uint256(now_) << _ISSUED_AT) | (person << _PERSON);
        _lastCardId = id;
        _count = count;
        _lastChange = now_;

        emit Transfer(address(0), account, tokenId);
        emit Locked(tokenId);
        emit MemberAdmitted(account, tokenId);

        credits.openAccount(account, tokenId);
    }

    /// @inheritdoc IMembershipCard
    function resign() external {
        uint256 tokenId = _leave(msg.sender);
        emit MemberResigned(msg.sender, tokenId);
        _credits.closeAccount(msg.sender);
    }

    /// @inheritdoc IMembershipCard
    function expel(address account, string calldata reason) external onlyOwner {
        uint256 tokenId = _leave(account);
        emit MemberExpelled(account, tokenId, reason);
        _credits.closeAccount(account);
    }

    /// @inheritdoc IMembershipCard
    function reassign(address from, address to) external onlyOwner {
        IVoiceCredits credits = _credits;
        (uint256 cardId, uint256 since) = _memberOf(credits, from);
        if (since == 0) revert MembershipCardNotMember(from);
        if (to == address(0)) revert MembershipCardInvalidAccount(to);
        _checkNotCoopContract(to);
        (, uint256 toSince) = credits.memberOf(to);
        if (toSince != 0) revert MembershipCardAlreadyMember(to);

        uint256 word = _cards[cardId];
        _pastStints[from].push(Stint({since: uint48(since), until: Time.timestamp(), person: uint48(word >> _PERSON)}));
        // The card keeps its issue time and its person: a reassignment changes who holds it (the new address is the
        // card's person from now on), not how many members there are nor who they are.
        _cards[cardId] = (word & ~uint256(type(uint160).max)) | uint160(to);

        emit Transfer(from, to, cardId);
        emit MemberReassigned(from, to, cardId);

        // The new address is a member from now on (the ledger starts its stint now): it cannot vote on
        // proposals whose snapshot is earlier, so a card moved mid-vote can never vote twice on the same proposal.
        credits.moveAccount(from, to);
    }

    // ------------------------------------------------------------------------------------------------
    // Membership views
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IMembershipCard
    function isMember(address account) external view returns (bool) {
        (, uint256 since) = _memberOf(_credits, account);
        return since != 0;
    }

    /// @inheritdoc IMembershipCard
    function cardOf(address account) external view returns (uint256 cardId) {
        (cardId, ) = _memberOf(_credits, account);
    }

    /// @inheritdoc IMembershipCard
    function personOf(uint256 cardId) external view returns (uint256) {
        return _cards[cardId] >> _PERSON;
    }

    /// @inheritdoc IMembershipCard
    function identityOf(address account) external view returns (uint256 cardId, uint256 person) {
        uint256 since;
        (cardId, since) = _memberOf(_credits, account);
        if (since != 0) person = _cards[cardId] >> _PERSON;
    }

    /// @inheritdoc IMembershipCard
    function holderOf(uint256 tokenId) external view returns (address) {
        return address(uint160(_cards[tokenId]));
    }

    /// @inheritdoc IMembershipCard
    function memberSince(address account) external view returns (uint48) {
        (, uint256 since) = _memberOf(_credits, account);
        return uint48(since);
    }

    /// @inheritdoc IMembershipCard
    function memberCount() external view returns (uint256) {
        return _count;
    }

    /// @notice The number of cards ever issued (the last card number).
    function cardsIssued() external view returns (uint256) {
        return _lastCardId;
    }

    /// @inheritdoc IMembershipCard
    function wasMemberAt(address account, uint256 timepoint) external view returns (bool) {
        uint48 t = _checkPast(timepoint);
        (, uint256 since) = _memberOf(_credits, account);
        if (since != 0 && since <= t) return true;

        // Binary search for the last finished stint that began at or before `t`.
        Stint[] storage stints = _pastStints[account];
        uint256 low = 0;
        uint256 high = stints.length;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (stints[mid].since > t) high = mid;
            else low = mid + 1;
        }
        return low != 0 && t < stints[low - 1].until;
    }

    /// @inheritdoc IMembershipCard
    function memberCountAt(uint256 timepoint) external view returns (uint256) {
        uint48 t = _checkPast(timepoint);
        // Fast path: no membership change since `t`, the usual case for a proposal's snapshot.
        if (_lastChange <= t) return _count;
        // Departures up to `t` never exceed the cards issued up to `t`: a card leaves after it is issued.
        unchecked {
            return _issuedBy(t) - _departures.upperLookupRecent(t);
        }
    }

    /// @notice When card `tokenId` was issued (0 for a card never issued). It stays after the card is given back.
    function issuedAt(uint256 tokenId) external view returns (uint48) {
        return uint48(_cards[tokenId] >> _ISSUED_AT);
    }

    /// @notice The number of finished membership stints of `account` (for auditors).
    function pastStintCount(address account) external view returns (uint256) {
        return _pastStints[account].length;
    }

    // ------------------------------------------------------------------------------------------------
    // ERC-6372 clock
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IERC6372
    function clock() external view returns (uint48) {
        return Time.timestamp();
    }

    /// @inheritdoc IERC6372
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() external pure returns (string memory) {
        return "mode=timestamp";
    }

    // ------------------------------------------------------------------------------------------------
    // ERC-721 (soulbound) and ERC-5192
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IERC721
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert ERC721InvalidOwner(address(0));
        (, uint256 since) = _memberOf(_credits, owner);
        return since != 0 ? 1 : 0;
    }

    /// @inheritdoc IERC721
    function ownerOf(uint256 tokenId) public view returns (address) {
        address owner = address(uint160(_cards[tokenId]));
        if (owner == address(0)) revert ERC721NonexistentToken(tokenId);
        return owner;
    }

    /// @inheritdoc IERC5192
    function locked(uint256 tokenId) external view returns (bool) {
        ownerOf(tokenId);
        return true;
    }

    /// @notice Always reverts: cards are soulbound.
    function safeTransferFrom(address, address, uint256 tokenId, bytes calldata) external pure {
        revert MembershipCardSoulbound(tokenId);
    }

    /// @notice Always reverts: cards are soulbound.
    function safeTransferFrom(address, address, uint256 tokenId) external pure {
        revert MembershipCardSoulbound(tokenId);
    }

    /// @notice Always reverts: cards are soulbound.
    function transferFrom(address, address, uint256 tokenId) external pure {
        revert MembershipCardSoulbound(tokenId);
    }

    /// @notice Always reverts: cards cannot be approved for transfer.
    function approve(address, uint256) external pure {
        revert MembershipCardApprovalDisabled();
    }

    /// @notice Always reverts: cards cannot be approved for transfer.
    function setApprovalForAll(address, bool) external pure {
        revert MembershipCardApprovalDisabled();
    }

    /// @inheritdoc IERC721
    function getApproved(uint256 tokenId) external view returns (address) {
        ownerOf(tokenId);
        return address(0);
    }

    /// @inheritdoc IERC721
    function isApprovedForAll(address, address) external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IERC721Metadata
    function name() external view returns (string memory) {
        return _name;
    }

    /// @inheritdoc IERC721Metadata
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @inheritdoc IERC721Metadata
    /// @dev On-chain JSON with an SVG image: the co-op's name, the card number, the holder and when the holder's
    /// current membership began (for a reassigned card, the time of the reassignment).
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        address holder = ownerOf(tokenId);
        (, uint256 since) = _memberOf(_credits, holder);
        return CardArt.tokenURI(_name, tokenId, holder, uint48(since));
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return
            interfaceId == type(IERC165).interfaceId ||
            interfaceId == type(IERC721).interfaceId ||
            interfaceId == type(IERC721Metadata).interfaceId ||
            interfaceId == type(IERC5192).interfaceId;
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    /// @dev Ends `account`'s membership: burns the card and records the finished stint and the departure.
    function _leave(address account) private returns (uint256 tokenId) {
        uint256 since;
        (tokenId, since) = _memberOf(_credits, account);
        if (since == 0) revert MembershipCardNotMember(account);
        uint48 now_ = Time.timestamp();

        uint256 word = _cards[tokenId];
        // The stint records the card's person: a later card for this address is the same person.
        _pastStints[account].push(Stint({since: uint48(since), until: now_, person: uint48(word >> _PERSON)}));
        // Keep the issue time and the person (the high bits), clear the holder: the card no longer exists.
        _cards[tokenId] = word & ~uint256(type(uint160).max);
        unchecked {
            // A member is counted, so the count is at least 1; departures never exceed the cards issued (< 2^64).
            --_count;
            _departures.push(now_, _departures.latest() + 1);
        }
        _lastChange = now_;

        emit Transfer(account, address(0), tokenId);
    }

    /// @dev Refuses the co-op's own contracts as members: this card, its owner (the timelock, once governance holds the
    /// card), the credits, and any contract that names this card as its own (the governor, the ledger, the
    /// distributor through its ledger). An account without code (the deployer admitting the founders among them) is
    /// never one; another co-op's timelock, a Safe or any other wallet contract is admitted as before.
    function _checkNotCoopContract(address account) private view {
        if (account.code.length == 0) return;
        if (
            account == address(this) ||
            account == owner() ||
            account == address(_credits) ||
            _probe(account, _MEMBERSHIP_CARD) == address(this) ||
            _probe(account, _CARD) == address(this)
        ) revert MembershipCardCoopContract(account);
        address ledger = _probe(account, _LEDGER);
        if (ledger.code.length != 0 && _probe(ledger, _MEMBERSHIP_CARD) == address(this)) {
            revert MembershipCardCoopContract(account);
        }
    }

    /// @dev The address `target`'s view `selector` returns, with at most {_PROBE_GAS} gas; the zero address when it
    /// reverts, answers less than a word, or answers a word that is not an address. Copies one word at most.
    function _probe(address target, bytes4 selector) private view returns (address answer) {
        uint256 word;
        bool ok;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            ok := staticcall(_PROBE_GAS, target, 0x00, 0x04, 0x00, 0x20)
            if gt(returndatasize(), 0x1f) {
                word := mload(0x00)
            }
        }
        if (ok && word <= type(uint160).max) answer = address(uint160(word));
    }

    /// @dev The current stint of `account` as the credits ledger keeps it; (0, 0) before a ledger is bound.
    function _memberOf(IVoiceCredits credits, address account) private view returns (uint256 cardId, uint256 since) {
        if (address(credits) == address(0)) return (0, 0);
        return credits.memberOf(account);
    }

    /// @dev The number of cards issued at or before `t`: the last card number whose issue time is <= t.
    function _issuedBy(uint48 t) private view returns (uint256 low) {
        // Invariant: cards 1..low were issued at or before `t`, cards after `high` after it.
        uint256 high = _lastCardId;
        // Most lookups are of a recent time: try the last few cards first, as Checkpoints.upperLookupRecent does.
        if (high > 5) {
            uint256 mid = high - Math.sqrt(high);
            if (_issueTime(mid) <= t) low = mid;
            else high = mid - 1;
        }
        while (low < high) {
            uint256 mid = Math.average(low, high) + 1; // in (low, high]
            if (_issueTime(mid) <= t) low = mid;
            else high = mid - 1;
        }
    }

    function _issueTime(uint256 tokenId) private view returns (uint48) {
        return uint48(_cards[tokenId] >> _ISSUED_AT);
    }

    function _checkPast(uint256 timepoint) private view returns (uint48) {
        uint48 now_ = Time.timestamp();
        if (timepoint >= now_) revert MembershipCardFutureLookup(timepoint, now_);
        return SafeCast.toUint48(timepoint);
    }
}
