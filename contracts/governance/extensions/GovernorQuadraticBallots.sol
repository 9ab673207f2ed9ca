// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {GovernorCountingQuadratic} from "./GovernorCountingQuadratic.sol";

/**
 * @title GovernorQuadraticBallots
 * @notice Signed quadratic ballots (EIP-712), one at a time or in batches submitted by a relayer, so that
 * members need no ETH to vote. Signatures from EOAs and from ERC-1271 contract wallets are accepted.
 *
 * @dev Nonces are keyed per proposal and stored in the vote receipt: a ballot's nonce must equal the
 * number of votes the voter already cast on that proposal ({ballotNonce}). Voting on one proposal never
 * invalidates a pending ballot for another, and each ballot can count once. OpenZeppelin's `castVoteBySig`
 * and `castVoteWithReasonAndParamsBySig` use the same per-proposal nonces.
 *
 * In {castBallots} a bad ballot is skipped with a {BallotSkipped} event naming the reason, and the rest count.
 * An ERC-1271 wallet is queried with at most {ERC1271_GAS_LIMIT} gas, so a hostile wallet cannot starve the
 * rest of a batch.
 */
abstract contract GovernorQuadraticBallots is GovernorCountingQuadratic {
    /// @notice EIP-712 type hash of a {Ballot}.
    bytes32 public constant QUADRATIC_BALLOT_TYPEHASH = keccak256(
        "QuadraticBallot(uint256 proposalId,uint8 support,address voter,uint256 votes,uint256 nonce,uint256 deadline,string reason)"
    );

    /// @notice Gas given to an ERC-1271 wallet to check one signature.
    uint256 public constant ERC1271_GAS_LIMIT = 200_000;

    /// @notice Casts one signed ballot. Reverts with the specific error if it cannot count.
    /// @param ballot The ballot and its signature.
    /// @return votes The votes added.
    function castBallot(Ballot calldata ballot) external returns (uint256 votes) {
        if (ballot.deadline < block.timestamp) revert MutualGovernorBallotExpired(ballot.deadline);
        _validateStateBitmap(ballot.proposalId, _encodeStateBitmap(ProposalState.Active));
        uint256 expected = ballotNonce(ballot.proposalId, ballot.voter);
        if (ballot.nonce != expected) revert InvalidAccountNonce(ballot.voter, expected);
        if (!_isValidSignature(ballot.voter, ballotDigest(ballot), ballot.signature)) {
            revert GovernorInvalidSignature(ballot.voter);
        }
        bytes memory params = abi.encode(ballot.votes);
        (, votes) = _vote(ballot.proposalId, ballot.voter, ballot.support, params, true);
        _emitVoteCast(ballot.voter, ballot.proposalId, ballot.support, votes, ballot.reason, params);
    }

    /// @notice Casts a batch of signed ballots. A bad ballot is skipped with {BallotSkipped}; the rest count.
    /// @param ballots The ballots and their signatures, counted in order.
    /// @return counted How many ballots counted.
    function castBallots(Ballot[] calldata ballots) external returns (uint256 counted) {
        for (uint256 i = 0; i < ballots.length; ++i) {
            Ballot calldata ballot = ballots[i];
            VoteRefusal refusal = _checkBallot(ballot);
            uint256 votes;
            bytes memory params = abi.encode(ballot.votes);
            if (refusal == VoteRefusal.None) {
                (refusal, votes) = _vote(ballot.proposalId, ballot.voter, ballot.support, params, false);
            }
            if (refusal != VoteRefusal.None) {
                emit BallotSkipped(i, ballot.voter, ballot.proposalId, refusal);
                continue;
            }
            _emitVoteCast(ballot.voter, ballot.proposalId, ballot.support, votes, ballot.reason, params);
            unchecked {
                ++counted;
            }
        }
    }

    /// @notice The EIP-712 digest a voter signs for `ballot`.
    function ballotDigest(Ballot calldata ballot) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        QUADRATIC_BALLOT_TYPEHASH,
                        ballot.proposalId,
                        ballot.support,
                        ballot.voter,
                        ballot.votes,
                        ballot.nonce,
                        ballot.deadline,
                        keccak256(bytes(ballot.reason))
                    )
                )
            );
    }

    /// @dev Everything about a ballot that does not touch credits, without reverting.
    function _checkBallot(Ballot calldata ballot) private view returns (VoteRefusal) {
        if (ballot.deadline < block.timestamp) return VoteRefusal.BallotExpired;
        if (!_isActive(ballot.proposalId)) return VoteRefusal.ProposalNotActive;
        if (ballot.nonce != ballotNonce(ballot.proposalId, ballot.voter)) return VoteRefusal.InvalidNonce;
        if (!_isValidSignature(ballot.voter, ballotDigest(ballot), ballot.signature)) {
            return VoteRefusal.InvalidSignature;
        }
        return VoteRefusal.None;
    }

    /// @dev Whether `proposalId` exists and is open for votes, without reverting for an unknown proposal.
    function _isActive(uint256 proposalId) private view returns (bool) {
        return proposalSnapshot(proposalId) != 0 && state(proposalId) == ProposalState.Active;
    }

    /// @inheritdoc Governor
    /// @dev Uses the per-proposal nonce ({ballotNonce}); the vote that follows advances it.
    function _validateVoteSig(
        uint256 proposalId,
        uint8 support,
        address voter,
        bytes memory signature
    ) internal virtual override returns (bool) {
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(BALLOT_TYPEHASH, proposalId, support, voter, ballotNonce(proposalId, voter)))
        );
        return _isValidSignature(voter, digest, signature);
    }

    /// @inheritdoc Governor
    /// @dev Uses the per-proposal nonce ({ballotNonce}); the vote that follows advances it.
    function _validateExtendedVoteSig(
        uint256 proposalId,
        uint8 support,
        address voter,
        string memory reason,
        bytes memory params,
        bytes memory signature
    ) internal virtual override returns (bool) {
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(
                    EXTENDED_BALLOT_TYPEHASH,
                    proposalId,
                    support,
                    voter,
                    ballotNonce(proposalId, voter),
                    keccak256(bytes(reason)),
                    keccak256(params)
                )
            )
        );
        return _isValidSignature(voter, digest, signature);
    }

    /// @dev As OpenZeppelin's SignatureChecker, but an ERC-1271 wallet gets at most {ERC1271_GAS_LIMIT} gas.
    function _isValidSignature(address signer, bytes32 digest, bytes memory signature) internal view returns (bool) {
        if (signature.length == 65) {
            (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, signature);
            if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        }
        if (signer.code.length == 0) return false;
        bytes memory query = abi.encodeCall(IERC1271.isValidSignature, (digest, signature));
        bool success;
        uint256 returnSize;
        bytes32 returnValue;
        uint256 gasLimit = ERC1271_GAS_LIMIT;
        // Only the first 32 bytes of the answer are copied: a wallet cannot make us pay for a huge return.
        assembly ("memory-safe") {
            success := staticcall(gasLimit, signer, add(query, 0x20), mload(query), 0x00, 0x20)
            returnSize := returndatasize()
            returnValue := mload(0x00)
        }
        return success && returnSize >= 32 && returnValue == bytes32(IERC1271.isValidSignature.selector);
    }
}
