// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IVoiceCredits} from "../interfaces/IVoiceCredits.sol";

/**
 * @title CreditMath
 * @notice The pure arithmetic of Mutual's voice: quadratic vote costs and epoch accrual.
 * @dev Fuzzed on its own (test/libraries/CreditMath.t.sol) against step-by-step reference models.
 */
library CreditMath {
    /// @notice Credits that `votes` votes cost on one proposal: votes².
    function cost(uint256 votes) internal pure returns (uint256) {
        return votes * votes;
    }

    /// @notice What adding `added` votes costs a member who already cast `previous` on the same side:
    /// (previous + added)² - previous², so the total paid is always (total votes)².
    /// @dev Requires `previous + added < 2^128` (the governor caps a member's votes on a proposal below 2^24).
    function marginalCost(uint256 previous, uint256 added) internal pure returns (uint256) {
        // Every vote pays this: unchecked, since under the bound neither the sum nor the squares overflow, and
        // total >= previous makes the difference non-negative.
        unchecked {
            uint256 total = previous + added;
            return total * total - previous * previous;
        }
    }

    /// @notice The most votes `balance` credits can buy from scratch: ⌊√balance⌋.
    function maxVotes(uint256 balance) internal pure returns (uint256) {
        return Math.sqrt(balance);
    }

    /// @notice `balance` after `epochs` epochs of `perEpoch` credits each, capped at `cap`.
    /// @dev Equal to applying `b = b >= cap ? b : min(b + perEpoch, cap)` once per epoch. A balance already at or
    /// above the cap (possible after governance lowered the cap) is left as it is: accrual never takes credits away.
    /// Requires `epochs < 2^32`, `perEpoch < 2^64` and `cap < 2^64`, as a schedule's fields guarantee.
    function accrue(uint256 balance, uint256 epochs, uint256 perEpoch, uint256 cap) internal pure returns (uint256) {
        if (balance >= cap || epochs == 0) return balance;
        // balance < cap < 2^64, epochs < 2^32 and perEpoch < 2^64: neither the product nor the sum overflows.
        unchecked {
            uint256 grown = balance + epochs * perEpoch;
            return grown < cap ? grown : cap;
        }
    }

    /// @notice The epoch number at `timestamp` under schedule `s` (which must have started).
    function epochAt(IVoiceCredits.Schedule memory s, uint256 timestamp) internal pure returns (uint256) {
        uint256 elapsed = timestamp - s.start; // checked: panics for a schedule that has not started
        // The first epoch is below 2^32 and the quotient below 2^48: the sum cannot overflow. A zero epoch length
        // still panics (division by zero is checked even here).
        unchecked {
            return s.firstEpoch + elapsed / s.epochLength;
        }
    }

    /// @notice When epoch `epoch` of schedule `s` ends (the next epoch's start).
    /// Requires `s.firstEpoch <= epoch < 2^32` (an epoch of the schedule).
    function epochEnd(IVoiceCredits.Schedule memory s, uint256 epoch) internal pure returns (uint256) {
        // epoch + 1 - firstEpoch >= 1 and below 2^32, the length below 2^32, the start below 2^48: no overflow.
        unchecked {
            return s.start + (epoch + 1 - s.firstEpoch) * s.epochLength;
        }
    }
}
