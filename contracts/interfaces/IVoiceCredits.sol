// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IVoiceCredits
/// @notice Equal, non-transferable governance credits, issued to every member each epoch.
interface IVoiceCredits {
    /// @notice The rules of issuance from epoch `firstEpoch` (starting at time `start`) onwards.
    struct Schedule {
        uint48 start;
        uint32 firstEpoch;
        uint32 epochLength;
        uint64 creditsPerEpoch;
        uint64 maxBalance;
    }

    /// @notice Why a vote's spend was refused (0 means it was not).
    enum SpendStatus {
        Ok,
        NotEligible,
        InsufficientCredits
    }

    /// @notice A member's account was opened with the current epoch's allowance.
    event AccountOpened(address indexed member, uint256 indexed cardId, uint256 epoch, uint256 balance);
    /// @notice A member left; their credits (`forfeited`, accrued up to `epoch`) were zeroed.
    event AccountClosed(address indexed member, uint256 epoch, uint256 forfeited);
    /// @notice A member's account moved to a new address with its balance, accrued up to `epoch`.
    event AccountMoved(address indexed from, address indexed to, uint256 epoch, uint256 balance);
    /// @notice `amount` credits of `member` were moved to the governor as a proposal deposit.
    event DepositHeld(address indexed member, uint256 epoch, uint256 amount, uint256 balanceAfter);
    /// @notice `credited` of a returned deposit of `amount` reached `member` (the rest was over the cap and burned).
    event DepositReturned(address indexed member, uint256 epoch, uint256 amount, uint256 credited);
    /// @notice A held deposit of `amount` was destroyed.
    event DepositBurned(uint256 amount);
    /// @notice A new issuance schedule takes effect from `firstEpoch`, at time `start`.
    event ScheduleChanged(
        uint256 indexed index,
        uint256 start,
        uint256 firstEpoch,
        uint256 epochLength,
        uint256 creditsPerEpoch,
        uint256 maxBalance
    );
    /// @notice The contract allowed to spend and hold credits changed. The deposits `previousGovernor` holds stay
    /// its own to return or burn ({formerGovernorHeld}); `newGovernor` gets back what it held when it was replaced.
    event GovernorChanged(address indexed previousGovernor, address indexed newGovernor);
    /// @notice A former governor released `amount` of the deposits it still held (`remaining` left). The
    /// {DepositReturned} or {DepositBurned} that says where they went follows.
    event FormerGovernorReleased(address indexed formerGovernor, uint256 amount, uint256 remaining);

    /// @notice Only the membership card contract may open, close or move accounts.
    error VoiceCreditsUnauthorizedCard(address caller);
    /// @notice Only the governor may spend or hold credits.
    error VoiceCreditsUnauthorizedGovernor(address caller);
    /// @notice `member` has no account (is not a member).
    error VoiceCreditsNotMember(address member);
    /// @notice `member` cannot pay `needed` credits from `available`.
    error InsufficientCredits(address member, uint256 needed, uint256 available);
    /// @notice The held deposits cannot cover `amount`.
    error VoiceCreditsInsufficientHeld(uint256 amount, uint256 held);
    /// @notice A schedule parameter is out of range: an epoch shorter than `MIN_EPOCH_LENGTH` or longer than
    /// `MAX_EPOCH_LENGTH`, no credits per epoch, a cap below them or above 2^48 - 1.
    error VoiceCreditsInvalidSchedule(uint256 epochLength, uint256 creditsPerEpoch, uint256 maxBalance);
    /// @notice `governor` cannot be the governor: the zero address, or the governor already.
    error VoiceCreditsInvalidGovernor(address governor);
    /// @notice A cap of `maxBalance` (in force, or from the next epoch) is below `deposit`, the (new) governor's proposal
    /// deposit: nobody could ever propose again, not even to fix it. Lower the deposit before the cap; raise the cap
    /// before the deposit.
    error VoiceCreditsCapBelowDeposit(uint256 maxBalance, uint256 deposit);
    /// @notice Ownership is never renounced: the co-op's governance would lose this contract for good.
    error VoiceCreditsOwnershipNotRenounceable();

    /// @notice Opens `member`'s account with the current epoch's allowance. Membership card only.
    function openAccount(address member, uint256 cardId) external;
    /// @notice Closes `member`'s account and zeroes its credits. Membership card only; never reverts for a member.
    function closeAccount(address member) external;
    /// @notice Moves `from`'s account and balance to `to`. Membership card only.
    function moveAccount(address from, address to) external;

    /// @notice Charges `amount` credits for a vote by `member` on a proposal whose snapshot is `snapshot`.
    /// @dev Never reverts for a refusal: returns the reason, so that a batch can skip a bad ballot.
    function spendForVote(
        address member,
        uint256 snapshot,
        uint256 amount
    ) external returns (SpendStatus status, uint256 available);
    /// @notice Moves `amount` of `member`'s credits to the governor as a proposal deposit.
    /// @return cardId The member's card, which the deposit follows.
    function holdDeposit(address member, uint256 amount) external returns (uint256 cardId);
    /// @notice Gives a held deposit back to `member` (up to the cap), or burns it if they left.
    function returnDeposit(address member, uint256 amount) external returns (uint256 credited);
    /// @notice Burns `amount` of held deposits.
    function burnDeposit(uint256 amount) external;

    /// @notice `member`'s current stint, the membership register's record of who is a member now: their card and
    /// when the stint began (both 0 when not a member). The membership card reads it for its own views.
    function memberOf(address member) external view returns (uint256 cardId, uint256 since);
    /// @notice Credits `member` can spend now, accrual included.
    function balanceOf(address member) external view returns (uint256);
    /// @notice Credits held by the current governor as proposal deposits.
    function heldDeposits() external view returns (uint256);
    /// @notice Deposits that `formerGovernor`, replaced while it held them, still holds: it alone may return or
    /// burn them, when it settles its proposals.
    function formerGovernorHeld(address formerGovernor) external view returns (uint256);
    /// @notice The current epoch number.
    function currentEpoch() external view returns (uint256);
    /// @notice The schedule in force now.
    function currentSchedule() external view returns (Schedule memory);
    /// @notice The smaller of the cap in force and the cap of a schedule set to start at the next epoch: the most
    /// credits every member can count on holding.
    function lowestCap() external view returns (uint256);
    /// @notice Reverts with {VoiceCreditsCapBelowDeposit} when a proposal deposit of `deposit` is above {lowestCap}
    /// (the governor asks before it sets its deposit).
    function checkDeposit(uint256 deposit) external view;
    /// @notice The contract allowed to spend and hold credits.
    function governor() external view returns (address);
}
