// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CreditMath} from "../../contracts/libraries/CreditMath.sol";
import {TestBase} from "../utils/Vm.sol";

contract CreditMathTest is TestBase {
    /// Any sequence of top-ups costs exactly (total votes)², paid as marginal costs.
    function testFuzz_topUpsCostTotalSquared(uint16[8] memory topUps) public pure {
        uint256 total = 0;
        uint256 paid = 0;
        for (uint256 i = 0; i < topUps.length; ++i) {
            paid += CreditMath.marginalCost(total, topUps[i]);
            total += topUps[i];
            assertEq(paid, total * total, "paid != total^2");
        }
    }

    /// Lazy accrual over k epochs equals accruing one epoch at a time.
    function testFuzz_accrueMatchesStepwise(uint64 balance, uint8 epochs, uint32 perEpoch, uint48 cap) public pure {
        uint256 stepwise = balance;
        for (uint256 i = 0; i < epochs; ++i) {
            if (stepwise < cap) stepwise = stepwise + perEpoch < cap ? stepwise + perEpoch : cap;
        }
        assertEq(CreditMath.accrue(balance, epochs, perEpoch, cap), stepwise, "lazy != stepwise");
    }
}
