/**
 * Reads a deployment's logs, block range by block range, adapting the range to what the endpoint accepts:
 * a range the node refuses (too many results, range too wide, response too large) is halved and asked
 * again; each success lets the next range grow. Each log gets its block's timestamp (from the log when the
 * node includes it, else from the block header, whose hash must match the log's: a reorganisation during
 * the read is refused).
 */
import { type RawLog } from "../../../lib/replay/events.ts";
import { IncompleteHistoryError } from "../../../lib/replay/stream.ts";
import { RpcError, type JsonRpc } from "./rpc.ts";

/** The logs of blocks `fromBlock`..`toBlock`, each with its block's timestamp. */
export interface LogChunk {
  fromBlock: number;
  toBlock: number;
  logs: (RawLog & { timestamp: number })[];
}

export interface FetchProgress {
  fromBlock: number;
  toBlock: number;
  /** Last block read so far. */
  block: number;
  logs: number;
  span: number;
}

export interface FetchOptions {
  initialSpan?: number;
  maxSpan?: number;
  onProgress?: (progress: FetchProgress) => void;
}

/** A refusal that means "ask for fewer blocks". */
export function isRangeLimit(error: unknown): boolean {
  if (!(error instanceof RpcError)) return false;
  return (
    error.code === -32005 ||
    /too many|more than|exceed|limit|range|too large|too wide|too big|response size|max results|timeout|timed out/i.test(
      error.message,
    )
  );
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** Yields the logs of `addresses` from `fromBlock` to `toBlock`, in contiguous ranges, in order. */
export async function* fetchLogChunks(
  rpc: JsonRpc,
  addresses: readonly string[],
  fromBlock: number,
  toBlock: number,
  options: FetchOptions = {},
): AsyncGenerator<LogChunk> {
  const maxSpan = options.maxSpan ?? 50_000;
  let span = Math.min(options.initialSpan ?? 2_000, maxSpan);
  let from = fromBlock;
  let total = 0;
  const timestamps = new Map<number, { timestamp: number; hash: string }>();
  while (from <= toBlock) {
    const to = Math.min(from + span - 1, toBlock);
    let logs: RawLog[];
    try {
      logs = await rpc.send<RawLog[]>("eth_getLogs", [
        { fromBlock: hex(from), toBlock: hex(to), address: [...addresses] },
      ]);
    } catch (error) {
      if (isRangeLimit(error) && span > 1) {
        span = Math.max(1, Math.floor(span / 2));
        continue;
      }
      throw error;
    }
    const withTime: LogChunk["logs"] = [];
    for (const log of logs) {
      const block = Number(log.blockNumber);
      let timestamp: number;
      if (log.blockTimestamp !== undefined) timestamp = Number(log.blockTimestamp);
      else {
        let header = timestamps.get(block);
        if (header === undefined) {
          const raw = await rpc.send<{ timestamp: string; hash: string } | null>("eth_getBlockByNumber", [
            hex(block),
            false,
          ]);
          if (raw === null) throw new IncompleteHistoryError(`block ${block} of a log is unknown to the node`);
          header = { timestamp: Number(raw.timestamp), hash: raw.hash };
          timestamps.clear(); // logs come in block order: only the latest block is needed again
          timestamps.set(block, header);
        }
        const blockHash = (log as { blockHash?: string }).blockHash;
        if (blockHash !== undefined && blockHash.toLowerCase() !== header.hash.toLowerCase()) {
          throw new IncompleteHistoryError(
            `block ${block} changed while it was read (a chain reorganisation): its logs name another block hash`,
          );
        }
        timestamp = header.timestamp;
      }
      withTime.push({ ...log, timestamp });
    }
    total += logs.length;
    yield { fromBlock: from, toBlock: to, logs: withTime };
    options.onProgress?.({ fromBlock, toBlock, block: to, logs: total, span });
    from = to + 1;
    span = Math.min(span * 2, maxSpan);
  }
}

/** A one-line progress bar for stderr. */
export function progressLine(p: FetchProgress, width = 30): string {
  const total = p.toBlock - p.fromBlock + 1;
  const done = p.block - p.fromBlock + 1;
  const filled = Math.round((done / total) * width);
  const pct = Math.floor((done / total) * 100);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(pct).padStart(3)}%  block ${p.block}/${p.toBlock}  ${p.logs} logs  range ${p.span}`;
}
