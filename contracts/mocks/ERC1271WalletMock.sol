// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice Test double: a contract wallet that approves digests signed by its owner key (ERC-1271).
contract ERC1271WalletMock is IERC1271 {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 digest, bytes memory signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, signature);
        return err == ECDSA.RecoverError.NoError && recovered == owner ? this.isValidSignature.selector : bytes4(0);
    }
}

/// @notice Test double: a hostile ERC-1271 wallet that burns every unit of gas it is given.
contract GasBurnerWalletMock is IERC1271 {
    /// @inheritdoc IERC1271
    function isValidSignature(bytes32, bytes memory) external view returns (bytes4) {
        uint256 x = 0;
        while (gasleft() > 0) {
            x = uint256(keccak256(abi.encode(x)));
        }
        return bytes4(uint32(x));
    }
}

/// @notice Test double: a hostile ERC-1271 wallet that approves everything, even garbage signatures,
/// and returns a huge payload after the magic value.
contract ApproveAllWalletMock {
    /// @notice Always answers the ERC-1271 magic value, followed by 64 KiB of padding.
    function isValidSignature(bytes32, bytes memory) external pure returns (bytes memory) {
        bytes memory answer = new bytes(65_536);
        bytes4 magic = IERC1271.isValidSignature.selector;
        assembly ("memory-safe") {
            mstore(add(answer, 0x20), magic)
        }
        assembly ("memory-safe") {
            return(add(answer, 0x20), mload(answer))
        }
    }
}
