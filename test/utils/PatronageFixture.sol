// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ContributionLedger} from "../../contracts/patronage/ContributionLedger.sol";
import {PatronageDistributor} from "../../contracts/patronage/PatronageDistributor.sol";
import {IContributionLedger} from "../../contracts/interfaces/IContributionLedger.sol";
import {CoopFixture} from "./CoopFixture.sol";

/**
 * @notice A co-op (CoopFixture) with its contribution ledger and patronage distributor, both owned by the test contract
 * (as the card and the credits are), and helpers to record, attest and finalize.
 * @dev The ledger is deployed with the co-op at DEPLOY_TIME, so period 0 starts then.
 */
abstract contract PatronageFixture is CoopFixture {
    uint256 internal constant PERIOD = 30 days;
    uint256 internal constant REVIEW = 14 days;
    uint256 internal constant RATIO = 6;
    uint256 internal constant CLAIM_WINDOW = 60 days;

    ContributionLedger internal ledger;
    PatronageDistributor internal distributor;

    /// @notice Deploys a co-op with `members` members, its ledger (threshold 1) and its distributor (R = 6).
    function _deployPatronage(uint256 members) internal returns (address[] memory admitted) {
        _deployCoop(_defaultConfig());
        admitted = _admitMembers(members);
        ledger = new ContributionLedger(card, PERIOD, REVIEW, 1, address(this));
        distributor = new PatronageDistributor(ledger, RATIO, CLAIM_WINDOW, address(this));
    }

    /// @notice `member` records `units` of labour in the current period.
    function _record(address member, uint256 units) internal returns (uint256 entryId) {
        vm.prank(member);
        entryId = ledger.record("labour", units, keccak256(abi.encode(member, units)), "ipfs://evidence");
    }

    /// @notice `attester` attests entry `entryId`.
    function _attest(address attester, uint256 entryId) internal returns (bool validated) {
        vm.prank(attester);
        validated = ledger.attest(entryId);
    }

    /// @notice `member` records `units` and `attester` attests them (threshold 1: they count at once).
    function _contribute(address member, address attester, uint256 units) internal returns (uint256 entryId) {
        entryId = _record(member, units);
        _attest(attester, entryId);
    }

    /// @notice Moves the clock to the first second after `period`'s review: it can be finalized.
    function _warpPastReview(uint256 period) internal {
        (, , uint256 reviewEnd) = ledger.periodTimes(period);
        if (block.timestamp < reviewEnd) vm.warp(reviewEnd);
    }

    /// @notice The cards of `members`, ordered by their validated units in `period` (smallest first), as the shared
    /// TypeScript module orders them for finalization. Members without units are left out.
    function _finalizationOrder(uint256 period, address[] memory members) internal view returns (uint256[] memory ids) {
        uint256[] memory all = new uint256[](members.length);
        uint256[] memory units = new uint256[](members.length);
        uint256 n = 0;
        for (uint256 i = 0; i < members.length; ++i) {
            uint256 id = card.cardOf(members[i]);
            uint256 u = ledger.validatedUnits(period, id);
            if (u == 0) continue;
            // Insertion sort: test lists are short.
            uint256 j = n;
            while (j > 0 && units[j - 1] > u) {
                units[j] = units[j - 1];
                all[j] = all[j - 1];
                --j;
            }
            units[j] = u;
            all[j] = id;
            ++n;
        }
        ids = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) ids[i] = all[i];
    }

    /// @notice Finalizes `period` in one call with `members`' cards in order (after warping past the review).
    function _finalize(uint256 period, address[] memory members) internal {
        _warpPastReview(period);
        assertTrue(distributor.finalize(period, _finalizationOrder(period, members)), "finalized");
    }

    /// @notice One word that changes whenever anything the ledger stores about `entryId`, `period` or `cardId` does.
    function _ledgerState(uint256 entryId, uint256 period, uint256 cardId) internal view returns (bytes32) {
        IContributionLedger.Entry memory e = ledger.entry(entryId);
        (uint256 units, uint256 contributors) = ledger.periodTotals(period);
        return
            keccak256(
                abi.encode(
                    e,
                    ledger.entryCount(),
                    units,
                    contributors,
                    ledger.validatedUnits(period, cardId),
                    ledger.attestationThreshold()
                )
            );
    }
}
