// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title MutableTarget
 * @notice Test double (never deploy): a payment contract a proposal pays through, whose owner can redirect the
 * payments at any moment — between the vote and the execution included — without any change to its code
 * (its code hash stays the same). It stands for every target whose behaviour is not fixed by its code alone:
 * upgradeable proxies, contracts with an admin, contracts reading an oracle.
 */
contract MutableTarget {
    /// @notice Who may redirect the payments.
    address public immutable owner;
    /// @notice Where {pay} forwards what it receives.
    address public payee;

    /// @notice Emitted when {pay} forwarded `amount` wei to `payee`.
    event Paid(address indexed payer, address indexed payee, uint256 amount);
    /// @notice Emitted when the owner redirected the payments.
    event Redirected(address indexed previousPayee, address indexed newPayee);

    /// @notice Only the owner may redirect the payments.
    error MutableTargetUnauthorized(address caller);
    /// @notice The payee refused the payment.
    error MutableTargetPaymentFailed(address payee, uint256 amount);

    /// @param payee_ The payee the proposal's voters were shown.
    constructor(address payee_) {
        owner = msg.sender;
        payee = payee_;
    }

    /// @notice Sends all future payments to `newPayee`. Owner only, at any time.
    function redirect(address newPayee) external {
        if (msg.sender != owner) revert MutableTargetUnauthorized(msg.sender);
        emit Redirected(payee, newPayee);
        payee = newPayee;
    }

    /// @notice Forwards the value sent to the current payee.
    function pay() external payable {
        address to = payee;
        (bool ok, ) = to.call{value: msg.value}("");
        if (!ok) revert MutableTargetPaymentFailed(to, msg.value);
        emit Paid(msg.sender, to, msg.value);
    }
}

/**
 * @title ForwardingDelegate
 * @notice Test double (never deploy): code an externally owned account can install on itself with EIP-7702 after a
 * proposal paying it was queued. Every payment it then receives is forwarded to `destination`, fixed in the code.
 */
contract ForwardingDelegate {
    /// @notice Where every payment is forwarded.
    address public immutable destination;

    /// @notice Emitted when a payment to the delegating account was forwarded.
    event Forwarded(address indexed from, address indexed destination, uint256 amount);

    /// @notice The forward to `to` of `amount` failed.
    error ForwardingFailed(address to, uint256 amount);

    /// @param destination_ Where payments go.
    constructor(address destination_) {
        destination = destination_;
    }

    /// @notice Forwards every payment to {destination}.
    receive() external payable {
        (bool ok, ) = destination.call{value: msg.value}("");
        if (!ok) revert ForwardingFailed(destination, msg.value);
        emit Forwarded(msg.sender, destination, msg.value);
    }
}
