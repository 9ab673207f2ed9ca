// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {GovernorCountingQuadratic} from "./GovernorCountingQuadratic.sol";
import {VoteTally, VoteReceipt} from "../../libraries/VoteTally.sol";

/**
 * @title GovernorQuadraticBallots
 * @notice Signed quadratic ballots (EIP-712), one at a time or in batches submitted by a relayer, so that
 * members need no ETH to vote. Signatures from EOAs and from ERC-1271 contract wallets are accepted.
 *
 * @dev A {Ballot}'s nonce is keyed per proposal and stored in the vote receipt: it must equal the number of
 * ballots the voter already cast on that proposal ({ballotNonce}). Voting on one proposal never invalidates a
 * pending ballot for another, and each ballot can count once. OpenZeppelin's `castVoteBySig` and
 * `castVoteWithReasonAndParamsBySig` keep OpenZeppelin's own form: one nonce per account ({nonces}), used up by
 * each such vote, so a standard client signs with `nonces(voter)` as on any Governor.
 *
 * {castBallotsCompact} takes the ballots of externally owned accounts on one proposal in six words each, for
 * relayers that batch many; {castBallots} takes any ballots (reasons, ERC-1271 wallets).
 *
 * In {castBallots} and {castBallotsCompact} a bad ballot is skipped with a {BallotSkipped} event naming the reason, and the rest count.
 * An ERC-1271 wallet is queried with at most {ERC1271_GAS_LIMIT} gas, so a hostile wallet cannot starve the
 * rest of a batch.
 */
abstract contract GovernorQuadraticBallots is GovernorCountingQuadratic {
    /// @notice EIP-712 type hash of a {Ballot}.
    bytes32 public constant QUADRATIC_BALLOT_TYPEHASH = keccak256(
        "QuadraticBallot(uint256 proposalId,uint8 support,address voter,uint256 votes,uint256 nonce,uint256 deadline,string reason)"
    );

    /// @dev `keccak256("")`: the reason hash of a compact ballot.
    bytes32 private constant _EMPTY_REASON_HASH = keccak256("");

    /// @dev Half the order of secp256k1: a signature's `s` must not exceed it (EIP-2).
    uint256 private constant _HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice Gas given to an ERC-1271 wallet to check one signature.
    uint256 public constant ERC1271_GAS_LIMIT = 200_000;

    /// @dev What every ballot of a {castBallotsCompact} batch shares.
    struct Batch {
        uint256 proposalId;
        uint256 snapshot;
        bytes32 domainSeparator;
    }

    /// @notice Casts one signed ballot. Reverts with the specific error if it cannot count.
    /// @param ballot The ballot and its signature.
    /// @return votes The votes added.
    function castBallot(Ballot calldata ballot) external returns (uint256 votes) {
        if (ballot.deadline < block.timestamp) revert MutualGovernorBallotExpired(ballot.deadline);
        (uint256 snapshot, ) = _requireOpenForVotes(ballot.proposalId);
        uint256 expected = ballotNonce(ballot.proposalId, ballot.voter);
        if (ballot.nonce != expected) revert InvalidAccountNonce(ballot.voter, expected);
        if (!_isValidSignature(ballot.voter, ballotDigest(ballot), ballot.signature)) {
            revert GovernorInvalidSignature(ballot.voter);
        }
        (, votes) = _vote(ballot.proposalId, snapshot, ballot.voter, ballot.support, ballot.votes, true);
        emit VoteCast(ballot.voter, ballot.proposalId, ballot.support, votes, ballot.reason);
    }

    /// @notice Casts a batch of signed ballots, on any proposals. A bad ballot is skipped with {BallotSkipped};
    /// the rest count.
    /// @param ballots The ballots and their signatures, counted in order.
    /// @return counted How many ballots counted.
    function castBallots(Ballot[] calldata ballots) external returns (uint256 counted) {
        for (uint256 i = 0; i < ballots.length; ++i) {
            Ballot calldata ballot = ballots[i];
            (VoteRefusal refusal, uint256 snapshot) = _checkBallot(ballot);
            uint256 votes;
            if (refusal == VoteRefusal.None) {
                (refusal, votes) = _vote(
                    ballot.proposalId,
                    snapshot,
                    ballot.voter,
                    ballot.support,
                    ballot.votes,
                    false
                );
            }
            if (refusal != VoteRefusal.None) {
                emit BallotSkipped(i, ballot.voter, ballot.proposalId, refusal);
                continue;
            }
            emit VoteCast(ballot.voter, ballot.proposalId, ballot.support, votes, ballot.reason);
            unchecked {
                ++counted;
            }
        }
    }

    /**
     * @notice Casts a batch of compact signed ballots on one proposal: the cheapest way to submit the ballots of
     * externally owned accounts (ballots with a reason, or from contract wallets, go through {castBallots}). A bad
     * ballot is skipped with {BallotSkipped}; the rest count. Reverts as `castVote` does when the proposal is not
     * open for votes, since then no ballot could count.
     * @dev A ballot signed with a nonce other than the voter's current {ballotNonce} (a replay, or one that
     * overtook another) does not verify and is skipped as `InvalidSignature`.
     * @param proposalId The proposal every ballot is for.
     * @param ballots The ballots, counted in order.
     * @return counted How many ballots counted.
     */
    function castBallotsCompact(
        uint256 proposalId,
        CompactBallot[] calldata ballots
    ) external returns (uint256 counted) {
        (uint256 snapshot, VoteTally t) = _requireOpenForVotes(proposalId);
        Batch memory batch = Batch({proposalId: proposalId, snapshot: snapshot, domainSeparator: _domainSeparatorV4()});
        mapping(address => VoteReceipt) storage receipts = _receiptsOf(proposalId);
        for (uint256 i = 0; i < ballots.length; ++i) {
            CompactBallot calldata ballot = ballots[i];
            VoteRefusal refusal;
            (refusal, t) = _countCompact(batch, receipts, t, ballot);
            if (refusal != VoteRefusal.None) {
                emit BallotSkipped(i, address(uint160(uint256(ballot.head))), proposalId, refusal);
                continue;
            }
            unchecked {
                ++counted;
            }
        }
        // The tally was counted in memory: one write for the whole batch.
        if (counted != 0) _storeTally(proposalId, t);
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

    /// @dev Everything about a ballot that does not touch credits, without reverting; the proposal's snapshot.
    function _checkBallot(Ballot calldata ballot) private view returns (VoteRefusal, uint256 snapshot) {
        if (ballot.deadline < block.timestamp) return (VoteRefusal.BallotExpired, 0);
        bool open;
        (open, snapshot, ) = _openForVotes(ballot.proposalId);
        if (!open) return (VoteRefusal.ProposalNotActive, 0);
        if (ballot.nonce != ballotNonce(ballot.proposalId, ballot.voter)) return (VoteRefusal.InvalidNonce, 0);
        if (!_isValidSignature(ballot.voter, ballotDigest(ballot), ballot.signature)) {
            return (VoteRefusal.InvalidSignature, 0);
        }
        return (VoteRefusal.None, snapshot);
    }

    /// @dev Checks and counts one compact ballot on a proposal open for votes, whose tally is `t`: stores the
    /// voter's receipt, emits `VoteCast`, and returns the tally after it (or the refusal and `t` unchanged).
    function _countCompact(
        Batch memory batch,
        mapping(address => VoteReceipt) storage receipts,
        VoteTally t,
        CompactBallot calldata ballot
    ) private returns (VoteRefusal refusal, VoteTally) {
        uint256 head = uint256(ballot.head);
        if (head >> 240 != 0) return (VoteRefusal.InvalidVoteParams, t);
        if (uint48(head >> 192) < block.timestamp) return (VoteRefusal.BallotExpired, t);
        address voter = address(uint160(head));
        VoteReceipt r = receipts[voter];
        bytes32 digest = _compactDigest(batch.domainSeparator, batch.proposalId, head, r.ballots());
        if (!_isSignedBy(voter, digest, ballot.r, ballot.vs)) return (VoteRefusal.InvalidSignature, t);
        uint8 support = uint8(head >> 160);
        uint256 votes;
        uint256 cost;
        (refusal, votes, cost) = _price(r, support, uint24(head >> 168));
        if (refusal == VoteRefusal.None) (refusal, ) = _charge(voter, batch.snapshot, cost);
        if (refusal != VoteRefusal.None) return (refusal, t);
        receipts[voter] = r.record(support, votes);
        _emitPlainVoteCast(voter, batch.proposalId, support, votes);
        return (VoteRefusal.None, _tallied(batch.proposalId, t, support, votes, !r.hasVoted()));
    }

    /// @dev The EIP-712 digest of the compact ballot `head` on `proposalId`, with an empty reason and `nonce`,
    /// hashed in scratch memory above the free memory pointer (nothing is allocated).
    function _compactDigest(
        bytes32 domainSeparator,
        uint256 proposalId,
        uint256 head,
        uint256 nonce
    ) private pure returns (bytes32 digest) {
        bytes32 typeHash = QUADRATIC_BALLOT_TYPEHASH;
        bytes32 emptyReasonHash = _EMPTY_REASON_HASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            mstore(add(m, 0x20), proposalId)
            mstore(add(m, 0x40), and(shr(160, head), 0xff)) // support
            mstore(add(m, 0x60), and(head, 0xffffffffffffffffffffffffffffffffffffffff)) // voter
            mstore(add(m, 0x80), and(shr(168, head), 0xffffff)) // votes
            mstore(add(m, 0xa0), nonce)
            mstore(add(m, 0xc0), and(shr(192, head), 0xffffffffffff)) // deadline
            mstore(add(m, 0xe0), emptyReasonHash)
            let structHash := keccak256(m, 0x100)
            // EIP-712: keccak256("\x19\x01" ‖ domainSeparator ‖ structHash)
            mstore(m, hex"1901")
            mstore(add(m, 0x02), domainSeparator)
            mstore(add(m, 0x22), structHash)
            digest := keccak256(m, 0x42)
        }
    }

    /// @dev Whether the EIP-2098 signature (`r`, `vs`) of `digest` is `signer`'s. As OpenZeppelin's ECDSA, only
    /// the lower half of `s` is accepted, so that no second signature of the same ballot verifies.
    function _isSignedBy(address signer, bytes32 digest, bytes32 r, bytes32 vs) private pure returns (bool) {
        bytes32 s = vs & bytes32(type(uint256).max >> 1);
        if (uint256(s) > _HALF_ORDER) return false;
        // The recovery bit is the top bit of `vs`.
        address recovered = ecrecover(digest, uint8(uint256(vs >> 255)) + 27, r, s);
        return recovered != address(0) && recovered == signer;
    }

    /// @dev Emits IGovernor's `VoteCast` with an empty reason, encoded in scratch memory (nothing is allocated).
    function _emitPlainVoteCast(address voter, uint256 proposalId, uint256 support, uint256 votes) private {
        bytes32 topic = IGovernor.VoteCast.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, proposalId)
            mstore(add(m, 0x20), support)
            mstore(add(m, 0x40), votes)
            mstore(add(m, 0x60), 0x80) // offset of the reason
            mstore(add(m, 0x80), 0) // its length
            log2(m, 0xa0, topic, and(voter, 0xffffffffffffffffffffffffffffffffffffffff))
        }
    }

    /// @inheritdoc Governor
    /// @dev OpenZeppelin's `Ballot` with OpenZeppelin's account nonce ({nonces}), used up by this vote, so that a
    /// standard client's flow works as it does on any Governor; an ERC-1271 wallet gets bounded gas.
    function _validateVoteSig(
        uint256 proposalId,
        uint8 support,
        address voter,
        bytes memory signature
    ) internal virtual override returns (bool) {
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(BALLOT_TYPEHASH, proposalId, support, voter, _useNonce(voter)))
        );
        return _isValidSignature(voter, digest, signature);
    }

    /// @inheritdoc Governor
    /// @dev OpenZeppelin's `ExtendedBallot` with OpenZeppelin's account nonce ({nonces}), used up by this vote.
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
                    _useNonce(voter),
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
