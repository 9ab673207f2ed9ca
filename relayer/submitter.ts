/**
 * Sends queued ballots to the governor in batches, one transaction in flight at a time, and settles each ballot
 * from the receipt.
 *
 * A batch leaves when `maxBatch` ballots wait or the oldest has waited `maxBatchAgeMs`. Its transaction is
 * estimated, signed, and recorded in the store (hash and signed bytes, ballots marked submitted) **before** it is
 * broadcast; the relayer then follows that one hash until it is mined. So after a crash the relayer finds the
 * batch it was sending, asks the chain for its receipt, and broadcasts the very same signed transaction again if
 * the chain never saw it: a ballot goes out in one transaction at a time and is never counted twice (the
 * governor's per-proposal nonces refuse a second count anyway). A transaction whose account nonce went to
 * another transaction is abandoned, and each of its ballots is either queued again or, if the chain shows its
 * nonce was spent meanwhile, rejected.
 */
import { Transaction, type Provider, type Wallet } from "ethers";

import { VoteRefusal, describeRefusal } from "../lib/refusals.ts";
import { ballotCallOutcomes, governorBallotInterface, planBallotCalls } from "../lib/ballots/relay.ts";
import type { BallotRecord, BallotStore, BatchRecord } from "./store.ts";
import { defaultReadRetries, revertData, simulateBallot, withReadRetries } from "./validate.ts";

export interface SubmitterOptions {
  /** Most ballots in one transaction. */
  maxBatch: number;
  /** A batch leaves once its oldest ballot has waited this long, even if it is not full. */
  maxBatchAgeMs: number;
  /** How often a sent transaction is checked for a receipt. */
  pollMs: number;
  /** How long without a receipt before the same signed transaction is broadcast again. */
  rebroadcastMs: number;
  /** Extra gas over the estimate, in percent. */
  gasMarginPercent: number;
  /** Transactions a ballot may ride in that reverted as a whole before it is rejected. */
  maxAttempts: number;
  /** Longest pause after failures in a row (the chain unreachable, a broadcast refused): once the chain is back,
   * the submitter resumes within this long. */
  maxBackoffMs: number;
}

/** A signed batch transaction, ready to be recorded and broadcast. */
export interface PreparedBatch {
  txHash: string;
  rawTx: string;
  accountNonce: number;
  /** The ballots it carries, in call order. */
  ballotIds: string[];
}

export const defaultSubmitterOptions: SubmitterOptions = {
  maxBatch: 50,
  maxBatchAgeMs: 2_000,
  pollMs: 250,
  rebroadcastMs: 30_000,
  gasMarginPercent: 20,
  maxAttempts: 3,
  maxBackoffMs: 2_000,
};

/** The pause after `failures` failures in a row: `pollMs` doubled per failure, at most `maxBackoffMs`. */
export function backoffMs(failures: number, options: Pick<SubmitterOptions, "pollMs" | "maxBackoffMs">): number {
  return Math.min(options.maxBackoffMs, options.pollMs * 2 ** Math.min(failures, 10));
}

/** Whether `error` is the node's answer (a revert, a refused transaction), not a failure to reach it. */
function isNodeAnswer(error: unknown): boolean {
  if (revertData(error) !== undefined) return true;
  const e = error as { code?: string; error?: { code?: unknown } };
  // A JSON-RPC error object: the node answered, whatever ethers made of it.
  if (typeof e.error?.code === "number") return true;
  return e.code !== undefined && !["SERVER_ERROR", "TIMEOUT", "NETWORK_ERROR", "UNKNOWN_ERROR"].includes(e.code);
}

/** Looks in a row at a spent account nonce without a receipt before a batch is taken as replaced. */
const SPENT_NONCE_CONFIRMATIONS = 3;

export interface SubmitterConfig {
  store: BallotStore;
  provider: Provider;
  /** The relayer's account: pays for the batches. Never logged. */
  wallet: Wallet;
  chainId: bigint;
  governor: string;
  options: SubmitterOptions;
  log: (line: string) => void;
}

/** How many batches' worth of the oldest queued ballots the submitter plans its next call from. */
const PLANNING_WINDOW = 8;

export class Submitter {
  readonly #c: SubmitterConfig;
  #running: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  /** Whether the loop waits for ballots (rather than for a receipt), so that a new ballot should wake it. */
  #waitingForBallots = false;
  #lastBroadcast = new Map<string, number>();
  #failures = 0;
  /** The account nonce after the last batch this process signed: a node's pending count may lag behind it. */
  #nextNonce: number | undefined;
  /** How many times in a row a batch was seen without a receipt while its account nonce was spent. */
  #spentSeen = new Map<string, number>();
  /** The last error met, for /health; cleared by the next success. */
  lastError: string | undefined;

  constructor(config: SubmitterConfig) {
    this.#c = config;
  }

  /** Starts the loop (it resumes a batch left pending by a previous run first). */
  start(): void {
    if (this.#running !== undefined) return;
    this.#stopping = false;
    this.#running = this.#loop();
  }

  /** A ballot was queued: wakes the loop if it is waiting for ballots (a batch in flight is followed as usual). */
  notify(): void {
    if (this.#waitingForBallots) this.#wake?.();
  }

  /** Stops after the current step; a sent batch stays recorded and is followed up by the next start. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
    this.#running = undefined;
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      let pause: number;
      try {
        pause = await this.#step();
        this.#failures = 0;
        this.lastError = undefined;
      } catch (error) {
        this.#failures += 1;
        this.lastError = (error as Error).message;
        this.#c.log(`submitter: ${this.lastError} (retrying)`);
        pause = backoffMs(this.#failures, this.#c.options);
      }
      if (pause > 0 && !this.#stopping) await this.#sleep(pause);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  /** One step of work; returns how long to wait before the next. */
  async #step(): Promise<number> {
    const { store, options } = this.#c;
    const pending = store.pendingBatch();
    this.#waitingForBallots = pending === undefined;
    if (pending !== undefined) return this.#follow(pending);

    const oldest = store.oldestQueuedAt();
    if (oldest === undefined) return 60_000;
    const waiting = store.counts().queued;
    const age = Date.now() - oldest;
    if (waiting < options.maxBatch && age < options.maxBatchAgeMs) return options.maxBatchAgeMs - age;
    // The oldest ballot decides the call (`planBallotCalls`); a window wider than one batch lets a compact call,
    // which carries ballots of one proposal, fill up with that proposal's ballots queued behind others.
    await this.#send(store.queued(options.maxBatch * PLANNING_WINDOW));
    return 0;
  }

  /** Sends the oldest queued ballots as one batch transaction, recorded before it is broadcast. */
  async #send(queued: BallotRecord[]): Promise<void> {
    const batch = await this.prepareBatch(queued);
    if (batch === undefined) return;
    this.#c.store.recordBatch(batch);
    this.#nextNonce = batch.accountNonce + 1;
    this.#c.log(
      `submitter: sending ${batch.ballotIds.length} ballot(s) in ${batch.txHash} (account nonce ${batch.accountNonce})`,
    );
    await this.#broadcast(batch.txHash, batch.rawTx);
  }

  /**
   * The signed transaction that would carry `queued` (oldest first): ballots past their deadline are rejected
   * here rather than paid for, the call is planned by `planBallotCalls`, its gas estimated (with a margin) and
   * the transaction signed for the account's next nonce. Undefined when nothing is left to send.
   */
  async prepareBatch(queued: BallotRecord[]): Promise<PreparedBatch | undefined> {
    const { store, provider, wallet, governor, chainId, options } = this.#c;
    const latest = await this.#read(() => provider.getBlock("latest"));
    if (latest === null) throw new Error("the chain returned no latest block");
    const ballots: BallotRecord[] = [];
    for (const b of queued) {
      if (b.deadline < BigInt(latest.timestamp)) {
        store.rejectQueued(b.id, VoteRefusal.BallotExpired, describeRefusal(VoteRefusal.BallotExpired));
      } else ballots.push(b);
    }
    if (ballots.length === 0) return undefined;

    const [call] = planBallotCalls(ballots, options.maxBatch);
    let gas: bigint;
    try {
      gas = await this.#read(() => provider.estimateGas({ from: wallet.address, to: governor, data: call.data }), true);
    } catch (error) {
      // The batch as a whole would revert: settle the ballots that cannot count, and let the next step try again.
      const refused = await this.#refuseUncountable(call.ballots);
      if (refused === 0) throw new Error(`gas estimation of a batch failed: ${(error as Error).message}`);
      return undefined;
    }
    const fees = await this.#read(() => provider.getFeeData());
    const accountNonce = Math.max(
      await this.#read(() => provider.getTransactionCount(wallet.address, "pending")),
      this.#nextNonce ?? 0,
    );
    const tx = Transaction.from({
      type: fees.maxFeePerGas !== null ? 2 : 0,
      chainId,
      nonce: accountNonce,
      to: governor,
      data: call.data,
      gasLimit: (gas * BigInt(100 + options.gasMarginPercent)) / 100n,
      ...(fees.maxFeePerGas !== null
        ? { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n }
        : { gasPrice: fees.gasPrice ?? 0n }),
    });
    const rawTx = await wallet.signTransaction(tx);
    return { txHash: Transaction.from(rawTx).hash!, rawTx, accountNonce, ballotIds: call.ballots.map((b) => b.id) };
  }

  /**
   * `read()`, tried again on a failure of the RPC (HTTP 500, 429, a dropped connection) a few times within about
   * 1.5 s, as the validator does; with `answersCount`, an answer of the node (a revert, a refused transaction) is
   * final and not tried again.
   */
  #read<T>(read: () => Promise<T>, answersCount = false): Promise<T> {
    return withReadRetries(read, defaultReadRetries, (error) => answersCount && isNodeAnswer(error));
  }

  async #broadcast(txHash: string, rawTx: string): Promise<void> {
    this.#lastBroadcast.set(txHash, Date.now());
    try {
      await this.#read(() => this.#c.provider.broadcastTransaction(rawTx), true);
    } catch (error) {
      const message = (error as Error).message;
      // The node has it already, or mined it (or another transaction took its nonce): following the hash tells which.
      if (/already known|known transaction|nonce too low|nonce has already been used|already imported/i.test(message))
        return;
      // The node may never have seen it: broadcast it again at the next step, not a rebroadcast period later.
      this.#lastBroadcast.delete(txHash);
      throw new Error(`broadcasting ${txHash} failed: ${message}`);
    }
  }

  /** Follows a recorded batch transaction until it is settled; returns how long to wait before looking again. */
  async #follow(batch: BatchRecord): Promise<number> {
    const { provider, wallet, governor, store, options, log } = this.#c;
    const receipt = await this.#read(() => provider.getTransactionReceipt(batch.txHash));
    if (receipt !== null) {
      this.#lastBroadcast.delete(batch.txHash);
      if (receipt.status === 1) {
        const call = planBallotCalls(batch.ballots, batch.ballots.length)[0];
        const outcomes = ballotCallOutcomes(call, receipt.logs, governor);
        store.settleBatch(
          batch.id,
          { block: receipt.blockNumber, gasUsed: receipt.gasUsed },
          outcomes.map((o) =>
            o.counted
              ? { id: o.ballot.id, counted: true }
              : { id: o.ballot.id, counted: false, refusal: o.refusal, reason: o.reason },
          ),
        );
        const counted = outcomes.filter((o) => o.counted).length;
        log(
          `submitter: ${batch.txHash} mined in block ${receipt.blockNumber}: ${counted} counted, ${outcomes.length - counted} refused, gas ${receipt.gasUsed}`,
        );
      } else {
        const exhausted = new Map<string, { refusal: number | null; reason: string }>();
        for (const b of batch.ballots) {
          if (b.attempts >= options.maxAttempts)
            exhausted.set(b.id, { refusal: null, reason: `the batch transaction reverted ${b.attempts} times` });
        }
        store.abandonBatch(batch.id, "reverted", exhausted);
        log(`submitter: ${batch.txHash} reverted; its ballots are queued again`);
      }
      return 0;
    }

    // No receipt. If the account's nonce moved past this transaction, it can never be mined — but a receipt may
    // lag behind the nonce (mined between the two questions, or nodes behind a load balancer): only a nonce seen
    // spent several times in a row without a receipt counts.
    const confirmed = await this.#read(() => provider.getTransactionCount(wallet.address, "latest"));
    if (confirmed > batch.accountNonce) {
      const seen = (this.#spentSeen.get(batch.txHash) ?? 0) + 1;
      this.#spentSeen.set(batch.txHash, seen);
      if (seen < SPENT_NONCE_CONFIRMATIONS) return options.pollMs;
      this.#spentSeen.delete(batch.txHash);
      await this.#abandonDropped(batch);
      return 0;
    }
    this.#spentSeen.delete(batch.txHash);
    const last = this.#lastBroadcast.get(batch.txHash);
    if (last === undefined || Date.now() - last >= options.rebroadcastMs) {
      if (last === undefined) log(`submitter: resuming ${batch.txHash} (${batch.ballots.length} ballot(s))`);
      await this.#broadcast(batch.txHash, batch.rawTx);
    }
    return options.pollMs;
  }

  /**
   * A batch transaction that can never be mined: each ballot whose nonce the chain shows spent (another vote
   * counted in its place) is rejected, the others go back to the queue.
   */
  async #abandonDropped(batch: BatchRecord): Promise<void> {
    const { provider, governor, store, log } = this.#c;
    const rejections = new Map<string, { refusal: number | null; reason: string }>();
    for (const b of batch.ballots) {
      const data = governorBallotInterface.encodeFunctionData("ballotNonce", [b.proposalId, b.voter]);
      const [next] = governorBallotInterface.decodeFunctionResult(
        "ballotNonce",
        await provider.call({ to: governor, data }),
      );
      if ((next as bigint) > b.nonce) {
        rejections.set(b.id, {
          refusal: VoteRefusal.InvalidNonce,
          reason: `${describeRefusal(VoteRefusal.InvalidNonce)} (another vote spent nonce ${b.nonce})`,
        });
      }
    }
    store.abandonBatch(batch.id, "dropped", rejections);
    log(
      `submitter: ${batch.txHash} was replaced on chain; ${batch.ballots.length - rejections.size} ballot(s) queued again`,
    );
  }

  /** Simulates each ballot alone and rejects those that cannot count; returns how many. */
  async #refuseUncountable(ballots: BallotRecord[]): Promise<number> {
    const { provider, wallet, governor, store } = this.#c;
    let refused = 0;
    for (const b of ballots) {
      const refusal = await simulateBallot(provider, wallet.address, governor, b);
      if (refusal !== undefined) {
        store.rejectQueued(b.id, refusal.refusal < 0 ? null : refusal.refusal, refusal.reason);
        refused += 1;
      }
    }
    return refused;
  }
}
