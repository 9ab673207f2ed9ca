// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title ReentrantTarget
 * @notice Test double (never deploy): the target of a proposal whose action calls back into the co-op while the
 * timelock is executing it — to execute the same proposal again, execute the same timelock operation again,
 * settle a deposit twice, vote, or call a governance-only setter.
 * @dev Anyone may {arm} it with a list of calls. {attack} (the proposal's action) makes them in order the first
 * time it runs; when it runs again (inside its own re-entry) it does nothing, so a re-entry never recurses.
 * With `bubble`, the first failing call's revert data is re-thrown, so the whole execution reverts with the
 * co-op's own error; without, every failure is recorded ({outcome}) and the action returns normally.
 */
contract ReentrantTarget {
    /// @notice One call back into the co-op.
    struct Reentry {
        address target;
        bytes data;
    }

    Reentry[] private _reentries;
    bool private _bubble;
    bool[] private _succeeded;
    bytes[] private _returned;

    /// @notice How many times {attack} ran, re-entries included.
    uint256 public attacks;

    /// @notice Emitted each time {attack} runs, with the caller (the timelock when a proposal executes).
    event Attacked(address indexed caller, uint256 value, uint256 depth);

    /// @notice Sets the calls {attack} makes, and whether a failure reverts the whole action.
    function arm(Reentry[] calldata reentries, bool bubble) external {
        delete _reentries;
        for (uint256 i = 0; i < reentries.length; ++i) _reentries.push(reentries[i]);
        _bubble = bubble;
    }

    /// @notice The proposal's action: on its first run, makes every armed call back into the co-op.
    function attack() external payable {
        uint256 depth = ++attacks;
        emit Attacked(msg.sender, msg.value, depth);
        if (depth > 1) return;
        for (uint256 i = 0; i < _reentries.length; ++i) {
            (bool ok, bytes memory returned) = _reentries[i].target.call(_reentries[i].data);
            if (!ok && _bubble) {
                assembly ("memory-safe") {
                    revert(add(returned, 0x20), mload(returned))
                }
            }
            _succeeded.push(ok);
            _returned.push(returned);
        }
    }

    /// @notice Whether armed call number `index` succeeded in the last execution, and what it returned or reverted with.
    function outcome(uint256 index) external view returns (bool succeeded, bytes memory returned) {
        return (_succeeded[index], _returned[index]);
    }

    /// @notice How many armed calls were made.
    function outcomes() external view returns (uint256) {
        return _succeeded.length;
    }
}
