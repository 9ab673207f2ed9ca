/**
 * The guard between a log source and the replay: the history must cover every block from the deployment
 * to the head, in contiguous ranges, with every log inside its range and strictly after the one before it.
 * A truncated, overlapping or reordered history is refused, never replayed.
 */

/** A history that has a gap, an overlap, or logs out of order: the audit refuses to replay it. */
export class IncompleteHistoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IncompleteHistoryError";
  }
}

/** Position of a log: its block and its index in the block. */
export interface LogPosition {
  blockNumber: number;
  logIndex: number;
  removed?: boolean;
}

/** Checks, range by range and log by log, that a history covers `fromBlock`..`toBlock` in order. */
export class LogOrderGuard {
  readonly fromBlock: number;
  readonly toBlock: number;
  private nextBlock: number;
  private rangeStart = -1;
  private rangeEnd = -1;
  private last: LogPosition | null = null;
  private finished = false;

  constructor(fromBlock: number, toBlock: number) {
    if (!Number.isInteger(fromBlock) || !Number.isInteger(toBlock) || fromBlock < 0 || toBlock < fromBlock) {
      throw new RangeError(`invalid block range ${fromBlock}..${toBlock}`);
    }
    this.fromBlock = fromBlock;
    this.toBlock = toBlock;
    this.nextBlock = fromBlock;
  }

  /** A range of blocks whose logs follow: it must start right after the previous one. */
  range(from: number, to: number): void {
    if (this.finished) throw new IncompleteHistoryError(`a range ${from}..${to} after the history was closed`);
    if (to < from) throw new IncompleteHistoryError(`an empty or inverted range ${from}..${to}`);
    if (from > this.nextBlock) {
      throw new IncompleteHistoryError(`blocks ${this.nextBlock}..${from - 1} are missing: no range covered them`);
    }
    if (from < this.nextBlock) {
      throw new IncompleteHistoryError(
        `range ${from}..${to} overlaps blocks already read (up to ${this.nextBlock - 1})`,
      );
    }
    if (to > this.toBlock) {
      throw new IncompleteHistoryError(`range ${from}..${to} goes past the head block ${this.toBlock}`);
    }
    this.rangeStart = from;
    this.rangeEnd = to;
    this.nextBlock = to + 1;
  }

  /** A log of the current range: inside it, strictly after the previous log, not removed by a reorg. */
  log(position: LogPosition): void {
    const { blockNumber, logIndex } = position;
    if (position.removed) {
      throw new IncompleteHistoryError(`log ${logIndex} of block ${blockNumber} was removed by a chain reorganisation`);
    }
    const rangeStart = this.rangeStart;
    if (blockNumber < rangeStart || blockNumber > this.rangeEnd) {
      throw new IncompleteHistoryError(
        `log ${logIndex} of block ${blockNumber} lies outside the range ${rangeStart}..${this.rangeEnd} it came with`,
      );
    }
    const last = this.last;
    if (
      last !== null &&
      (blockNumber < last.blockNumber || (blockNumber === last.blockNumber && logIndex <= last.logIndex))
    ) {
      throw new IncompleteHistoryError(
        `logs out of order: log ${logIndex} of block ${blockNumber} comes after log ${last.logIndex} of block ${last.blockNumber}`,
      );
    }
    this.last = { blockNumber, logIndex };
  }

  /** The end of the history: every block up to the head must have been covered. */
  finish(): void {
    if (this.nextBlock <= this.toBlock) {
      throw new IncompleteHistoryError(
        `blocks ${this.nextBlock}..${this.toBlock} are missing: the history stops early`,
      );
    }
    this.finished = true;
  }
}
