// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IMembershipCard
/// @notice The membership register of a Mutual co-op: one soulbound card per member.
interface IMembershipCard {
    /// @notice A card was issued to a new member. Its person ({personOf}) is the person of the card `account` held
    /// last (given back, taken away or reassigned away), or `tokenId` for an address that never held one.
    event MemberAdmitted(address indexed account, uint256 indexed tokenId);
    /// @notice A member gave back their card.
    event MemberResigned(address indexed account, uint256 indexed tokenId);
    /// @notice Governance took a member's card away.
    event MemberExpelled(address indexed account, uint256 indexed tokenId, string reason);
    /// @notice Governance moved a card to a new address (for a lost key). The card keeps its person, and `to` is that
    /// person from now on.
    event MemberReassigned(address indexed from, address indexed to, uint256 indexed tokenId);
    /// @notice The credits ledger that is told of every membership change was bound (once).
    event VoiceCreditsBound(address indexed credits);

    /// @notice Cards cannot be transferred.
    error MembershipCardSoulbound(uint256 tokenId);
    /// @notice Cards cannot be approved for transfer, one by one or for all.
    error MembershipCardApprovalDisabled();
    /// @notice `account` already holds a card.
    error MembershipCardAlreadyMember(address account);
    /// @notice `account` holds no card.
    error MembershipCardNotMember(address account);
    /// @notice The zero address cannot hold a card.
    error MembershipCardInvalidAccount(address account);
    /// @notice `account` is one of the co-op's own contracts (this card, its owner the timelock, the credits, or a
    /// contract bound to this card: the governor, the ledger, the distributor), which cannot hold a card.
    error MembershipCardCoopContract(address account);
    /// @notice The credits ledger is already bound.
    error MembershipCardCreditsAlreadyBound(address credits);
    /// @notice The credits ledger must be bound before anyone is admitted.
    error MembershipCardCreditsNotBound();
    /// @notice The co-op has reached its largest size, `max` members.
    error MembershipCardFull(uint256 max);
    /// @notice A checkpoint lookup asked about the present or the future.
    error MembershipCardFutureLookup(uint256 timepoint, uint48 clock);
    /// @notice Ownership is never renounced: the co-op's governance would lose this contract for good.
    error MembershipCardOwnershipNotRenounceable();

    /// @notice Issues a card to `account`. Governance only. The co-op's own contracts are refused
    /// ({MembershipCardCoopContract}).
    function admit(address account) external returns (uint256 tokenId);
    /// @notice Issues a card to each of `accounts` (founders at deployment, or a cohort). Governance only.
    function admitMany(address[] calldata accounts) external returns (uint256 firstTokenId);
    /// @notice Gives back the caller's card. Nothing can block it.
    function resign() external;
    /// @notice Takes `account`'s card away, with a reason that is kept in the event log. Governance only.
    function expel(address account, string calldata reason) external;
    /// @notice Moves `from`'s card to `to`, for a member who lost a key. Governance only. `to` cannot be one of the
    /// co-op's own contracts ({MembershipCardCoopContract}).
    function reassign(address from, address to) external;

    /// @notice Whether `account` holds a card now.
    function isMember(address account) external view returns (bool);
    /// @notice The card held by `account` (0 when none).
    function cardOf(address account) external view returns (uint256);
    /// @notice The person of card `cardId`: the number of the first card its holder's person held (0 for a card never
    /// issued). A card issued to an address that held a card before carries that card's person; a reassigned card
    /// keeps its person. It never changes, and stays after the card is given back.
    function personOf(uint256 cardId) external view returns (uint256);
    /// @notice The card `account` holds and its person ((0, 0) when `account` holds no card).
    function identityOf(address account) external view returns (uint256 cardId, uint256 person);
    /// @notice Who holds card `tokenId` now (the zero address once it was given back or taken away).
    function holderOf(uint256 tokenId) external view returns (address);
    /// @notice When `account`'s current membership began (0 when not a member).
    function memberSince(address account) external view returns (uint48);
    /// @notice The number of members now.
    function memberCount() external view returns (uint256);
    /// @notice Whether `account` was a member at `timepoint` (a past timestamp).
    function wasMemberAt(address account, uint256 timepoint) external view returns (bool);
    /// @notice The number of members at `timepoint` (a past timestamp).
    function memberCountAt(uint256 timepoint) external view returns (uint256);
}
