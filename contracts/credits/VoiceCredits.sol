// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IMutualGovernor} from "../interfaces/IMutualGovernor.sol";
import {IVoiceCredits} from "../interfaces/IVoiceCredits.sol";
import {CreditMath} from "../libraries/CreditMath.sol";

/**
 * @title VoiceCredits
 * @notice Every member receives the same `creditsPerEpoch` each epoch; unspent credits roll over up to
 * `maxBalance`. Credits cannot be transferred, approved, delegated or bought: the only ways they move are
 * accrual (created), votes and burned deposits (destroyed), and deposits held and returned by the governor.
 *
 * Credits are not an ERC-20 token and do not present themselves as one: there is no `transfer`, `approve`,
 * `allowance` or `totalSupply`, and no `Transfer` event (lazy accrual makes a truthful total supply impossible
 * without a loop over members). The read views a wallet uses to show a balance are kept and tell the truth:
 * `name`, `symbol`, `decimals` (0) and `balanceOf`, which includes accrual up to now.
 *
 * @dev Accrual is lazy. Each account stores its balance and the epoch it was last brought up to date; the
 * balance at a later epoch follows from the issuance schedules in force in between ({CreditMath.accrue}).
 * Gas is O(1) whatever the member count: nothing ever loops over members.
 *
 * Issuance rules are kept as a list of schedules. A change made by governance takes effect at the start of
 * the next epoch and never rewrites what was accrued before; the epochs of each schedule are numbered on from
 * the previous one. Bringing an account up to date walks only the schedules that started since the account
 * was last touched, usually none.
 *
 * Balances can be recomputed from events alone: {AccountOpened}, {AccountClosed}, {AccountMoved},
 * {DepositHeld}, {DepositReturned}, {ScheduleChanged}, plus the governor's `VoteCast*` events, whose vote
 * counts give each vote's quadratic cost.
 *
 * @dev Note: each account word also holds the member's card id and the start of their current stint, so that
 * a vote reads one slot. It is the only record of who is a member now: {MembershipCard} keeps no copy and
 * reads it through {memberOf}. Only the membership card writes them, in the same call that changes membership.
 */
contract VoiceCredits is IVoiceCredits, Ownable {
    /// @dev A member's account. Stored packed in one word ({_load}, {_store}): one SLOAD and one SSTORE per
    /// vote. Layout from the lowest bit: balance (64), epoch (32), since (48), cardId (64), epochEnds (48).
    struct Account {
        uint64 balance; // credits as of `epoch`
        uint32 epoch; // epoch the balance was last brought up to date
        uint48 since; // start of the current membership (0: not a member)
        uint64 cardId;
        uint48 epochEnds; // when `epoch` ends: until then the balance needs no accrual (0: unknown)
    }

    // Bit offsets of the packed account's fields.
    uint256 private constant _EPOCH = 64;
    uint256 private constant _SINCE = 96;
    uint256 private constant _CARD_ID = 144;
    uint256 private constant _EPOCH_ENDS = 208;

    /// @notice Longest epoch a schedule may set.
    uint256 public constant MAX_EPOCH_LENGTH = 366 days;
    /// @notice Shortest epoch a schedule may set. Epoch numbers are stored in 32 bits: at one epoch an hour they
    /// last 2^32 hours (about 490,000 years), so no schedule can overflow them within 10,000 years.
    uint256 public constant MIN_EPOCH_LENGTH = 1 hours;

    address private immutable _card;
    string private _name;
    string private _symbol;

    // Packed in one slot.
    address private _governor;
    uint96 private _held;

    Schedule private _head; // the last schedule set (may start at the next epoch boundary)
    Schedule[] private _schedules;
    mapping(address member => uint256 packedAccount) private _accounts;
    // Deposits held by governors replaced while they held them (appended: the earlier layout is unchanged).
    mapping(address formerGovernor => uint256 held) private _formerHeld;

    modifier onlyCard() {
        if (msg.sender != _card) revert VoiceCreditsUnauthorizedCard(msg.sender);
        _;
    }

    modifier onlyGovernor() {
        if (msg.sender != _governor) revert VoiceCreditsUnauthorizedGovernor(msg.sender);
        _;
    }

    /// @param card_ The membership card contract that opens, closes and moves accounts.
    /// @param name_ Name shown by wallets, e.g. "Bakery Voice Credits".
    /// @param symbol_ Symbol shown by wallets.
    /// @param epochLength Seconds per epoch.
    /// @param creditsPerEpoch Credits every member receives each epoch.
    /// @param maxBalance The most credits a member can hold (roll-over cap).
    /// @param initialOwner The deployer, who hands ownership to the timelock.
    constructor(
        address card_,
        string memory name_,
        string memory symbol_,
        uint256 epochLength,
        uint256 creditsPerEpoch,
        uint256 maxBalance,
        address initialOwner
    ) Ownable(initialOwner) {
        _card = card_;
        _name = name_;
        _symbol = symbol_;
        _validateSchedule(epochLength, creditsPerEpoch, maxBalance);
        _pushSchedule(Time.timestamp(), 0, epochLength, creditsPerEpoch, maxBalance);
    }

    // ------------------------------------------------------------------------------------------------
    // Governance
    // ------------------------------------------------------------------------------------------------

    /// @notice Refused: ownership is never renounced. Without an owner,
    /// the issuance rules and the governor could never change again.
    /// @dev Ownership can only move, by `transferOwnership`, to another owner (a new timelock, by a passed proposal).
    function renounceOwnership() public view override onlyOwner {
        revert VoiceCreditsOwnershipNotRenounceable();
    }

    /// @notice Sets the issuance rules from the start of the next epoch. Owner (the timelock) only.
    /// @dev A second change within the same epoch replaces the first, which had not started yet.
    /// @param epochLength Seconds per epoch.
    /// @param creditsPerEpoch Credits every member receives each epoch.
    /// @param maxBalance The most credits a member can hold.
    function setSchedule(uint256 epochLength, uint256 creditsPerEpoch, uint256 maxBalance) external onlyOwner {
        _validateSchedule(epochLength, creditsPerEpoch, maxBalance);
        // A cap below the deposit would price every member out of proposing, for good.
        uint256 deposit = _depositOf(_governor);
        if (maxBalance < deposit) revert VoiceCreditsCapBelowDeposit(maxBalance, deposit);
        uint48 now_ = Time.timestamp();
        if (_head.start > now_) {
            // The pending schedule never took effect: replace it.
            _schedules.pop();
            _head = _schedules[_schedules.length - 1];
        }
        Schedule memory active = _head;
        uint256 current = CreditMath.epochAt(active, now_);
        _pushSchedule(CreditMath.epochEnd(active, current), current + 1, epochLength, creditsPerEpoch, maxBalance);
    }

    /// @notice Sets the contract allowed to spend and hold credits. Owner (the timelock) only.
    /// @dev Deposits are not stranded: the deposits the old governor holds stay its own, and it may still return or
    /// burn them ({formerGovernorHeld}) when it settles its proposals; a governor set again takes back what it held.
    /// The old governor can no longer take votes or new deposits.
    /// @param newGovernor The governor contract.
    function setGovernor(address newGovernor) external onlyOwner {
        address previous = _governor;
        if (newGovernor == address(0) || newGovernor == previous) revert VoiceCreditsInvalidGovernor(newGovernor);
        // The new governor's deposit must fit the cap too, or nobody could ever propose under it.
        checkDeposit(_depositOf(newGovernor));
        uint256 held = _held;
        if (held != 0) _formerHeld[previous] = held;
        uint256 restored = _formerHeld[newGovernor];
        if (restored != 0) delete _formerHeld[newGovernor];
        emit GovernorChanged(previous, newGovernor);
        _governor = newGovernor;
        // Below 2^96: it was a governor's `_held` before.
        _held = uint96(restored);
    }

    // ------------------------------------------------------------------------------------------------
    // Membership hooks (the card only)
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IVoiceCredits
    function openAccount(address member, uint256 cardId) external onlyCard {
        Schedule memory s = _active();
        uint256 epoch = CreditMath.epochAt(s, Time.timestamp());
        uint64 balance = s.creditsPerEpoch < s.maxBalance ? s.creditsPerEpoch : s.maxBalance;
        _store(
            member,
            Account({
                balance: balance,
                epoch: SafeCast.toUint32(epoch),
                since: Time.timestamp(),
                cardId: uint64(cardId),
                epochEnds: uint48(CreditMath.epochEnd(s, epoch))
            })
        );
        emit AccountOpened(member, cardId, epoch, balance);
    }

    /// @inheritdoc IVoiceCredits
    function closeAccount(address member) external onlyCard {
        (uint256 balance, uint256 epoch, ) = _accrued(_load(member));
        delete _accounts[member];
        emit AccountClosed(member, epoch, balance);
    }

    /// @inheritdoc IVoiceCredits
    function moveAccount(address from, address to) external onlyCard {
        Account memory a = _load(from);
        _bringUpToDate(a);
        delete _accounts[from];
        a.since = Time.timestamp();
        _store(to, a);
        emit AccountMoved(from, to, a.epoch, a.balance);
    }

    // ------------------------------------------------------------------------------------------------
    // Spending (the governor only)
    // ------------------------------------------------------------------------------------------------

    /// @inheritdoc IVoiceCredits
    function spendForVote(
        address member,
        uint256 snapshot,
        uint256 amount
    ) external onlyGovernor returns (SpendStatus status, uint256 available) {
        uint256 w = _accounts[member];
        uint256 since = uint48(w >> _SINCE);
        // Eligible: a member continuously since at or before the proposal's snapshot.
        if (since == 0 || since > snapshot) return (SpendStatus.NotEligible, 0);
        if (block.timestamp < w >> _EPOCH_ENDS) {
            // Same epoch as the account's last update: the stored balance is current. Work on the word itself.
            available = uint64(w);
            if (available < amount) return (SpendStatus.InsufficientCredits, available);
            if (amount != 0) {
                unchecked {
                    // amount <= available, the balance in the word's lowest 64 bits: nothing borrows.
                    _accounts[member] = w - amount;
                }
            }
            return (SpendStatus.Ok, available);
        }
        Account memory a = _unpack(w);
        _bringUpToDate(a);
        available = a.balance;
        if (amount == 0) return (SpendStatus.Ok, available);
        if (available < amount) return (SpendStatus.InsufficientCredits, available);
        unchecked {
            // amount <= available <= type(uint64).max
            a.balance = uint64(available - amount);
        }
        _store(member, a);
        return (SpendStatus.Ok, available);
    }

    /// @inheritdoc IVoiceCredits
    function holdDeposit(address member, uint256 amount) external onlyGovernor returns (uint256 cardId) {
        Account memory a = _load(member);
        if (a.since == 0) revert VoiceCreditsNotMember(member);
        _bringUpToDate(a);
        uint256 available = a.balance;
        if (available < amount) revert InsufficientCredits(member, amount, available);
        unchecked {
            a.balance = uint64(available - amount);
            // Held deposits are bounded by the credits ever accrued, far below 2^96.
            _held += uint96(amount);
        }
        _store(member, a);
        emit DepositHeld(member, a.epoch, amount, a.balance);
        return a.cardId;
    }

    /// @inheritdoc IVoiceCredits
    /// @dev Also open to a former governor, for the deposits it still holds.
    function returnDeposit(address member, uint256 amount) external returns (uint256 credited) {
        _release(amount);
        Account memory a = _load(member);
        if (a.since == 0) {
            // The proposer left: there is no account to return to.
            emit DepositBurned(amount);
            return 0;
        }
        _bringUpToDate(a);
        uint256 balance = a.balance;
        uint256 cap = _active().maxBalance;
        // The cap holds for returned deposits too; what would exceed it is burned.
        if (balance < cap) credited = amount < cap - balance ? amount : cap - balance;
        a.balance = uint64(balance + credited);
        _store(member, a);
        emit DepositReturned(member, a.epoch, amount, credited);
    }

    /// @inheritdoc IVoiceCredits
    /// @dev Also open to a former governor, for the deposits it still holds.
    function burnDeposit(uint256 amount) external {
        _release(amount);
        emit DepositBurned(amount);
    }

    // ------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------

    /// @notice Name shown by wallets.
    function name() external view returns (string memory) {
        return _name;
    }

    /// @notice Symbol shown by wallets.
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @notice Credits are whole units.
    function decimals() external pure returns (uint8) {
        return 0;
    }

    /// @inheritdoc IVoiceCredits
    /// @dev The governor's balance is the sum of the deposits it holds; a former governor's, what it still holds.
    function balanceOf(address member) external view returns (uint256 balance) {
        if (member == _governor && member != address(0)) return _held;
        (balance, , ) = _accrued(_load(member));
        if (balance == 0) balance = _formerHeld[member];
    }

    /// @inheritdoc IVoiceCredits
    function memberOf(address member) external view returns (uint256 cardId, uint256 since) {
        uint256 w = _accounts[member];
        return (uint64(w >> _CARD_ID), uint48(w >> _SINCE));
    }

    /// @notice The stored account of `member`: balance as of `epoch`, membership start and card id.
    function accountOf(
        address member
    ) external view returns (uint256 balance, uint256 epoch, uint256 since, uint256 cardId) {
        Account memory a = _load(member);
        return (a.balance, a.epoch, a.since, a.cardId);
    }

    /// @inheritdoc IVoiceCredits
    function heldDeposits() external view returns (uint256) {
        return _held;
    }

    /// @inheritdoc IVoiceCredits
    function formerGovernorHeld(address formerGovernor) external view returns (uint256) {
        return _formerHeld[formerGovernor];
    }

    /// @inheritdoc IVoiceCredits
    function currentEpoch() external view returns (uint256) {
        return CreditMath.epochAt(_active(), Time.timestamp());
    }

    /// @notice When the next epoch begins.
    function nextEpochStart() external view returns (uint256) {
        Schedule memory s = _active();
        return CreditMath.epochEnd(s, CreditMath.epochAt(s, Time.timestamp()));
    }

    /// @inheritdoc IVoiceCredits
    function currentSchedule() external view returns (Schedule memory) {
        return _active();
    }

    /// @inheritdoc IVoiceCredits
    function lowestCap() public view returns (uint256) {
        uint256 active = _active().maxBalance;
        uint256 head = _head.maxBalance;
        return head < active ? head : active;
    }

    /// @inheritdoc IVoiceCredits
    function checkDeposit(uint256 deposit) public view {
        uint256 cap = lowestCap();
        if (deposit > cap) revert VoiceCreditsCapBelowDeposit(cap, deposit);
    }

    /// @notice The number of schedules ever set, the first included.
    function scheduleCount() external view returns (uint256) {
        return _schedules.length;
    }

    /// @notice Schedule number `index` (0 is the one set at deployment).
    function scheduleAt(uint256 index) external view returns (Schedule memory) {
        return _schedules[index];
    }

    /// @inheritdoc IVoiceCredits
    function governor() external view returns (address) {
        return _governor;
    }

    /// @notice The membership card contract.
    function card() external view returns (address) {
        return _card;
    }

    // ------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------

    /// @dev The schedule in force now: the head, unless it starts at the next epoch boundary.
    function _active() private view returns (Schedule memory s) {
        s = _head;
        if (s.start > Time.timestamp()) s = _schedules[_schedules.length - 2];
    }

    /// @dev `a`'s balance brought up to the current epoch, that epoch, and when it ends.
    function _accrued(Account memory a) private view returns (uint256 balance, uint256 epoch, uint256 ends) {
        uint48 now_ = Time.timestamp();
        // Same epoch as the last update: the stored balance is current and no schedule needs reading.
        if (now_ < a.epochEnds) return (a.balance, a.epoch, a.epochEnds);
        Schedule memory s = _head;
        if (s.start <= now_ && (s.firstEpoch <= a.epoch || a.since == 0)) {
            // No schedule change since the account was last touched.
            epoch = CreditMath.epochAt(s, now_);
            // A closed (or never opened) account holds nothing and accrues nothing.
            if (a.since == 0) return (0, epoch, 0);
            balance = CreditMath.accrue(a.balance, epoch - a.epoch, s.creditsPerEpoch, s.maxBalance);
            return (balance, epoch, CreditMath.epochEnd(s, epoch));
        }
        return _accruedAcrossSchedules(a, now_);
    }

    /// @dev Brings `a` (in memory) up to the current epoch.
    function _bringUpToDate(Account memory a) private view {
        (uint256 balance, uint256 epoch, uint256 ends) = _accrued(a);
        // balance <= max(maxBalance, stored balance) < 2^64 and times fit 48 bits. Epoch numbers fit 32 bits for
        // 490,000 years at the shortest epoch (MIN_EPOCH_LENGTH); the cast is checked all the same.
        a.balance = uint64(balance);
        a.epoch = SafeCast.toUint32(epoch);
        a.epochEnds = uint48(ends);
    }

    /// @dev Walks the schedules that started after the account's epoch, oldest first.
    function _accruedAcrossSchedules(
        Account memory a,
        uint48 now_
    ) private view returns (uint256 balance, uint256 epoch, uint256 ends) {
        uint256 i = _schedules.length - 1;
        while (_schedules[i].start > now_) --i; // skip a schedule that has not started
        uint256 last = i;
        epoch = CreditMath.epochAt(_schedules[last], now_);
        ends = CreditMath.epochEnd(_schedules[last], epoch);
        if (a.since == 0) return (0, epoch, 0);
        while (i > 0 && _schedules[i].firstEpoch > a.epoch) --i;
        balance = a.balance;
        uint256 from = a.epoch;
        for (; i <= last; ++i) {
            Schedule memory s = _schedules[i];
            uint256 to = i == last ? epoch : _schedules[i + 1].firstEpoch - 1;
            if (to > from) {
                balance = CreditMath.accrue(balance, to - from, s.creditsPerEpoch, s.maxBalance);
                from = to;
            }
        }
    }

    function _load(address member) private view returns (Account memory a) {
        return _unpack(_accounts[member]);
    }

    function _unpack(uint256 w) private pure returns (Account memory a) {
        a.balance = uint64(w);
        a.epoch = uint32(w >> _EPOCH);
        a.since = uint48(w >> _SINCE);
        a.cardId = uint64(w >> _CARD_ID);
        a.epochEnds = uint48(w >> _EPOCH_ENDS);
    }

    function _store(address member, Account memory a) private {
        _accounts[member] =
            uint256(a.balance) |
            (uint256(a.epoch) << _EPOCH) |
            (uint256(a.since) << _SINCE) |
            (uint256(a.cardId) << _CARD_ID) |
            (uint256(a.epochEnds) << _EPOCH_ENDS);
    }

    /// @dev Releases `amount` of the deposits the caller holds: the governor's, or a former governor's.
    function _release(uint256 amount) private {
        if (msg.sender == _governor) {
            uint96 held = _held;
            if (amount > held) revert VoiceCreditsInsufficientHeld(amount, held);
            unchecked {
                _held = held - uint96(amount);
            }
            return;
        }
        uint256 former = _formerHeld[msg.sender];
        if (former == 0) revert VoiceCreditsUnauthorizedGovernor(msg.sender);
        if (amount > former) revert VoiceCreditsInsufficientHeld(amount, former);
        unchecked {
            _formerHeld[msg.sender] = former - amount;
        }
        emit FormerGovernorReleased(msg.sender, amount, former - amount);
    }

    function _pushSchedule(
        uint256 start,
        uint256 firstEpoch,
        uint256 epochLength,
        uint256 creditsPerEpoch,
        uint256 maxBalance
    ) private {
        Schedule memory s = Schedule({
            start: uint48(start),
            firstEpoch: SafeCast.toUint32(firstEpoch),
            epochLength: uint32(epochLength),
            creditsPerEpoch: uint64(creditsPerEpoch),
            maxBalance: uint64(maxBalance)
        });
        _schedules.push(s);
        _head = s;
        emit ScheduleChanged(_schedules.length - 1, start, firstEpoch, epochLength, creditsPerEpoch, maxBalance);
    }

    /// @dev The deposit governor `g` asks of a proposal; 0 when it is not a contract that says (no governor yet, an
    /// account, or a contract without deposits).
    function _depositOf(address g) private view returns (uint256) {
        if (g.code.length == 0) return 0;
        try IMutualGovernor(g).proposalDeposit() returns (uint256 deposit) {
            return deposit;
        } catch {
            return 0;
        }
    }

    function _validateSchedule(uint256 epochLength, uint256 creditsPerEpoch, uint256 maxBalance) private pure {
        // maxBalance fits 48 bits so that a balance's square root (the most votes one member can cast on a
        // proposal) fits 24 bits and any tally of members' votes fits the governor's packed counters.
        if (
            epochLength < MIN_EPOCH_LENGTH ||
            epochLength > MAX_EPOCH_LENGTH ||
            creditsPerEpoch == 0 ||
            maxBalance < creditsPerEpoch ||
            maxBalance > type(uint48).max
        ) revert VoiceCreditsInvalidSchedule(epochLength, creditsPerEpoch, maxBalance);
    }
}
