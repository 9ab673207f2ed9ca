// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The cheatcodes Mutual's Solidity tests use, at the standard cheatcode address.
/// @dev A trimmed copy of forge-std's interface: only what Hardhat's Solidity test runner supports and we need.
interface Vm {
    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function chainId(uint256 newChainId) external;
    function assume(bool condition) external pure;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert() external;
    function deal(address account, uint256 newBalance) external;
    function label(address account, string calldata newLabel) external;

    /// @notice An event log recorded after {recordLogs}.
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);
}

/// @notice A trimmed test base: the cheatcodes, assertions that say what differed, and bounded inputs.
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error AssertionFailed(string what, uint256 left, uint256 right);
    error AssertionFailedBool(string what);

    function assertEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert AssertionFailed(what, left, right);
    }

    function assertLe(uint256 left, uint256 right, string memory what) internal pure {
        if (left > right) revert AssertionFailed(what, left, right);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailedBool(what);
    }

    function assertFalse(bool condition, string memory what) internal pure {
        if (condition) revert AssertionFailedBool(what);
    }

    function assertEq(address left, address right, string memory what) internal pure {
        if (left != right) revert AssertionFailed(what, uint160(left), uint160(right));
    }

    function assertEq(bool left, bool right, string memory what) internal pure {
        if (left != right) revert AssertionFailed(what, left ? 1 : 0, right ? 1 : 0);
    }

    function assertGe(uint256 left, uint256 right, string memory what) internal pure {
        if (left < right) revert AssertionFailed(what, left, right);
    }

    /// @dev Maps `x` into [min, max] without discarding runs.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (max <= min) return min;
        return min + (x % (max - min + 1));
    }
}
