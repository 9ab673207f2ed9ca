// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/**
 * @title PatronageMath
 * @notice The pure arithmetic of patronage under a pay-ratio cap (docs/patronage.md).
 * @dev A period's contributors hold validated units `u_m > 0`; `u_min` is the smallest and `R >= 1` the pay ratio.
 * Each member's units are capped at `C = R * u_min`, `S` is the sum of the capped units, and a member's share of a
 * pot `P` is
 *
 *     share(u_m) = min( floor(P * min(u_m, C) / S), R * floor(P * u_min / S) ).
 *
 * - Sum of shares <= P: each first term is at most its exact value P * min(u_m, C) / S, whose sum is P.
 * - The smallest share is floor(P * u_min / S) (the member with u_min is never capped), and no share exceeds R times
 *   it: the second term bounds every share after rounding, not only before.
 * - A share depends only on the member's own units and the period's `u_min`, `R`, `S`: not on who claims first.
 *
 * Fuzzed on its own (test/libraries/PatronageMath.t.sol) against these bounds.
 */
library PatronageMath {
    /// @notice The cap on any member's units: `ratio * minUnits`, saturating at 2^256 - 1.
    function unitCap(uint256 minUnits, uint256 ratio) internal pure returns (uint256) {
        return Math.saturatingMul(minUnits, ratio);
    }

    /// @notice A member's units after the cap: `min(units, cap)`.
    function cappedUnits(uint256 units, uint256 cap) internal pure returns (uint256) {
        return Math.min(units, cap);
    }

    /// @notice The largest share any member can receive from a pot of `pot`: `ratio * floor(pot * minUnits / cappedSum)`.
    /// @dev Requires `cappedSum >= minUnits > 0`. Saturates instead of overflowing: a cap above 2^256 - 1 caps nothing.
    function maxShare(uint256 pot, uint256 minUnits, uint256 ratio, uint256 cappedSum) internal pure returns (uint256) {
        return Math.saturatingMul(Math.mulDiv(pot, minUnits, cappedSum), ratio);
    }

    /// @notice A member's share of a pot: `min(floor(pot * min(units, cap) / cappedSum), maxShare_)`.
    /// @param pot The amount shared.
    /// @param units The member's validated units in the period.
    /// @param cap The period's unit cap ({unitCap}).
    /// @param cappedSum The sum over the period's contributors of their capped units (> 0).
    /// @param maxShare_ The pot's largest share ({maxShare}).
    function share(
        uint256 pot,
        uint256 units,
        uint256 cap,
        uint256 cappedSum,
        uint256 maxShare_
    ) internal pure returns (uint256) {
        // mulDiv computes pot * capped / cappedSum in 512 bits: no overflow for any pot.
        return Math.min(Math.mulDiv(pot, cappedUnits(units, cap), cappedSum), maxShare_);
    }
}
