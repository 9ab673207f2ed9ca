// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IMutualGovernor} from "../../interfaces/IMutualGovernor.sol";

/**
 * @notice Test double (never deploy): a hostile ERC-1271 wallet that answers one byte short: the magic value
 * ABI-encoded as a word, but only 31 of its 32 bytes.
 * @dev Note: a checker that copies the answer over memory it used last for the voter's address (Solidity's mapping
 * slot computation leaves `voter` in scratch word 0x00) would read the missing low byte from that address. Deployed
 * at an address ending in a zero byte (1 in 256 CREATE2 salts), the word it reads is exactly the magic value:
 * only a check that the answer is 32 bytes long refuses it.
 */
contract ShortAnswerWalletMock {
    /// @notice Returns the first 31 bytes of the ABI-encoded magic value.
    function isValidSignature(bytes32, bytes memory) external pure {
        bytes4 magic = IERC1271.isValidSignature.selector;
        assembly ("memory-safe") {
            mstore(0x00, magic)
            return(0x00, 31)
        }
    }
}

/**
 * @notice Test double (never deploy): a hostile ERC-1271 wallet that reverts with a full ABI-encoded magic value as its
 * revert data, hoping a checker reads the answer without checking that the call succeeded.
 */
contract RevertingMagicWalletMock {
    /// @notice Reverts with the 32-byte magic value.
    function isValidSignature(bytes32, bytes memory) external pure {
        bytes32 magic = bytes32(IERC1271.isValidSignature.selector);
        assembly ("memory-safe") {
            mstore(0x00, magic)
            revert(0x00, 0x20)
        }
    }
}

/**
 * @notice Test double (never deploy): a member's ERC-1271 wallet that, asked to check its own ballot's signature,
 * first re-enters the governor to cast that same ballot, then approves the signature whatever happened: if the check
 * could change state, one signed ballot would count twice (once inside the check, once more as a top-up after it).
 * @dev The re-entry runs once ({reenterOnce} clears the stored ballot first) in a self-call whose failure is
 * ignored. The governor asks with a STATICCALL, so that self-call — which writes storage — fails and nothing is
 * re-entered; the wallet still approves its own ballot, which then counts once.
 */
contract ReentrantWalletMock {
    address private _governor;
    bytes private _reentry;

    /// @notice Only the wallet itself may call {reenterOnce}.
    error ReentrantWalletMockOnlySelf(address caller);

    /// @notice Stores the governor and the ballot the wallet casts again from inside the signature check.
    /// @dev Set after deployment: the wallet is a founder, admitted before the governor exists.
    function setReentry(address governor, IMutualGovernor.Ballot calldata ballot) external {
        _governor = governor;
        _reentry = abi.encodeWithSignature(
            "castBallot((uint256,uint8,address,uint256,uint256,uint256,string,bytes))",
            ballot
        );
    }

    /// @notice Tries to re-enter the governor once, ignores the outcome, and approves.
    function isValidSignature(bytes32, bytes memory) external returns (bytes4) {
        (bool ok, ) = address(this).call(abi.encodeCall(this.reenterOnce, ()));
        ok;
        return IERC1271.isValidSignature.selector;
    }

    /// @notice Casts the stored ballot, once. Self-call only.
    function reenterOnce() external {
        if (msg.sender != address(this)) revert ReentrantWalletMockOnlySelf(msg.sender);
        bytes memory reentry = _reentry;
        if (reentry.length == 0) return;
        delete _reentry;
        (bool ok, bytes memory returned) = _governor.call(reentry);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returned, 0x20), mload(returned))
            }
        }
    }
}
