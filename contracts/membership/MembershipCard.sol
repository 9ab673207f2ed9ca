// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
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
 * Membership history is checkpointed on the ERC-6372 timestamp clock. The current stint of every member
 * lives in one packed slot ({Member}); a stint is appended to `_pastStints` only when it ends, so an
 * admission writes no history array. `wasMemberAt(a, t)` is true when `since <= t < until`; changes made
 * at timestamp `t` are visible at `t`, as in OpenZeppelin's `Checkpoints.upperLookup`.
 *
 * @dev Note: every membership change is forwarded to {IVoiceCredits} in the same call, which opens, closes
 * or moves the member's credit account. `closeAccount` never reverts for a member, so nothing outside this
 * contract can block {resign}.
 */
contract MembershipCard is IMembershipCard, IERC721Metadata, IERC721Errors, IERC5192, IERC6372, Ownable {
    using Checkpoints for Checkpoints.Trace208;

    /// @dev The current stint of a member: their card and when it began.
    struct Member {
        uint64 cardId;
        uint48 since;
    }

    /// @dev A finished stint: member from `since` (inclusive) to `until` (exclusive).
    struct Stint {
        uint48 since;
        uint48 until;
    }

    /// @notice The most members a co-op can have: the governor counts voters in 24-bit tallies.
    uint256 public constant MAX_MEMBERS = type(uint24).max;

    string private _name;
    string private _symbol;

    // Packed in one slot: read together on every admission.
    IVoiceCredits private _credits;
    uint64 private _lastCardId;

    mapping(address account => Member) private _members;
    mapping(uint256 tokenId => address) private _owners;
    mapping(address account => Stint[]) private _pastStints;
    Checkpoints.Trace208 private _memberCount;

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
        if (_members[account].since != 0) revert MembershipCardAlreadyMember(account);
        IVoiceCredits credits = _credits;
        if (address(credits) == address(0)) revert MembershipCardCreditsNotBound();
        if (_memberCount.latest() >= MAX_MEMBERS) revert MembershipCardFull(MAX_MEMBERS);

        uint64 id;
        unchecked {
            // A uint64 counter incremented once per admission cannot overflow.
            id = _lastCardId + 1;
        }
        _lastCardId = id;
        tokenId = id;
        uint48 now_ = Time.timestamp();
        _members[account] = Member({cardId: id, since: now_});
        _owners[tokenId] = account;
        _pushCount(now_, true);

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
        Member memory m = _members[from];
        if (m.since == 0) revert MembershipCardNotMember(from);
        if (to == address(0)) revert MembershipCardInvalidAccount(to);
        if (_members[to].since != 0) revert MembershipCardAlreadyMember(to);

        uint48 now_ = Time.timestamp();
        _pastStints[from].push(Stint({since: m.since, until: now_}));
        delete _members[from];
        // The new address is a member from now on: it cannot vote on proposals whose snapshot is earlier,
        // so a card moved mid-vote can never vote twice on the same proposal.
        _members[to] = Member({cardId: m.cardId, since: now_});
        _owners[m.cardId] = to;

        emit Transfer(from, to, m.cardId);
        emit MemberReassigned(from, to, m.cardId);

        _credits.moveAccount(from, to);
    }

    // ------------------------------------------------------------------------------------------------
    // Membership views
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IMembershipCard
    function isMember(address account) external view returns (bool) {
        return _members[account].since != 0;
    }

    /// @inheritdoc IMembershipCard
    function cardOf(address account) external view returns (uint256) {
        return _members[account].cardId;
    }

    /// @inheritdoc IMembershipCard
    function holderOf(uint256 tokenId) external view returns (address) {
        return _owners[tokenId];
    }

    /// @inheritdoc IMembershipCard
    function memberSince(address account) external view returns (uint48) {
        return _members[account].since;
    }

    /// @inheritdoc IMembershipCard
    function memberCount() external view returns (uint256) {
        return _memberCount.latest();
    }

    /// @notice The number of cards ever issued (the last card number).
    function cardsIssued() external view returns (uint256) {
        return _lastCardId;
    }

    /// @inheritdoc IMembershipCard
    function wasMemberAt(address account, uint256 timepoint) external view returns (bool) {
        uint48 t = _checkPast(timepoint);
        uint48 since = _members[account].since;
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
        (bool exists, uint48 key, uint208 value) = _memberCount.latestCheckpoint();
        if (!exists) return 0;
        if (key <= t) return value;
        return _memberCount.upperLookupRecent(t);
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
        return _members[owner].since != 0 ? 1 : 0;
    }

    /// @inheritdoc IERC721
    function ownerOf(uint256 tokenId) public view returns (address) {
        address owner = _owners[tokenId];
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
        return CardArt.tokenURI(_name, tokenId, holder, _members[holder].since);
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

    /// @dev Ends `account`'s membership: burns the card and records the finished stint.
    function _leave(address account) private returns (uint256 tokenId) {
        Member memory m = _members[account];
        if (m.since == 0) revert MembershipCardNotMember(account);
        tokenId = m.cardId;
        uint48 now_ = Time.timestamp();

        _pastStints[account].push(Stint({since: m.since, until: now_}));
        delete _members[account];
        delete _owners[tokenId];
        _pushCount(now_, false);

        emit Transfer(account, address(0), tokenId);
    }

    function _pushCount(uint48 now_, bool up) private {
        uint208 count = _memberCount.latest();
        // A member can only leave if counted, and the count is bounded by the uint64 card counter.
        unchecked {
            _memberCount.push(now_, up ? count + 1 : count - 1);
        }
    }

    function _checkPast(uint256 timepoint) private view returns (uint48) {
        uint48 now_ = Time.timestamp();
        if (timepoint >= now_) revert MembershipCardFutureLookup(timepoint, now_);
        return SafeCast.toUint48(timepoint);
    }
}
