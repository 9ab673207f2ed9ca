// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IERC5192: Minimal Soulbound NFTs
/// @notice A token whose `locked` is true cannot be transferred.
interface IERC5192 {
    /// @notice Emitted when the locking status of `tokenId` is set to locked.
    event Locked(uint256 tokenId);
    /// @notice Emitted when the locking status of `tokenId` is set to unlocked.
    event Unlocked(uint256 tokenId);

    /// @notice Whether `tokenId` is locked (soulbound). Reverts for a token that does not exist.
    function locked(uint256 tokenId) external view returns (bool);
}
