// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {IContributionLedger} from "../interfaces/IContributionLedger.sol";
import {IMembershipCard} from "../interfaces/IMembershipCard.sol";
import {IPatronageDistributor} from "../interfaces/IPatronageDistributor.sol";
import {PatronageMath} from "../libraries/PatronageMath.sol";

/**
 * @title PatronageDistributor
 * @notice Pays surplus back to members in proportion to their validated contributions in a period, under a pay-ratio
 * cap: no member's share of a pot exceeds `R` times the smallest non-zero share (Mondragon's 6:1 by default).
 *
 * @dev The life of a period's pots:
 * 1. Once the period's review has ended (the ledger then never changes it again), anyone {finalize}s it by submitting
 *    its contributors in chunks. The first one submitted must hold the smallest units `u_min`; the cap
 *    `C = R * u_min` is then known, and `S = sum of min(u_m, C)` accumulates in one pass. A contributor with fewer
 *    units than the current minimum starts the pass over from that contributor, so nobody can block finalization by
 *    submitting a wrong first contributor: the true minimum can never be undercut. Each card is submitted once per
 *    pass (a bitmap of card numbers); the pass completes when the number submitted equals the period's contributor
 *    count, which the ledger tracks.
 * 2. Governance (the timelock) {allocate}s pots to the finalized period: ETH or any ERC-20 (pulled with SafeERC20,
 *    the amount received is what counts). Several pots per period are allowed.
 * 3. Each member {claim}s once per pot, in O(1): `min(floor(P * min(u_m, C) / S), R * floor(P * u_min / S))`
 *    ({PatronageMath}). The sum of claims never exceeds the pot.
 * 4. After the pot's deadline anyone {sweep}s what is left (unclaimed shares, rounding dust) to the treasury.
 *
 * @dev Note: shares follow the card, as the ledger does. A card given back or taken away has no holder, so its share
 * is never claimed and returns with the sweep. The pay ratio of a period is the one in force at its last second (strictly before its
 * end): a change made at the second it closes applies from the next period on.
 */
contract PatronageDistributor is IPatronageDistributor, Ownable, ReentrancyGuard {
    using BitMaps for BitMaps.BitMap;
    using Checkpoints for Checkpoints.Trace208;
    using SafeERC20 for IERC20;

    /// @notice The largest pay ratio governance may set.
    uint256 public constant MAX_PAY_RATIO = 1000;
    /// @notice The shortest claim window governance may set.
    uint256 public constant MIN_CLAIM_WINDOW = 1 days;
    /// @notice The longest claim window governance may set.
    uint256 public constant MAX_CLAIM_WINDOW = 10 * 365 days;

    IContributionLedger private immutable _ledger;
    IMembershipCard private immutable _card;

    uint32 private _claimWindow;
    uint64 private _potCount;
    Checkpoints.Trace208 private _ratios;

    mapping(uint256 period => Finalization) private _finalizations;
    mapping(uint256 period => mapping(uint256 generation => BitMaps.BitMap cardIds)) private _submitted;
    mapping(uint256 potId => Pot) private _pots;
    mapping(uint256 potId => BitMaps.BitMap cardIds) private _claimed;

    /// @param ledger_ The contribution ledger (its membership register is the one claims are checked against).
    /// @param ratio The pay ratio `R` (from 1 to {MAX_PAY_RATIO}).
    /// @param claimWindow_ Seconds members have to claim from a pot once allocated.
    /// @param initialOwner The deployer, who hands ownership to the timelock.
    constructor(
        IContributionLedger ledger_,
        uint256 ratio,
        uint256 claimWindow_,
        address initialOwner
    ) Ownable(initialOwner) {
        _ledger = ledger_;
        _card = ledger_.membershipCard();
        _setPayRatio(ratio);
        _setClaimWindow(claimWindow_);
    }

    // ------------------------------------------------------------------------------------------------
    // Finalization (anyone)
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IPatronageDistributor
    /// @dev Loops over the list it is given (bounded by the caller's gas), never over the members.
    function finalize(uint256 period, uint256[] calldata cardIds) external returns (bool finalized) {
        (, uint256 end, uint256 reviewEnd) = _ledger.periodTimes(period);
        if (block.timestamp < reviewEnd) revert PatronageDistributorPeriodUnderReview(period, reviewEnd);
        Finalization memory f = _finalizations[period];
        if (f.finalized) revert PatronageDistributorAlreadyFinalized(period);
        if (f.ratio == 0) f.ratio = uint16(_ratioOf(end));

        uint256[] memory units = _ledger.validatedUnitsBatch(period, cardIds);
        uint256 cap = PatronageMath.unitCap(f.minUnits, f.ratio);
        BitMaps.BitMap storage seen = _submitted[period][f.generation];
        for (uint256 i = 0; i < cardIds.length; ++i) {
            uint256 u = units[i];
            uint256 cardId = cardIds[i];
            if (u == 0) revert PatronageDistributorNotContributor(period, cardId);
            if (f.submitted == 0 || u < f.minUnits) {
                // A new minimum: the cap changes, so the pass starts over from this contributor.
                if (f.submitted != 0) ++f.generation;
                f.minUnits = uint128(u); // the ledger keeps every card's units below 2^128
                f.submitted = 0;
                f.cappedSum = 0;
                cap = PatronageMath.unitCap(u, f.ratio);
                seen = _submitted[period][f.generation];
            }
            // Counted already in this pass (by another finalizer, or twice in this list): nothing to add.
            if (seen.get(cardId)) continue;
            seen.set(cardId);
            unchecked {
                // Distinct contributors: fewer than 2^64. Capped units sum to at most the period's units (< 2^128).
                ++f.submitted;
                f.cappedSum += PatronageMath.cappedUnits(u, cap);
            }
        }

        (, uint256 contributors) = _ledger.periodTotals(period);
        emit FinalizationProgressed(period, f.generation, f.submitted, f.minUnits, f.cappedSum);
        // Every one submitted is a distinct contributor: as many as the ledger counts means all of them.
        if (f.submitted == contributors) {
            f.finalized = true;
            finalized = true;
            emit PeriodFinalized(period, contributors, f.minUnits, f.ratio, f.cappedSum);
        }
        _finalizations[period] = f;
    }

    // ------------------------------------------------------------------------------------------------
    // Pots
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IPatronageDistributor
    function allocate(
        uint256 period,
        address token,
        uint256 amount
    ) external payable onlyOwner nonReentrant returns (uint256 potId) {
        Finalization memory f = _finalizations[period];
        if (!f.finalized) revert PatronageDistributorNotFinalized(period);
        if (f.cappedSum == 0) revert PatronageDistributorNothingToShare(period);

        uint256 received;
        if (token == address(0)) {
            if (amount == 0 || msg.value != amount)
                revert PatronageDistributorInvalidAllocation(token, amount, msg.value);
            received = amount;
        } else {
            if (amount == 0 || msg.value != 0) revert PatronageDistributorInvalidAllocation(token, amount, msg.value);
            // What arrives is what counts (a token may take a fee on transfer).
            uint256 before = IERC20(token).balanceOf(address(this));
            IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
            received = IERC20(token).balanceOf(address(this)) - before;
            if (received == 0) revert PatronageDistributorInvalidAllocation(token, amount, msg.value);
        }

        unchecked {
            // One pot per call: a uint64 counter cannot overflow.
            potId = ++_potCount;
        }
        uint256 cap = PatronageMath.unitCap(f.minUnits, f.ratio);
        // No share exceeds the pot itself, so the bound can be stored in 128 bits.
        uint256 maxShare = Math.min(PatronageMath.maxShare(received, f.minUnits, f.ratio, f.cappedSum), received);
        uint256 deadline = block.timestamp + _claimWindow;
        _pots[potId] = Pot({
            token: token,
            deadline: uint48(deadline),
            period: uint32(period), // a finalized period started before now: it fits 32 bits as in the ledger
            swept: false,
            amount: SafeCast.toUint128(received),
            claimed: 0,
            // Every card's units are below 2^128: a larger cap caps nothing, and neither does 2^128 - 1.
            unitCap: uint128(Math.min(cap, type(uint128).max)),
            cappedSum: uint128(f.cappedSum),
            maxShare: uint128(maxShare)
        });
        emit PotAllocated(potId, period, token, received, deadline, maxShare);
    }

    /// @inheritdoc IPatronageDistributor
    function claim(uint256 potId) external nonReentrant returns (uint256 amount) {
        Pot storage p = _pots[potId];
        uint256 total = p.amount;
        if (total == 0) revert PatronageDistributorUnknownPot(potId);
        if (block.timestamp > p.deadline) revert PatronageDistributorClaimClosed(potId, p.deadline);
        uint256 cardId = _card.cardOf(msg.sender);
        if (cardId == 0) revert PatronageDistributorNotMember(msg.sender);
        BitMaps.BitMap storage claimed = _claimed[potId];
        if (claimed.get(cardId)) revert PatronageDistributorAlreadyClaimed(potId, cardId);
        amount = _share(p, total, cardId);
        if (amount == 0) revert PatronageDistributorNothingToClaim(potId, cardId);

        // Effects before the transfer: the card is marked and the pot debited before any call out.
        claimed.set(cardId);
        unchecked {
            // Shares sum to at most the pot (PatronageMath): claimed + amount <= amount of the pot < 2^128.
            p.claimed += uint128(amount);
        }
        emit PatronageClaimed(potId, cardId, msg.sender, amount);
        _pay(p.token, msg.sender, amount);
    }

    /// @inheritdoc IPatronageDistributor
    function sweep(uint256 potId) external nonReentrant returns (uint256 amount) {
        Pot storage p = _pots[potId];
        if (p.amount == 0) revert PatronageDistributorUnknownPot(potId);
        if (block.timestamp <= p.deadline) revert PatronageDistributorClaimOpen(potId, p.deadline);
        if (p.swept) revert PatronageDistributorAlreadySwept(potId);

        // Marked before the transfer: a second sweep, even from inside the treasury's receive hook, is refused.
        p.swept = true;
        amount = p.amount - p.claimed;
        address treasury = owner();
        emit PotSwept(potId, treasury, amount);
        if (amount != 0) _pay(p.token, treasury, amount);
    }

    // ------------------------------------------------------------------------------------------------
    // Governance
    // ------------------------------------------------------------------------------------------------

    /// @notice Refused: ownership is never renounced. Without an owner,
    /// no pot could be allocated again and a sweep would send what is left to the zero address.
    /// @dev Ownership can only move, by `transferOwnership`, to another owner (a new timelock, by a passed proposal).
    function renounceOwnership() public view override onlyOwner {
        revert PatronageDistributorOwnershipNotRenounceable();
    }

    /// @inheritdoc IPatronageDistributor
    function setPayRatio(uint256 ratio) external onlyOwner {
        _setPayRatio(ratio);
    }

    /// @inheritdoc IPatronageDistributor
    function setClaimWindow(uint256 window) external onlyOwner {
        _setClaimWindow(window);
    }

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IPatronageDistributor
    function ledger() external view returns (IContributionLedger) {
        return _ledger;
    }

    /// @inheritdoc IPatronageDistributor
    function payRatio() external view returns (uint256) {
        return _ratios.latest();
    }

    /// @inheritdoc IPatronageDistributor
    function payRatioOf(uint256 period) external view returns (uint256) {
        (, uint256 end, ) = _ledger.periodTimes(period);
        return _ratioOf(end);
    }

    /// @inheritdoc IPatronageDistributor
    function claimWindow() external view returns (uint256) {
        return _claimWindow;
    }

    /// @inheritdoc IPatronageDistributor
    function finalization(uint256 period) external view returns (Finalization memory) {
        return _finalizations[period];
    }

    /// @inheritdoc IPatronageDistributor
    function submittedInPass(
        uint256 period,
        uint256[] calldata cardIds
    ) external view returns (bool[] memory submitted) {
        BitMaps.BitMap storage seen = _submitted[period][_finalizations[period].generation];
        submitted = new bool[](cardIds.length);
        for (uint256 i = 0; i < cardIds.length; ++i) submitted[i] = seen.get(cardIds[i]);
    }

    /// @inheritdoc IPatronageDistributor
    function potCount() external view returns (uint256) {
        return _potCount;
    }

    /// @inheritdoc IPatronageDistributor
    function pot(uint256 potId) external view returns (Pot memory) {
        return _pots[potId];
    }

    /// @inheritdoc IPatronageDistributor
    function shareOf(uint256 potId, uint256 cardId) public view returns (uint256) {
        Pot storage p = _pots[potId];
        uint256 total = p.amount;
        return total == 0 ? 0 : _share(p, total, cardId);
    }

    /// @inheritdoc IPatronageDistributor
    function claimable(uint256 potId, address account) external view returns (uint256) {
        uint256 cardId = _card.cardOf(account);
        Pot storage p = _pots[potId];
        if (cardId == 0 || block.timestamp > p.deadline || _claimed[potId].get(cardId)) return 0;
        return shareOf(potId, cardId);
    }

    /// @inheritdoc IPatronageDistributor
    function hasClaimed(uint256 potId, uint256 cardId) external view returns (bool) {
        return _claimed[potId].get(cardId);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    function _share(Pot storage p, uint256 total, uint256 cardId) private view returns (uint256) {
        uint256 units = _ledger.validatedUnits(p.period, cardId);
        return PatronageMath.share(total, units, p.unitCap, p.cappedSum, p.maxShare);
    }

    function _pay(address token, address to, uint256 amount) private {
        if (token == address(0)) Address.sendValue(payable(to), amount);
        else IERC20(token).safeTransfer(to, amount);
    }

    /// @dev The ratio of a period that closes at `end`: the one in force strictly before `end`, that is at its last
    /// second `end - 1` (a change at the closing second belongs to the next period). Before this contract's first
    /// checkpoint, its first ratio.
    function _ratioOf(uint256 end) private view returns (uint256 ratio) {
        // A period lasts at least a day, so `end` > 0 and `end - 1` does not underflow.
        uint256 lastSecond = end - 1;
        if (lastSecond > type(uint48).max) return _ratios.latest();
        ratio = _ratios.upperLookupRecent(uint48(lastSecond));
        if (ratio == 0) ratio = _ratios.at(0)._value;
    }

    function _setPayRatio(uint256 ratio) private {
        if (ratio == 0 || ratio > MAX_PAY_RATIO) revert PatronageDistributorInvalidParameter("payRatio", ratio);
        emit PayRatioSet(_ratios.latest(), ratio);
        _ratios.push(uint48(block.timestamp), uint208(ratio));
    }

    function _setClaimWindow(uint256 window) private {
        if (window < MIN_CLAIM_WINDOW || window > MAX_CLAIM_WINDOW) {
            revert PatronageDistributorInvalidParameter("claimWindow", window);
        }
        emit ClaimWindowSet(_claimWindow, window);
        _claimWindow = uint32(window);
    }
}
