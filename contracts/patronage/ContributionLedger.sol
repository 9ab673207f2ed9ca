// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {IContributionLedger} from "../interfaces/IContributionLedger.sol";
import {IMembershipCard} from "../interfaces/IMembershipCard.sol";

/**
 * @title ContributionLedger
 * @notice Members record contributions to the co-op; an entry counts once enough *other* members attest it; governance
 * may void an entry, with a reason, during its period and a review window after it. Validated units per card and per
 * period are readable by anyone, and by the {PatronageDistributor} that shares a surplus in proportion to them.
 *
 * @dev Time is cut into periods of `periodLength` seconds from the deployment: period `p` is
 * `[start + p * length, start + (p + 1) * length)`. Entries are recorded in the current period only, attested until
 * it closes, and voided until its review ends (`reviewWindow` after it closes). From then on nothing about the period
 * can change: its validated units and contributor count are final, which is what lets the distributor finalize it.
 *
 * The attestation threshold is copied into each entry when it is recorded, so a change applies only to later entries.
 * Units belong to the card that recorded them: a card reassigned to a new key keeps its entries and its units.
 * Authors and attesters are told apart by person ({IMembershipCard-personOf}), not by card: a member who resigns and
 * is admitted again, or whose card moves to a new key, is the same person, so they can neither attest their own old
 * entry nor attest an entry a second time (with a threshold of 2, one person never validates an entry alone).
 *
 * @dev Note: contributions never change voice. This contract holds no reference to the credits or the governor.
 * Nothing loops over members or entries.
 */
contract ContributionLedger is IContributionLedger, Ownable {
    using BitMaps for BitMaps.BitMap;

    /// @notice The largest attestation threshold governance may set.
    uint256 public constant MAX_ATTESTATION_THRESHOLD = 255;

    /// @dev Validated units and contributors of one period, in one word.
    struct Totals {
        uint128 units;
        uint64 contributors;
    }

    IMembershipCard private immutable _card;
    uint48 private immutable _start;
    uint32 private immutable _periodLength;
    uint32 private immutable _reviewWindow;

    uint16 private _threshold;
    uint64 private _entryCount;

    mapping(uint256 entryId => Entry) private _entries;
    mapping(uint256 entryId => BitMaps.BitMap persons) private _attested;
    mapping(uint256 period => mapping(uint256 cardId => uint256)) private _units;
    mapping(uint256 period => Totals) private _totals;

    /// @param card The membership register.
    /// @param periodLength_ Seconds per period (from 1 day to 5 years).
    /// @param reviewWindow_ Seconds after a period closes during which governance may still void entries (at most 1 year).
    /// @param threshold Attestations an entry needs (from 1 to {MAX_ATTESTATION_THRESHOLD}).
    /// @param initialOwner The deployer, who hands ownership to the timelock.
    constructor(
        IMembershipCard card,
        uint256 periodLength_,
        uint256 reviewWindow_,
        uint256 threshold,
        address initialOwner
    ) Ownable(initialOwner) {
        if (periodLength_ < 1 days || periodLength_ > 5 * 365 days || reviewWindow_ > 365 days) {
            revert ContributionLedgerInvalidPeriods(periodLength_, reviewWindow_);
        }
        _card = card;
        _start = uint48(block.timestamp);
        _periodLength = uint32(periodLength_);
        _reviewWindow = uint32(reviewWindow_);
        emit ContributionLedgerConfigured(address(card), block.timestamp, periodLength_, reviewWindow_);
        _setThreshold(threshold);
    }

    // ------------------------------------------------------------------------------------------------
    // Members
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IContributionLedger
    function record(
        bytes32 kind,
        uint256 units,
        bytes32 evidenceHash,
        string calldata evidenceURI
    ) external returns (uint256 entryId) {
        (uint256 cardId, uint256 person) = _identityOf(msg.sender);
        if (units == 0 || units > type(uint64).max) revert ContributionLedgerInvalidUnits(units);
        uint256 period = currentPeriod();
        uint16 threshold = _threshold;
        unchecked {
            // One entry per transaction at most: a uint64 counter cannot overflow.
            entryId = ++_entryCount;
        }
        _entries[entryId] = Entry({
            cardId: uint64(cardId), // card numbers are uint64 in the register
            period: SafeCast.toUint32(period),
            units: uint64(units),
            threshold: threshold,
            attestations: 0,
            status: Status.Pending,
            person: uint48(person) // persons are card numbers
        });
        emit ContributionRecorded(
            entryId,
            period,
            cardId,
            msg.sender,
            kind,
            units,
            evidenceHash,
            evidenceURI,
            threshold
        );
    }

    /// @inheritdoc IContributionLedger
    function attest(uint256 entryId) external returns (bool validated) {
        (uint256 cardId, uint256 person) = _identityOf(msg.sender);
        Entry memory e = _entries[entryId];
        if (e.status == Status.None) revert ContributionLedgerUnknownEntry(entryId);
        if (e.status == Status.Voided) revert ContributionLedgerEntryVoided(entryId);
        if (e.status == Status.Validated) revert ContributionLedgerAlreadyValidated(entryId);
        (, uint256 end, ) = periodTimes(e.period);
        if (block.timestamp >= end) revert ContributionLedgerPeriodClosed(e.period, end);
        // By person, not card: a new card (resigned and admitted again) or a new key (reassigned) is the same person.
        if (e.person == person) revert ContributionLedgerSelfAttestation(entryId, cardId, person);
        BitMaps.BitMap storage attested = _attested[entryId];
        if (attested.get(person)) revert ContributionLedgerAlreadyAttested(entryId, cardId, person);

        attested.set(person);
        unchecked {
            // Attestations stop at the threshold (at most 255): the counter cannot overflow.
            ++e.attestations;
        }
        emit ContributionAttested(entryId, cardId, msg.sender, e.attestations);

        if (e.attestations == e.threshold) {
            e.status = Status.Validated;
            validated = true;
            (uint256 cardUnits, uint256 periodUnits) = _addUnits(e.period, e.cardId, e.units);
            emit ContributionValidated(entryId, e.period, e.cardId, e.units, cardUnits, periodUnits);
        }
        _entries[entryId] = e;
    }

    // ------------------------------------------------------------------------------------------------
    // Governance
    // ------------------------------------------------------------------------------------------------

    /// @notice Refused: ownership is never renounced. Without an owner,
    /// no false entry could ever be voided and the threshold could never change.
    /// @dev Ownership can only move, by `transferOwnership`, to another owner (a new timelock, by a passed proposal).
    function renounceOwnership() public view override onlyOwner {
        revert ContributionLedgerOwnershipNotRenounceable();
    }

    /// @inheritdoc IContributionLedger
    function voidEntry(uint256 entryId, string calldata reason) external onlyOwner {
        Entry storage e = _entries[entryId];
        Status status = e.status;
        if (status == Status.None) revert ContributionLedgerUnknownEntry(entryId);
        if (status == Status.Voided) revert ContributionLedgerEntryVoided(entryId);
        uint256 period = e.period;
        (, , uint256 reviewEnd) = periodTimes(period);
        if (block.timestamp >= reviewEnd) revert ContributionLedgerReviewClosed(period, reviewEnd);

        e.status = Status.Voided;
        uint256 removed;
        if (status == Status.Validated) {
            removed = e.units;
            _removeUnits(period, e.cardId, removed);
        }
        emit ContributionVoided(entryId, period, e.cardId, removed, reason);
    }

    /// @inheritdoc IContributionLedger
    function setAttestationThreshold(uint256 threshold) external onlyOwner {
        _setThreshold(threshold);
    }

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IContributionLedger
    function membershipCard() external view returns (IMembershipCard) {
        return _card;
    }

    /// @inheritdoc IContributionLedger
    function firstPeriodStart() external view returns (uint256) {
        return _start;
    }

    /// @inheritdoc IContributionLedger
    function periodLength() external view returns (uint256) {
        return _periodLength;
    }

    /// @inheritdoc IContributionLedger
    function reviewWindow() external view returns (uint256) {
        return _reviewWindow;
    }

    /// @inheritdoc IContributionLedger
    function currentPeriod() public view returns (uint256) {
        // The clock never runs behind the deployment: no underflow.
        unchecked {
            return (block.timestamp - _start) / _periodLength;
        }
    }

    /// @inheritdoc IContributionLedger
    function periodTimes(uint256 period) public view returns (uint256 start, uint256 end, uint256 reviewEnd) {
        start = _start + period * _periodLength;
        end = start + _periodLength;
        reviewEnd = end + _reviewWindow;
    }

    /// @inheritdoc IContributionLedger
    function attestationThreshold() external view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc IContributionLedger
    function entryCount() external view returns (uint256) {
        return _entryCount;
    }

    /// @inheritdoc IContributionLedger
    function entry(uint256 entryId) external view returns (Entry memory) {
        return _entries[entryId];
    }

    /// @inheritdoc IContributionLedger
    function hasAttested(uint256 entryId, uint256 cardId) external view returns (bool) {
        // A card never issued has person 0, and no attester is person 0.
        return _attested[entryId].get(_card.personOf(cardId));
    }

    /// @inheritdoc IContributionLedger
    function validatedUnits(uint256 period, uint256 cardId) external view returns (uint256) {
        return _units[period][cardId];
    }

    /// @inheritdoc IContributionLedger
    /// @dev Loops over the list it is given (bounded by the caller), never over the members.
    function validatedUnitsBatch(uint256 period, uint256[] calldata cardIds) external view returns (uint256[] memory) {
        mapping(uint256 => uint256) storage units = _units[period];
        uint256[] memory result = new uint256[](cardIds.length);
        for (uint256 i = 0; i < cardIds.length; ++i) result[i] = units[cardIds[i]];
        return result;
    }

    /// @inheritdoc IContributionLedger
    function periodTotals(uint256 period) external view returns (uint256 units, uint256 contributors) {
        Totals memory t = _totals[period];
        return (t.units, t.contributors);
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    /// @dev The caller's card and person; reverts for a non-member.
    function _identityOf(address account) private view returns (uint256 cardId, uint256 person) {
        (cardId, person) = _card.identityOf(account);
        if (cardId == 0) revert ContributionLedgerNotMember(account);
    }

    function _addUnits(
        uint256 period,
        uint256 cardId,
        uint256 units
    ) private returns (uint256 cardUnits, uint256 periodUnits) {
        uint256 before = _units[period][cardId];
        cardUnits = before + units;
        _units[period][cardId] = cardUnits;
        Totals memory t = _totals[period];
        // A card's units are part of the period's: if the period's total fits 128 bits, so does the card's.
        t.units = SafeCast.toUint128(t.units + units);
        if (before == 0) ++t.contributors;
        _totals[period] = t;
        periodUnits = t.units;
    }

    function _removeUnits(uint256 period, uint256 cardId, uint256 units) private {
        Totals memory t = _totals[period];
        // The entry's units were added to both when it was validated: neither subtraction underflows.
        unchecked {
            uint256 left = _units[period][cardId] - units;
            _units[period][cardId] = left;
            t.units -= uint128(units);
            if (left == 0) --t.contributors;
        }
        _totals[period] = t;
    }

    function _setThreshold(uint256 threshold) private {
        if (threshold == 0 || threshold > MAX_ATTESTATION_THRESHOLD) {
            revert ContributionLedgerInvalidThreshold(threshold, MAX_ATTESTATION_THRESHOLD);
        }
        emit AttestationThresholdSet(_threshold, threshold);
        _threshold = uint16(threshold);
    }
}
