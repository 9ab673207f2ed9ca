// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PatronageMath} from "../../contracts/libraries/PatronageMath.sol";
import {TestBase} from "../utils/Vm.sol";

/// @notice The share formula on its own: any distribution of units, any pot, any ratio.
contract PatronageMathTest is TestBase {
    struct Shares {
        uint256[] shares;
        uint256 minUnits;
        uint256 cappedSum;
        uint256 total;
        uint256 smallest;
        uint256 largest;
    }

    /// @dev The shares of `pot` among `units` (all non-zero) under `ratio`, computed the way the distributor does.
    function _shares(uint256 pot, uint256[] memory units, uint256 ratio) internal pure returns (Shares memory s) {
        s.minUnits = type(uint256).max;
        for (uint256 i = 0; i < units.length; ++i) if (units[i] < s.minUnits) s.minUnits = units[i];
        uint256 cap = PatronageMath.unitCap(s.minUnits, ratio);
        for (uint256 i = 0; i < units.length; ++i) s.cappedSum += PatronageMath.cappedUnits(units[i], cap);
        uint256 maxShare = PatronageMath.maxShare(pot, s.minUnits, ratio, s.cappedSum);
        s.shares = new uint256[](units.length);
        s.smallest = type(uint256).max;
        for (uint256 i = 0; i < units.length; ++i) {
            uint256 share = PatronageMath.share(pot, units[i], cap, s.cappedSum, maxShare);
            s.shares[i] = share;
            s.total += share;
            if (share < s.smallest) s.smallest = share;
            if (share > s.largest) s.largest = share;
        }
    }

    /// @dev Up to 16 contributors with 1 to 2^64 - 1 units each, a ratio from 1 to 1000 and a pot up to 2^128 - 1.
    function _bounded(
        uint64[16] memory raw,
        uint8 count,
        uint16 ratio,
        uint128 pot
    ) internal pure returns (uint256[] memory units, uint256 r, uint256 p) {
        units = new uint256[](bound(count, 1, raw.length));
        for (uint256 i = 0; i < units.length; ++i) units[i] = bound(raw[i], 1, type(uint64).max);
        r = bound(ratio, 1, 1000);
        p = pot;
    }

    /// The sum of all shares never exceeds the pot, and the dust left is at most (R + 1) per contributor.
    function testFuzz_sharesNeverExceedThePot(
        uint64[16] memory raw,
        uint8 count,
        uint16 ratio,
        uint128 pot
    ) public pure {
        (uint256[] memory units, uint256 r, uint256 p) = _bounded(raw, count, ratio, pot);
        Shares memory s = _shares(p, units, r);
        assertLe(s.total, p, "claims exceed the pot");
        assertLe(p - s.total, units.length * (r + 1), "dust above n * (R + 1)");
    }

    /// No share exceeds R times the smallest share, and the smallest is floor(P * u_min / S).
    function testFuzz_payRatioHolds(uint64[16] memory raw, uint8 count, uint16 ratio, uint128 pot) public pure {
        (uint256[] memory units, uint256 r, uint256 p) = _bounded(raw, count, ratio, pot);
        Shares memory s = _shares(p, units, r);
        assertLe(s.largest, r * s.smallest, "largest share above R x smallest");
        assertEq(s.smallest, (p * s.minUnits) / s.cappedSum, "smallest share");
    }

    /// Against an independent reference: each share is the exact proportional share of the capped units, rounded
    /// down, and clipped to R times the smallest rounded share; shares grow with units.
    function testFuzz_matchesReference(uint64[16] memory raw, uint8 count, uint16 ratio, uint64 pot) public pure {
        (uint256[] memory units, uint256 r, uint256 p) = _bounded(raw, count, ratio, pot);
        Shares memory s = _shares(p, units, r);
        // Reference in plain checked arithmetic (pot < 2^64, units < 2^64, n <= 16: no product overflows 2^256).
        uint256 minUnits = type(uint256).max;
        for (uint256 i = 0; i < units.length; ++i) if (units[i] < minUnits) minUnits = units[i];
        uint256 sum = 0;
        for (uint256 i = 0; i < units.length; ++i) sum += units[i] < r * minUnits ? units[i] : r * minUnits;
        uint256 floorMin = (p * minUnits) / sum;
        for (uint256 i = 0; i < units.length; ++i) {
            uint256 capped = units[i] < r * minUnits ? units[i] : r * minUnits;
            uint256 proportional = (p * capped) / sum;
            uint256 expected = proportional < r * floorMin ? proportional : r * floorMin;
            assertEq(s.shares[i], expected, "share differs from the reference");
            for (uint256 j = 0; j < units.length; ++j) {
                if (units[j] >= units[i]) assertGe(s.shares[j], s.shares[i], "more units, smaller share");
            }
        }
    }

    /// Without the cap (R large enough that nobody reaches it) and a pot large against the units, shares are exactly
    /// proportional. (With a tiny pot, R * floor(P * u_min / S) can bind: see testFuzz_payRatioHolds.)
    function testFuzz_uncappedIsProportional(uint32 a, uint32 b, uint32 c, uint64 pot) public pure {
        uint256[] memory units = new uint256[](3);
        units[0] = bound(a, 1, 100);
        units[1] = bound(b, 1, 100);
        units[2] = bound(c, 1, 100);
        pot = uint64(bound(pot, 2 ** 32, type(uint64).max));
        Shares memory s = _shares(pot, units, 1000);
        uint256 sum = units[0] + units[1] + units[2];
        for (uint256 i = 0; i < 3; ++i) assertEq(s.shares[i], (uint256(pot) * units[i]) / sum, "proportional");
    }

    /// R = 1 shares the pot equally whatever the units.
    function testFuzz_ratioOneIsEqualShares(uint64[16] memory raw, uint8 count, uint128 pot) public pure {
        (uint256[] memory units, , uint256 p) = _bounded(raw, count, 1, pot);
        Shares memory s = _shares(p, units, 1);
        for (uint256 i = 0; i < units.length; ++i) assertEq(s.shares[i], p / units.length, "equal share");
    }

    /// The worked example of docs/patronage.md: units 10, 20, 40, 100 and 200, R = 6, a pot of 1,000,000.
    function test_workedExample() public pure {
        uint256[] memory units = new uint256[](5);
        units[0] = 10;
        units[1] = 20;
        units[2] = 40;
        units[3] = 100;
        units[4] = 200;
        Shares memory s = _shares(1_000_000, units, 6);
        assertEq(s.minUnits, 10, "u_min");
        assertEq(s.cappedSum, 10 + 20 + 40 + 60 + 60, "S: 100 and 200 capped at 60");
        assertEq(s.shares[0], 52_631, "10 units");
        assertEq(s.shares[1], 105_263, "20 units");
        assertEq(s.shares[2], 210_526, "40 units");
        assertEq(s.shares[3], 315_786, "100 units: capped, 6 x 52,631");
        assertEq(s.shares[4], 315_786, "200 units: capped, 6 x 52,631");
        assertEq(s.total, 999_992, "claimed in all");
    }

    /// The saturating edges: a cap above 2^256 - 1 caps nothing; the largest share saturates rather than overflows.
    function test_saturatingEdges() public pure {
        assertEq(PatronageMath.unitCap(type(uint256).max, 2), type(uint256).max, "cap saturates");
        assertEq(PatronageMath.cappedUnits(type(uint256).max - 1, type(uint256).max), type(uint256).max - 1, "no cap");
        assertEq(PatronageMath.maxShare(type(uint256).max, 1, 1000, 1), type(uint256).max, "max share saturates");
        assertEq(PatronageMath.share(type(uint256).max, 5, 10, 5, type(uint256).max), type(uint256).max, "whole pot");
    }
}
