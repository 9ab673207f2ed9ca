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

    /// At the governor's cap (2^24 - 1 votes on a proposal) the marginal cost is exact, with room to spare.
    function testFuzz_marginalCostExactUpToTheVoteCap(uint24 previous, uint24 added) public pure {
        uint256 total = uint256(previous) + added;
        vm.assume(total <= type(uint24).max);
        assertEq(CreditMath.marginalCost(previous, added), total * total - uint256(previous) * previous, "marginal");
        assertEq(CreditMath.marginalCost(0, type(uint24).max), uint256(type(uint24).max) ** 2, "the largest vote");
    }

    /// Lazy accrual over k epochs equals accruing one epoch at a time.
    function testFuzz_accrueMatchesStepwise(uint64 balance, uint8 epochs, uint32 perEpoch, uint48 cap) public pure {
        uint256 stepwise = balance;
        for (uint256 i = 0; i < epochs; ++i) {
            if (stepwise < cap) stepwise = stepwise + perEpoch < cap ? stepwise + perEpoch : cap;
        }
        assertEq(CreditMath.accrue(balance, epochs, perEpoch, cap), stepwise, "lazy != stepwise");
    }

    /// maxVotes(balance) is the most votes the balance buys from scratch: n votes cost n² ≤ balance, n + 1 would not.
    function testFuzz_maxVotesIsTheMostAffordable(uint256 balance) public pure {
        uint256 n = CreditMath.maxVotes(balance);
        assertLe(CreditMath.cost(n), balance, "maxVotes must be affordable");
        if (n < type(uint128).max) assertGe(CreditMath.cost(n + 1), balance + 1, "one more vote must not be");
    }

    /// The edges: nothing buys nothing, one credit buys one vote, a perfect square buys exactly its root.
    function test_maxVotes_edges() public pure {
        assertEq(CreditMath.maxVotes(0), 0, "0 credits");
        assertEq(CreditMath.maxVotes(1), 1, "1 credit");
        assertEq(CreditMath.maxVotes(3), 1, "3 credits");
        assertEq(CreditMath.maxVotes(4), 2, "4 credits");
        assertEq(CreditMath.maxVotes(400), 20, "a full default balance");
        assertEq(CreditMath.maxVotes(type(uint256).max), type(uint128).max, "the largest balance");
    }
}
