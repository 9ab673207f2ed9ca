// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IMutualGovernor
/// @notice Events, errors and types of Mutual's governor beyond OpenZeppelin's IGovernor.
interface IMutualGovernor {
    /// @notice Why a vote or a signed ballot was refused. `None` means it counted.
    enum VoteRefusal {
        None,
        ProposalNotActive,
        InvalidSupport,
        InvalidVoteParams,
        ZeroVotes,
        SwitchedSides,
        AlreadyAbstained,
        NotEligible,
        InsufficientCredits,
        TooManyVotes,
        BallotExpired,
        InvalidNonce,
        InvalidSignature
    }

    /// @notice A signed quadratic ballot, as a relayer submits it.
    /// @dev EIP-712 type: `QuadraticBallot(uint256 proposalId,uint8 support,address voter,uint256 votes,
    /// uint256 nonce,uint256 deadline,string reason)`. `nonce` is the voter's ballot count on this proposal
    /// ({ballotNonce}): keyed per proposal, so voting on one proposal never invalidates a ballot for another.
    struct Ballot {
        uint256 proposalId;
        uint8 support;
        address voter;
        uint256 votes;
        uint256 nonce;
        uint256 deadline;
        string reason;
        bytes signature;
    }

    /// @notice A signed quadratic ballot in the compact form of {castBallotsCompact}: the same EIP-712
    /// `QuadraticBallot`, signed by an externally owned account with an empty reason, in three words of calldata
    /// (a {Ballot} takes at least fourteen). The proposal is given once per batch and the nonce is implied (the
    /// voter's {ballotNonce}). `head` packs, from the lowest bit: voter (160 bits), support (8), votes (24),
    /// deadline (48); its top 16 bits must be zero. `r` and `vs` are the EIP-2098 signature.
    struct CompactBallot {
        bytes32 head;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice A member staked `amount` credits to make proposal `proposalId`.
    event ProposalDepositStaked(uint256 indexed proposalId, address indexed proposer, uint256 amount);
    /// @notice The deposit of `proposalId` was settled. `holder` holds the proposer's card now (the proposer, or
    /// the new address of a reassigned card; zero if the card was given back or taken away). `returned` says
    /// what the rule decided; `credited` is what reached `holder`: less than `amount` when the cap stopped it,
    /// 0 when nobody holds the card. The rest was burned.
    event ProposalDepositSettled(
        uint256 indexed proposalId,
        address indexed holder,
        uint256 amount,
        bool returned,
        uint256 credited
    );
    /// @notice Ballot number `index` of a batch was not counted, for `reason`.
    event BallotSkipped(uint256 indexed index, address indexed voter, uint256 indexed proposalId, VoteRefusal reason);
    /// @notice The quorum, as a fraction of members in basis points, changed.
    event QuorumFractionSet(uint256 oldQuorumBps, uint256 newQuorumBps);
    /// @notice The credits a proposer must stake changed.
    event ProposalDepositSet(uint256 oldDeposit, uint256 newDeposit);

    /// @notice Only members can propose.
    error MutualGovernorNotMember(address account);
    /// @notice `member` cannot pay `needed` credits from `available` (same error as VoiceCredits').
    error InsufficientCredits(address member, uint256 needed, uint256 available);
    /// @notice `voter` was not a member at the snapshot `snapshot` and ever since.
    error MutualGovernorNotEligible(address voter, uint256 snapshot);
    /// @notice Vote params must be `abi.encode(uint256 votes)` (or empty for one vote).
    error MutualGovernorInvalidVoteParams(bytes params);
    /// @notice A vote must add at least one vote (abstaining aside).
    error MutualGovernorZeroVotes(address voter);
    /// @notice `voter` voted `previousSupport` on this proposal and cannot switch sides.
    error MutualGovernorCannotSwitchSides(address voter, uint8 previousSupport);
    /// @notice The voter's total votes would exceed what any member's balance could ever pay for.
    error MutualGovernorTooManyVotes(address voter, uint256 votes);
    /// @notice The signed ballot expired at `deadline`.
    error MutualGovernorBallotExpired(uint256 deadline);
    /// @notice The deposit of `proposalId` was settled already.
    error MutualGovernorDepositAlreadySettled(uint256 proposalId);
    /// @notice The deposit of `proposalId` cannot be settled while the proposal is pending or active.
    error MutualGovernorDepositNotSettleable(uint256 proposalId, uint8 state);
    /// @notice A governance parameter is out of range.
    error MutualGovernorInvalidParameter(string name, uint256 value);
    /// @notice No proposal may act as the governor: `relay` is refused. A proposal acts through the timelock; the
    /// governor's own powers (over members' credits and deposits, and its roles on the timelock) are not for proposals.
    error MutualGovernorRelayRefused();

    /// @notice The credits a proposer stakes now (never above the credits ledger's cap: see VoiceCredits.checkDeposit).
    function proposalDeposit() external view returns (uint256);
}
