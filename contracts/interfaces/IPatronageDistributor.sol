// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IContributionLedger} from "./IContributionLedger.sol";

/// @title IPatronageDistributor
/// @notice Shares pots of surplus (ETH or an ERC-20) among a period's contributors, in proportion to their validated
/// units under a pay-ratio cap: no share exceeds `R` times the smallest non-zero share (docs/patronage.md).
interface IPatronageDistributor {
    /// @notice The figures a period's pots are shared by, fixed once the period is finalized.
    /// @dev `minUnits` is the smallest validated units among the contributors submitted so far in this `generation`,
    /// `cappedSum` the sum of their units capped at `ratio * minUnits`. A submission with fewer units than `minUnits`
    /// starts a new generation: only a true minimum can never be undercut, so no wrong first submission can block
    /// finalization.
    struct Finalization {
        uint128 minUnits;
        uint64 submitted;
        uint32 generation;
        uint16 ratio;
        bool finalized;
        uint256 cappedSum;
    }

    /// @notice One allocated pot and what was claimed from it.
    struct Pot {
        address token;
        uint48 deadline;
        uint32 period;
        bool swept;
        uint128 amount;
        uint128 claimed;
        uint128 unitCap;
        uint128 cappedSum;
        uint128 maxShare;
    }

    /// @notice Contributors of `period` were submitted: `submitted` so far in `generation`, whose smallest units are
    /// `minUnits` and capped sum `cappedSum`.
    event FinalizationProgressed(
        uint256 indexed period,
        uint256 generation,
        uint256 submitted,
        uint256 minUnits,
        uint256 cappedSum
    );
    /// @notice `period` was finalized: its `contributors` share every pot by `minUnits`, `ratio` and `cappedSum`.
    event PeriodFinalized(
        uint256 indexed period,
        uint256 contributors,
        uint256 minUnits,
        uint256 ratio,
        uint256 cappedSum
    );
    /// @notice Pot `potId` of `amount` of `token` (zero: ETH) was allocated to `period`; claims until `deadline`, none
    /// above `maxShare`.
    event PotAllocated(
        uint256 indexed potId,
        uint256 indexed period,
        address indexed token,
        uint256 amount,
        uint256 deadline,
        uint256 maxShare
    );
    /// @notice Card `cardId`, held by `member`, claimed `amount` from pot `potId`.
    event PatronageClaimed(uint256 indexed potId, uint256 indexed cardId, address indexed member, uint256 amount);
    /// @notice What was left of pot `potId` after its deadline, `amount`, went back to `treasury`.
    event PotSwept(uint256 indexed potId, address indexed treasury, uint256 amount);
    /// @notice The pay ratio for periods that close after now (not at this second) changed.
    event PayRatioSet(uint256 oldRatio, uint256 newRatio);
    /// @notice How long members have to claim from pots allocated from now on changed.
    event ClaimWindowSet(uint256 oldWindow, uint256 newWindow);

    /// @notice `period` can be finalized only once its review has ended, at `reviewEndsAt`.
    error PatronageDistributorPeriodUnderReview(uint256 period, uint256 reviewEndsAt);
    /// @notice `period` is finalized already.
    error PatronageDistributorAlreadyFinalized(uint256 period);
    /// @notice Card `cardId` has no validated units in `period`.
    error PatronageDistributorNotContributor(uint256 period, uint256 cardId);
    /// @notice `period` is not finalized yet.
    error PatronageDistributorNotFinalized(uint256 period);
    /// @notice `period` has no validated contributions: there is nobody to share a pot with.
    error PatronageDistributorNothingToShare(uint256 period);
    /// @notice A pot must be more than zero: `amount` of `token` with `value` wei attached (ETH: value == amount; a
    /// token: value == 0).
    error PatronageDistributorInvalidAllocation(address token, uint256 amount, uint256 value);
    /// @notice No pot `potId` was allocated.
    error PatronageDistributorUnknownPot(uint256 potId);
    /// @notice Only current members claim.
    error PatronageDistributorNotMember(address account);
    /// @notice Card `cardId` claimed from pot `potId` already.
    error PatronageDistributorAlreadyClaimed(uint256 potId, uint256 cardId);
    /// @notice Card `cardId` has no share of pot `potId`.
    error PatronageDistributorNothingToClaim(uint256 potId, uint256 cardId);
    /// @notice Claims from pot `potId` closed at `deadline`.
    error PatronageDistributorClaimClosed(uint256 potId, uint256 deadline);
    /// @notice Pot `potId` can be swept only after its deadline, `deadline`.
    error PatronageDistributorClaimOpen(uint256 potId, uint256 deadline);
    /// @notice Pot `potId` was swept already.
    error PatronageDistributorAlreadySwept(uint256 potId);
    /// @notice A governance parameter is out of range.
    error PatronageDistributorInvalidParameter(string name, uint256 value);
    /// @notice Ownership is never renounced: the co-op's governance would lose this contract for good.
    error PatronageDistributorOwnershipNotRenounceable();

    /// @notice Submits contributors of a period whose review has ended, in chunks. Anyone may call.
    /// @dev The first contributor submitted must have the period's smallest validated units; the rest may come in any
    /// order. Submitting fewer units than the smallest so far starts over from that contributor. A card the current
    /// pass counted already is skipped, so two finalizers never sink each other's chunks (see {submittedInPass}). The
    /// period is finalized when every contributor the ledger counts was submitted.
    /// @param period The period.
    /// @param cardIds Contributors' card numbers (the shared TypeScript module computes the list from events).
    /// @return finalized Whether the period is finalized after this call.
    function finalize(uint256 period, uint256[] calldata cardIds) external returns (bool finalized);

    /// @notice Allocates a pot to a finalized period: ETH sent with the call (`token` zero, `amount` == msg.value) or
    /// `amount` of an ERC-20 pulled from the caller, who must have approved it. Governance only.
    /// @return potId The pot's number (from 1).
    function allocate(uint256 period, address token, uint256 amount) external payable returns (uint256 potId);

    /// @notice Pays the caller's card its share of pot `potId`, once, until the pot's deadline. Members only.
    /// @return amount What was paid.
    function claim(uint256 potId) external returns (uint256 amount);

    /// @notice Sends what is left of pot `potId` (unclaimed shares and rounding dust) to the treasury, after its
    /// deadline. Anyone may call, once.
    /// @return amount What was sent.
    function sweep(uint256 potId) external returns (uint256 amount);

    /// @notice Sets the pay ratio `R` for periods that close after now (a period closing at this very second keeps
    /// its ratio). Governance only.
    function setPayRatio(uint256 ratio) external;

    /// @notice Sets how long members have to claim from pots allocated from now on. Governance only.
    function setClaimWindow(uint256 window) external;

    /// @notice The ledger whose validated units the pots are shared by.
    function ledger() external view returns (IContributionLedger);
    /// @notice The pay ratio `R` in force now.
    function payRatio() external view returns (uint256);
    /// @notice The pay ratio of `period`: the one in force strictly before it closes (at its last second); a change
    /// made at the closing second applies from the next period on.
    function payRatioOf(uint256 period) external view returns (uint256);
    /// @notice How long members have to claim from a pot allocated now.
    function claimWindow() external view returns (uint256);
    /// @notice The finalization of `period`, complete or in progress.
    function finalization(uint256 period) external view returns (Finalization memory);
    /// @notice For each of `cardIds`, whether the current pass of `period`'s finalization counted it already: a
    /// finalizer submits the others.
    function submittedInPass(uint256 period, uint256[] calldata cardIds) external view returns (bool[] memory);
    /// @notice The number of pots ever allocated (pots are numbered 1 to this).
    function potCount() external view returns (uint256);
    /// @notice Pot `potId` (all zero when it does not exist).
    function pot(uint256 potId) external view returns (Pot memory);
    /// @notice Card `cardId`'s share of pot `potId`, claimed or not (0 for an unknown pot).
    function shareOf(uint256 potId, uint256 cardId) external view returns (uint256);
    /// @notice What `account` could claim from pot `potId` now (0 when not a member, claimed, closed or no share).
    function claimable(uint256 potId, address account) external view returns (uint256);
    /// @notice Whether card `cardId` claimed from pot `potId`.
    function hasClaimed(uint256 potId, uint256 cardId) external view returns (bool);
}
