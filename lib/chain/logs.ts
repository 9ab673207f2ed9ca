/**
 * Reads a deployment's logs, block range by block range, adapting the range to what the endpoint accepts, for the
 * auditor and the app alike. A range the node refuses (too many results, range too wide, response too large) is
 * asked again with fewer blocks: as many as the refusal suggests when it names a limit or a range ("exceed maximum
 * block range: 10", "… this block range should work: [0x1, 0xa]"), else half. What the endpoint taught is kept on
 * its client (`JsonRpc.logRanges`): a range never reaches one it refused, and a limit it named is used from then
 * on, so later ranges and later reads are not refused again. Each success lets the next range grow, up to that.
 * Each log gets its block's timestamp (from the log when the node includes it, else from the block header, whose
 * hash must match the log's: a reorganisation during the read is refused).
 */
import { type RawLog } from "../replay/events.ts";
import { IncompleteHistoryError } from "../replay/stream.ts";
import { RpcError, type JsonRpc, type LogRangeKnowledge } from "./rpc.ts";

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

/**
 * The range, in blocks, a refusal suggests: the width of a range it names (`[0x1, 0xa]`: 10), or a limit it states
 * ("exceed maximum block range: 10", "up to a 2K block range", "block range too large, maximum 1000"). Null when it
 * names none ("query returned more than 10000 results" counts results, not blocks).
 */
export function suggestedSpan(message: string): number | null {
  const named = /\[\s*(0x[0-9a-f]+)\s*,\s*(0x[0-9a-f]+)\s*\]/i.exec(message);
  if (named !== null) {
    const width = Number(BigInt(named[2]) - BigInt(named[1])) + 1;
    return width >= 1 ? width : null;
  }
  const stated =
    /(\d[\d,]*)(\s*k)?\s*(?:-\s*)?(?:block )?range/i.exec(message) ??
    /block range\D{0,40}?(\d[\d,]*)(\s*k)?\b/i.exec(message);
  if (stated === null) return null;
  const limit = Number(stated[1].replace(/,/g, "")) * (stated[2] === undefined ? 1 : 1000);
  return Number.isSafeInteger(limit) && limit >= 1 ? limit : null;
}

/** Takes in a refusal of `span` blocks and returns the span to ask next. */
function refused(k: LogRangeKnowledge, span: number, message: string): number {
  const hint = suggestedSpan(message);
  if (hint !== null && hint < span) {
    // The endpoint named what it serves: never ask more than that again.
    k.refused = Math.min(k.refused ?? Infinity, hint + 1);
    if (k.accepted > hint) k.accepted = hint;
    return hint;
  }
  k.refused = Math.min(k.refused ?? Infinity, span);
  // A range accepted before may be refused where logs are denser: forget it then.
  if (k.accepted >= k.refused) k.accepted = 0;
  // Halfway between the widest accepted and the narrowest refused, or half the refused one when none was accepted.
  return k.accepted > 0
    ? Math.max(k.accepted, Math.floor((k.accepted + k.refused) / 2))
    : Math.max(1, Math.floor(span / 2));
}

/** The span after `span` blocks were accepted: doubled, but short of the narrowest refusal, halfway to it. */
function grown(k: LogRangeKnowledge, span: number, maxSpan: number): number {
  k.accepted = Math.max(k.accepted, span);
  const doubled = Math.min(span * 2, maxSpan);
  if (k.refused === null || doubled < k.refused) return doubled;
  return Math.max(span, Math.floor((k.accepted + k.refused) / 2));
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
  const known = rpc.logRanges;
  let span = Math.min(options.initialSpan ?? 2_000, maxSpan);
  // What the endpoint taught before: start from the widest range it accepted, short of any it refused.
  if (known.refused !== null) {
    span = Math.max(1, Math.min(span, known.refused - 1, known.accepted > 0 ? known.accepted : Infinity));
  }
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
      if (isRangeLimit(error) && to > from) {
        span = refused(known, to - from + 1, (error as RpcError).message);
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
    span = grown(known, to - from + 1, maxSpan);
    from = to + 1;
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
