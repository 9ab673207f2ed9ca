/**
 * The relayer's durable memory: every accepted ballot and every batch transaction, in an embedded SQLite
 * database (Node's built-in `node:sqlite`, so nothing native is compiled) in WAL mode with full syncs. A ballot
 * is committed before the relayer acknowledges it, and a batch transaction is recorded — its hash and its signed
 * bytes — before it is broadcast, so after a crash nothing acknowledged is lost and nothing is sent blind.
 *
 * A ballot moves queued → submitted (in a batch, with its transaction hash) → included, or → rejected with the
 * reason; a batch whose transaction never made it puts its ballots back in the queue.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync as Database } from "node:sqlite";

import type { SignedBallot } from "../lib/ballots/ballot.ts";

/**
 * Loads `node:sqlite` without its one-time "SQLite is an experimental feature" warning: the module is stable
 * enough for this use on the pinned Node 22, and the warning would otherwise show on every start. Every other
 * warning still prints.
 */
async function loadSqlite(): Promise<typeof import("node:sqlite")> {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const message = typeof warning === "string" ? warning : warning.message;
    if (message.startsWith("SQLite is an experimental feature")) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return await import("node:sqlite");
  } finally {
    process.emitWarning = emitWarning;
  }
}
const { DatabaseSync } = await loadSqlite();

export type BallotStatus = "queued" | "submitted" | "included" | "rejected";

/** A stored ballot. */
export interface BallotRecord extends SignedBallot {
  id: string;
  status: BallotStatus;
  /** Unix milliseconds. */
  receivedAt: number;
  updatedAt: number;
  /** The transaction that carried it (submitted, included, or rejected on chain). */
  txHash: string | null;
  /** Why it was rejected: the `VoteRefusal` number (null when the refusal is not one) and the words. */
  rejection: { refusal: number | null; reason: string } | null;
  /** How many transactions carried it. */
  attempts: number;
}

/** A batch transaction, recorded before it is broadcast. */
export interface BatchRecord {
  id: number;
  txHash: string;
  /** The signed transaction, to broadcast again after a crash. */
  rawTx: string;
  accountNonce: number;
  status: "pending" | "mined" | "reverted" | "dropped";
  createdAt: number;
  gasUsed: bigint | null;
  /** Its ballots, in the order the call carries them. */
  ballots: BallotRecord[];
}

export type InsertResult =
  | { kind: "inserted"; record: BallotRecord }
  /** The very same ballot was accepted before. */
  | { kind: "duplicate"; record: BallotRecord }
  /** Another ballot of the same voter on the same proposal with the same nonce is queued or submitted. */
  | { kind: "nonce-taken"; record: BallotRecord };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tx_hash TEXT NOT NULL UNIQUE,
  raw_tx TEXT NOT NULL,
  account_nonce INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'mined', 'reverted', 'dropped')),
  created_at INTEGER NOT NULL,
  mined_block INTEGER,
  gas_used TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS ballots (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  proposal_id TEXT NOT NULL,
  support INTEGER NOT NULL,
  voter TEXT NOT NULL,
  votes TEXT NOT NULL,
  nonce TEXT NOT NULL,
  deadline TEXT NOT NULL,
  reason TEXT NOT NULL,
  signature TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'submitted', 'included', 'rejected')),
  received_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  batch_id INTEGER REFERENCES batches (id),
  batch_index INTEGER,
  tx_hash TEXT,
  refusal INTEGER,
  rejection TEXT,
  attempts INTEGER NOT NULL DEFAULT 0
) STRICT;
-- A voter's nonce on a proposal is spent by one ballot: two different ballots for the same slot are never both in flight.
CREATE UNIQUE INDEX IF NOT EXISTS ballots_open_nonce ON ballots (proposal_id, voter, nonce)
  WHERE status IN ('queued', 'submitted');
CREATE INDEX IF NOT EXISTS ballots_by_status ON ballots (status, seq);
CREATE INDEX IF NOT EXISTS ballots_by_batch ON ballots (batch_id, batch_index);
`;

interface BallotRow {
  id: string;
  proposal_id: string;
  support: number;
  voter: string;
  votes: string;
  nonce: string;
  deadline: string;
  reason: string;
  signature: string;
  status: BallotStatus;
  received_at: number;
  updated_at: number;
  tx_hash: string | null;
  refusal: number | null;
  rejection: string | null;
  attempts: number;
}

interface BatchRow {
  id: number;
  tx_hash: string;
  raw_tx: string;
  account_nonce: number;
  status: BatchRecord["status"];
  created_at: number;
  gas_used: string | null;
}

function toRecord(row: BallotRow): BallotRecord {
  return {
    id: row.id,
    proposalId: BigInt(row.proposal_id),
    support: row.support,
    voter: row.voter,
    votes: BigInt(row.votes),
    nonce: BigInt(row.nonce),
    deadline: BigInt(row.deadline),
    reason: row.reason,
    signature: row.signature,
    status: row.status,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    txHash: row.tx_hash,
    rejection: row.rejection === null ? null : { refusal: row.refusal, reason: row.rejection },
    attempts: row.attempts,
  };
}

/** The deployment a database belongs to: a database never serves two governors. */
export interface StoreScope {
  chainId: bigint;
  governor: string;
}

export class BallotStore {
  readonly path: string;
  readonly #db: Database;

  /** Opens (or creates) the database at `path` (":memory:" for none) for the governor of `scope`. */
  constructor(path: string, scope: StoreScope, now: () => number = Date.now) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.path = path;
    this.#now = now;
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
    this.#db.exec("PRAGMA foreign_keys = ON;");
    this.#db.exec(SCHEMA);
    const want = `${scope.chainId}:${scope.governor.toLowerCase()}`;
    const row = this.#db.prepare("SELECT value FROM meta WHERE key = 'scope'").get() as { value: string } | undefined;
    if (row === undefined) this.#db.prepare("INSERT INTO meta (key, value) VALUES ('scope', ?)").run(want);
    else if (row.value !== want) {
      this.#db.close();
      const [chain, governor] = row.value.split(":");
      throw new Error(
        `${path} holds the ballots of governor ${governor} on chain ${chain}, not of ${scope.governor} on chain ${scope.chainId}: use another database file`,
      );
    }
  }

  readonly #now: () => number;

  /** The SQLite journal mode in force ("wal" for a file). */
  journalMode(): string {
    return (this.#db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode;
  }

  /** Stores a validated ballot as queued, unless it (or another ballot for its nonce) is there already. */
  insert(id: string, ballot: SignedBallot): InsertResult {
    const now = this.#now();
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const existing = this.get(id);
      if (existing !== undefined) {
        this.#db.exec("COMMIT");
        return { kind: "duplicate", record: existing };
      }
      const taken = this.#db
        .prepare(
          "SELECT * FROM ballots WHERE proposal_id = ? AND voter = ? AND nonce = ? AND status IN ('queued', 'submitted')",
        )
        .get(ballot.proposalId.toString(), ballot.voter, ballot.nonce.toString()) as BallotRow | undefined;
      if (taken !== undefined) {
        this.#db.exec("COMMIT");
        return { kind: "nonce-taken", record: toRecord(taken) };
      }
      this.#db
        .prepare(
          `INSERT INTO ballots (id, proposal_id, support, voter, votes, nonce, deadline, reason, signature, status, received_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
        )
        .run(
          id,
          ballot.proposalId.toString(),
          ballot.support,
          ballot.voter,
          ballot.votes.toString(),
          ballot.nonce.toString(),
          ballot.deadline.toString(),
          ballot.reason,
          ballot.signature,
          now,
          now,
        );
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
    return { kind: "inserted", record: this.get(id)! };
  }

  get(id: string): BallotRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM ballots WHERE id = ?").get(id) as BallotRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  /** How many ballots there are in each status. */
  counts(): Record<BallotStatus, number> {
    const counts: Record<BallotStatus, number> = { queued: 0, submitted: 0, included: 0, rejected: 0 };
    const rows = this.#db.prepare("SELECT status, COUNT(*) AS n FROM ballots GROUP BY status").all() as {
      status: BallotStatus;
      n: number;
    }[];
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  /** The oldest queued ballots, in the order they arrived. */
  queued(limit: number): BallotRecord[] {
    const rows = this.#db
      .prepare("SELECT * FROM ballots WHERE status = 'queued' ORDER BY seq LIMIT ?")
      .all(limit) as unknown as BallotRow[];
    return rows.map(toRecord);
  }

  /** When the oldest queued ballot arrived (Unix ms), or undefined when none waits. */
  oldestQueuedAt(): number | undefined {
    const row = this.#db
      .prepare("SELECT received_at FROM ballots WHERE status = 'queued' ORDER BY seq LIMIT 1")
      .get() as { received_at: number } | undefined;
    return row?.received_at;
  }

  /** Every ballot in `status`, oldest first. */
  withStatus(status: BallotStatus): BallotRecord[] {
    const rows = this.#db
      .prepare("SELECT * FROM ballots WHERE status = ? ORDER BY seq")
      .all(status) as unknown as BallotRow[];
    return rows.map(toRecord);
  }

  /**
   * Records a signed batch transaction before it is broadcast, and marks its ballots (in call order) submitted
   * with its hash, in one commit.
   */
  recordBatch(batch: { txHash: string; rawTx: string; accountNonce: number; ballotIds: string[] }): number {
    const now = this.#now();
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const { lastInsertRowid } = this.#db
        .prepare(
          "INSERT INTO batches (tx_hash, raw_tx, account_nonce, status, created_at) VALUES (?, ?, ?, 'pending', ?)",
        )
        .run(batch.txHash, batch.rawTx, batch.accountNonce, now);
      const batchId = Number(lastInsertRowid);
      const mark = this.#db.prepare(
        `UPDATE ballots SET status = 'submitted', batch_id = ?, batch_index = ?, tx_hash = ?, attempts = attempts + 1, updated_at = ?
         WHERE id = ? AND status = 'queued'`,
      );
      batch.ballotIds.forEach((id, index) => {
        if (mark.run(batchId, index, batch.txHash, now, id).changes !== 1) {
          throw new Error(`ballot ${id} is not queued`);
        }
      });
      this.#db.exec("COMMIT");
      return batchId;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /** The batch transaction sent and not yet settled, if any. */
  pendingBatch(): BatchRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM batches WHERE status = 'pending' ORDER BY id LIMIT 1").get() as
      BatchRow | undefined;
    if (row === undefined) return undefined;
    const ballots = (
      this.#db
        .prepare("SELECT * FROM ballots WHERE batch_id = ? ORDER BY batch_index")
        .all(row.id) as unknown as BallotRow[]
    ).map(toRecord);
    return {
      id: row.id,
      txHash: row.tx_hash,
      rawTx: row.raw_tx,
      accountNonce: row.account_nonce,
      status: row.status,
      createdAt: row.created_at,
      gasUsed: row.gas_used === null ? null : BigInt(row.gas_used),
      ballots,
    };
  }

  /** Settles a mined batch: each ballot included, or rejected with its refusal. */
  settleBatch(
    batchId: number,
    mined: { block: number; gasUsed: bigint },
    outcomes: { id: string; counted: boolean; refusal?: number; reason?: string }[],
  ): void {
    const now = this.#now();
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      this.#db
        .prepare("UPDATE batches SET status = 'mined', mined_block = ?, gas_used = ? WHERE id = ?")
        .run(mined.block, mined.gasUsed.toString(), batchId);
      const include = this.#db.prepare(
        "UPDATE ballots SET status = 'included', updated_at = ? WHERE id = ? AND batch_id = ?",
      );
      const reject = this.#db.prepare(
        "UPDATE ballots SET status = 'rejected', refusal = ?, rejection = ?, updated_at = ? WHERE id = ? AND batch_id = ?",
      );
      for (const o of outcomes) {
        if (o.counted) include.run(now, o.id, batchId);
        else reject.run(o.refusal ?? null, o.reason ?? "refused on chain", now, o.id, batchId);
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /**
   * Closes a batch whose transaction will never count (`reverted`, or `dropped`: its account nonce went to
   * another transaction): its ballots go back to the queue, except those in `rejections`.
   */
  abandonBatch(
    batchId: number,
    status: "reverted" | "dropped",
    rejections: Map<string, { refusal: number | null; reason: string }> = new Map(),
  ): void {
    const now = this.#now();
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      this.#db.prepare("UPDATE batches SET status = ? WHERE id = ?").run(status, batchId);
      const ids = (
        this.#db.prepare("SELECT id FROM ballots WHERE batch_id = ? AND status = 'submitted'").all(batchId) as {
          id: string;
        }[]
      ).map((r) => r.id);
      for (const id of ids) {
        const rejection = rejections.get(id);
        if (rejection === undefined) {
          this.#db
            .prepare(
              "UPDATE ballots SET status = 'queued', batch_id = NULL, batch_index = NULL, tx_hash = NULL, updated_at = ? WHERE id = ?",
            )
            .run(now, id);
        } else {
          this.#db
            .prepare("UPDATE ballots SET status = 'rejected', refusal = ?, rejection = ?, updated_at = ? WHERE id = ?")
            .run(rejection.refusal, rejection.reason, now, id);
        }
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /** Rejects a queued ballot without sending it (it expired, or its nonce was spent elsewhere). */
  rejectQueued(id: string, refusal: number | null, reason: string): void {
    this.#db
      .prepare(
        "UPDATE ballots SET status = 'rejected', refusal = ?, rejection = ?, updated_at = ? WHERE id = ? AND status = 'queued'",
      )
      .run(refusal, reason, this.#now(), id);
  }

  /** Gas used by mined batches and the ballots they counted, for the figures of a run. */
  gasTotals(): { batches: number; gasUsed: bigint; included: number } {
    const batches = this.#db
      .prepare("SELECT gas_used FROM batches WHERE status IN ('mined', 'reverted') AND gas_used IS NOT NULL")
      .all() as { gas_used: string }[];
    const included = this.counts().included;
    return {
      batches: batches.length,
      gasUsed: batches.reduce((sum, b) => sum + BigInt(b.gas_used), 0n),
      included,
    };
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
