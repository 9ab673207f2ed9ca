// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IContributionLedger} from "../../interfaces/IContributionLedger.sol";
import {IPatronageDistributor} from "../../interfaces/IPatronageDistributor.sol";

/**
 * @notice Test double (never deploy): a member that is a contract and, when paid ETH, calls back into the distributor
 * (claim the same pot again, claim another pot, or sweep), to show that a re-entrant receiver is paid once.
 * @dev With `bubble`, a refused re-entry's revert data is re-thrown, so the whole claim reverts with the distributor's
 * own error; without, the failure is recorded ({reentered}, {reentryData}) and the payment is accepted.
 */
contract ReentrantClaimer {
    // Private: a contract whose public `ledger()` names the co-op's ledger is taken for the co-op's distributor and
    // refused as a member (MembershipCardCoopContract).
    IContributionLedger private immutable _ledger;
    IPatronageDistributor public immutable distributor;

    bytes private _reentry;
    bool private _bubble;

    /// @notice How many times this contract was paid ETH.
    uint256 public payments;
    /// @notice Whether the last re-entry succeeded.
    bool public reentered;
    /// @notice What the last re-entry returned or reverted with.
    bytes public reentryData;

    constructor(IContributionLedger ledger_, IPatronageDistributor distributor_) {
        _ledger = ledger_;
        distributor = distributor_;
    }

    /// @notice Records a contribution as this member.
    function record(uint256 units) external returns (uint256) {
        return _ledger.record("labour", units, bytes32(0), "");
    }

    /// @notice Attests an entry as this member.
    function attest(uint256 entryId) external {
        _ledger.attest(entryId);
    }

    /// @notice Sets the call made back into the distributor when paid (empty: none).
    function arm(bytes calldata reentry, bool bubble) external {
        _reentry = reentry;
        _bubble = bubble;
    }

    /// @notice Claims from pot `potId` as this member.
    function claim(uint256 potId) external returns (uint256) {
        return distributor.claim(potId);
    }

    receive() external payable {
        ++payments;
        if (_reentry.length == 0 || payments > 1) return;
        (bool ok, bytes memory data) = address(distributor).call(_reentry);
        if (!ok && _bubble) {
            assembly ("memory-safe") {
                revert(add(data, 0x20), mload(data))
            }
        }
        reentered = ok;
        reentryData = data;
    }
}
