// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMembershipCard} from "./IMembershipCard.sol";

/// @title IContributionLedger
/// @notice Open-value accounting: members record contributions, other members attest them, governance may void them.
/// @dev Contributions never change voice: the ledger knows nothing of credits or votes. Units belong to the card
/// that recorded them, so a card reassigned to a new key keeps its contributions. Authors and attesters are told
/// apart by person ({IMembershipCard-personOf}), which a member keeps across cards (resigning and being admitted
/// again) and across a reassignment: nobody attests their own entry, and nobody attests an entry twice.
interface IContributionLedger {
    /// @notice Where an entry stands.
    enum Status {
        None,
        Pending,
        Validated,
        Voided
    }

    /// @notice One recorded contribution, as stored (one word).
    struct Entry {
        uint64 cardId;
        uint32 period;
        uint64 units;
        uint16 threshold;
        uint16 attestations;
        Status status;
        /// The person of the card that recorded the entry (card numbers, so under 2^48).
        uint48 person;
    }

    /// @notice The ledger was deployed on `card`: period 0 starts at `start`, each period lasts `periodLength` seconds,
    /// and governance may void a period's entries for `reviewWindow` seconds after it closes. Emitted once, by the
    /// constructor, so that the periods can be rebuilt from events alone (the threshold follows in
    /// {AttestationThresholdSet}).
    event ContributionLedgerConfigured(address indexed card, uint256 start, uint256 periodLength, uint256 reviewWindow);
    /// @notice Card `cardId` (held by `contributor`) recorded entry `entryId` of `units` in `period`; it counts once
    /// `threshold` other members attest it.
    event ContributionRecorded(
        uint256 indexed entryId,
        uint256 indexed period,
        uint256 indexed cardId,
        address contributor,
        bytes32 kind,
        uint256 units,
        bytes32 evidenceHash,
        string evidenceURI,
        uint256 threshold
    );
    /// @notice Card `cardId` (held by `attester`) attested entry `entryId`, which now has `attestations`.
    event ContributionAttested(
        uint256 indexed entryId,
        uint256 indexed cardId,
        address indexed attester,
        uint256 attestations
    );
    /// @notice Entry `entryId` reached its threshold: its `units` now count; card `cardId` has `cardUnits` validated in
    /// `period`, and the period `periodUnits`.
    event ContributionValidated(
        uint256 indexed entryId,
        uint256 indexed period,
        uint256 indexed cardId,
        uint256 units,
        uint256 cardUnits,
        uint256 periodUnits
    );
    /// @notice Governance voided entry `entryId` of card `cardId` in `period`; `unitsRemoved` were subtracted (0 when it
    /// was not validated yet).
    event ContributionVoided(
        uint256 indexed entryId,
        uint256 indexed period,
        uint256 indexed cardId,
        uint256 unitsRemoved,
        string reason
    );
    /// @notice The number of attestations entries recorded from now on need changed.
    event AttestationThresholdSet(uint256 oldThreshold, uint256 newThreshold);

    /// @notice Only current members record and attest.
    error ContributionLedgerNotMember(address account);
    /// @notice A contribution must have at least one unit, and at most 2^64 - 1.
    error ContributionLedgerInvalidUnits(uint256 units);
    /// @notice No entry `entryId` was recorded.
    error ContributionLedgerUnknownEntry(uint256 entryId);
    /// @notice Card `cardId` is held by `person`, who recorded entry `entryId` (with this card or an earlier one), and
    /// cannot attest it.
    error ContributionLedgerSelfAttestation(uint256 entryId, uint256 cardId, uint256 person);
    /// @notice Card `cardId` is held by `person`, who attested entry `entryId` already (with this card or another).
    error ContributionLedgerAlreadyAttested(uint256 entryId, uint256 cardId, uint256 person);
    /// @notice Entry `entryId` counts already: it needs no more attestations.
    error ContributionLedgerAlreadyValidated(uint256 entryId);
    /// @notice Entry `entryId` was voided.
    error ContributionLedgerEntryVoided(uint256 entryId);
    /// @notice `period` closed at `closedAt`: its entries can no longer be attested.
    error ContributionLedgerPeriodClosed(uint256 period, uint256 closedAt);
    /// @notice The review of `period` ended at `reviewEndedAt`: its entries can no longer be voided.
    error ContributionLedgerReviewClosed(uint256 period, uint256 reviewEndedAt);
    /// @notice The attestation threshold must be from 1 to `max`.
    error ContributionLedgerInvalidThreshold(uint256 threshold, uint256 max);
    /// @notice The period length must be from 1 day to 5 years, the review window at most 1 year.
    error ContributionLedgerInvalidPeriods(uint256 periodLength, uint256 reviewWindow);
    /// @notice Ownership is never renounced: the co-op's governance would lose this contract for good.
    error ContributionLedgerOwnershipNotRenounceable();

    /// @notice Records a contribution of the caller's card in the current period. Members only.
    /// @param kind A short label (e.g. "labour", "goods"), for people and the app.
    /// @param units The contribution's value in the co-op's accounting units.
    /// @param evidenceHash A hash of the evidence (or zero).
    /// @param evidenceURI Where the evidence can be read (or empty). Kept in the event log only.
    /// @return entryId The entry's number (from 1).
    function record(
        bytes32 kind,
        uint256 units,
        bytes32 evidenceHash,
        string calldata evidenceURI
    ) external returns (uint256 entryId);

    /// @notice Attests another member's pending entry, until its period closes. Members only, once per person.
    /// @return validated Whether this attestation made the entry count.
    function attest(uint256 entryId) external returns (bool validated);

    /// @notice Voids an entry, with a reason kept in the event log, until its period's review ends. Governance only.
    function voidEntry(uint256 entryId, string calldata reason) external;

    /// @notice Sets the attestations needed by entries recorded from now on. Governance only.
    function setAttestationThreshold(uint256 threshold) external;

    /// @notice The membership register whose members record and attest.
    function membershipCard() external view returns (IMembershipCard);
    /// @notice When period 0 began.
    function firstPeriodStart() external view returns (uint256);
    /// @notice The length of every period, in seconds.
    function periodLength() external view returns (uint256);
    /// @notice How long after a period closes governance may still void its entries.
    function reviewWindow() external view returns (uint256);
    /// @notice The current period.
    function currentPeriod() external view returns (uint256);
    /// @notice When `period` starts, closes, and its review ends (after which it never changes again).
    function periodTimes(uint256 period) external view returns (uint256 start, uint256 end, uint256 reviewEnd);
    /// @notice Attestations needed by entries recorded from now on.
    function attestationThreshold() external view returns (uint256);
    /// @notice The number of entries ever recorded (entries are numbered 1 to this).
    function entryCount() external view returns (uint256);
    /// @notice Entry `entryId` as stored (status None when it does not exist).
    function entry(uint256 entryId) external view returns (Entry memory);
    /// @notice Whether the person of card `cardId` attested entry `entryId` (with that card or another of theirs).
    function hasAttested(uint256 entryId, uint256 cardId) external view returns (bool);
    /// @notice Validated units of card `cardId` in `period`.
    function validatedUnits(uint256 period, uint256 cardId) external view returns (uint256);
    /// @notice Validated units of each of `cardIds` in `period` (for a finalization chunk: one call).
    function validatedUnitsBatch(uint256 period, uint256[] calldata cardIds) external view returns (uint256[] memory);
    /// @notice Validated units of all cards in `period`, and how many cards have some (the period's contributors).
    function periodTotals(uint256 period) external view returns (uint256 units, uint256 contributors);
}
