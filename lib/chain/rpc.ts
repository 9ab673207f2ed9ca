/**
 * The JSON-RPC client of the auditor and the app: any endpoint, over viem's HTTP transport (`http()`: fetch, a
 * timeout per request, the answer's JSON-RPC error with its code), so it runs in Node and in the browser alike.
 * viem's own retries are switched off (`retryCount: 0`): they would also retry a range the node refuses
 * (`-32005`), which the log reader must shrink instead, and they wait whatever a `Retry-After` asks. This client
 * retries what a public endpoint throws at a long read (rate limits, 5xx, timeouts, dropped connections) with
 * exponential backoff, or after the `Retry-After` the endpoint names (seconds or an HTTP date), up to a bound.
 * Errors the node answers (a JSON-RPC `error`) are not retried: the caller decides (e.g. shrink a range).
 *
 * @example
 * const rpc = new JsonRpc("http://127.0.0.1:8545");
 * const head = Number(await rpc.send<string>("eth_blockNumber", []));
 */
import {
  HttpRequestError,
  ResponseBodyTooLargeError,
  RpcRequestError,
  TimeoutError,
  http,
  type BaseError,
  type EIP1193RequestFn,
} from "viem";

/** The node answered with a JSON-RPC error. */
export class RpcError extends Error {
  readonly code: number;
  readonly method: string;
  constructor(method: string, code: number, message: string) {
    super(`${method}: ${message} (code ${code})`);
    this.name = "RpcError";
    this.code = code;
    this.method = method;
  }
}

/** The endpoint could not be reached, kept failing after every retry, or asked for a longer wait than allowed. */
export class RpcUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RpcUnreachableError";
  }
}

export interface RpcOptions {
  /** Milliseconds before one request is abandoned (and retried). */
  timeoutMs?: number;
  /** Attempts per request, the first included. */
  attempts?: number;
  /** First backoff in milliseconds; doubled after each failed attempt. Used when the endpoint names no wait. */
  backoffMs?: number;
  /** The longest wait a `Retry-After` may ask, in milliseconds; a longer one ends the attempts at once. */
  maxRetryAfterMs?: number;
}

/**
 * What an endpoint has taught about `eth_getLogs`: the widest range (in blocks) it accepted and the narrowest it
 * refused (null: none yet). The log reader (`lib/chain/logs.ts`) keeps it on the client, so every later read starts from it.
 */
export interface LogRangeKnowledge {
  accepted: number;
  refused: number | null;
}

/** HTTP statuses worth asking again: timeout, too early, rate limit, server errors. */
const RETRY_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * The wait a `Retry-After` header asks, in milliseconds: a number of seconds, or an HTTP date (a past one: no wait).
 * Null when there is no header or it is neither.
 */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | null {
  if (header === null || header === undefined) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** A failure worth another attempt, with the wait the endpoint asked for (null: back off). */
class Transient extends Error {
  readonly wait: number | null;
  readonly retryAfter: string | null;
  constructor(message: string, retryAfter: string | null = null) {
    super(message);
    this.retryAfter = retryAfter;
    this.wait = retryAfterMs(retryAfter);
  }
}

export class JsonRpc {
  readonly url: string;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly request: EIP1193RequestFn;
  /** Requests retried after a transient failure (for the summary). */
  retries = 0;
  /** What this endpoint taught about `eth_getLogs` ranges so far. */
  readonly logRanges: LogRangeKnowledge = { accepted: 0, refused: null };

  constructor(url: string, options: RpcOptions = {}) {
    this.url = url;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.attempts = options.attempts ?? 6;
    this.backoffMs = options.backoffMs ?? 500;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.request = http(url, { retryCount: 0, timeout: this.timeoutMs })({ retryCount: 0 }).request;
  }

  /** Sends one request; retries transient failures; throws RpcError for the node's own errors. */
  async send<T>(method: string, params: unknown[]): Promise<T> {
    let last: Transient | null = null;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      if (last !== null) {
        this.retries++;
        await new Promise((resolve) => setTimeout(resolve, last!.wait ?? this.backoffMs * 2 ** (attempt - 1)));
      }
      try {
        const result = (await this.request({ method, params } as never)) as T | undefined;
        if (result === undefined) throw new RpcError(method, -1, "the answer has neither result nor error");
        return result;
      } catch (error) {
        const failure = this.classify(method, error);
        if (!(failure instanceof Transient)) throw failure;
        if (failure.wait !== null && failure.wait > this.maxRetryAfterMs) {
          throw new RpcUnreachableError(
            `${this.url} asks to wait ${Math.ceil(failure.wait / 1000)} s before ${method} (Retry-After: ${failure.retryAfter}), more than the ${this.maxRetryAfterMs / 1000} s this client waits`,
          );
        }
        last = failure;
      }
    }
    throw new RpcUnreachableError(
      `${this.url} did not answer ${method} after ${this.attempts} attempts: ${last?.message ?? "unknown error"}`,
    );
  }

  /** The error to throw for a failed request, or a Transient one to try again. */
  private classify(method: string, error: unknown): Error {
    if (error instanceof RpcError) return error;
    const base = error as BaseError;
    const walk = (match: (e: unknown) => boolean) => (typeof base?.walk === "function" ? base.walk(match) : null);
    const rpc = walk((e) => e instanceof RpcRequestError) as RpcRequestError | null;
    if (rpc !== null) {
      const message = rpc.details;
      // Rate limits reported as JSON-RPC errors are transient too (QuickNode's own code is -32007).
      if (rpc.code === 429 || rpc.code === -32007 || /rate limit|too many requests/i.test(message)) {
        return new Transient(message, rpc.headers?.get("retry-after") ?? null);
      }
      if (rpc.status !== undefined && RETRY_STATUSES.has(rpc.status)) {
        return new Transient(`HTTP ${rpc.status}: ${message}`, rpc.headers?.get("retry-after") ?? null);
      }
      return new RpcError(method, rpc.code, message);
    }
    if (walk((e) => e instanceof ResponseBodyTooLargeError) !== null) {
      // A range of logs too large to take in: the log reader asks for fewer blocks.
      return new RpcError(method, -32005, "the answer exceeds the response size this client reads");
    }
    if (walk((e) => e instanceof TimeoutError) !== null) return new Transient(`timed out after ${this.timeoutMs} ms`);
    const httpError = walk((e) => e instanceof HttpRequestError) as HttpRequestError | null;
    if (httpError !== null) {
      if (httpError.status !== undefined) {
        if (RETRY_STATUSES.has(httpError.status)) {
          return new Transient(`HTTP ${httpError.status}`, httpError.headers?.get("retry-after") ?? null);
        }
        return new RpcError(method, -1, `HTTP ${httpError.status}: the answer is not JSON-RPC`);
      }
      const cause = httpError.cause as { name?: string; message?: string; cause?: { code?: string } } | undefined;
      if (cause?.name === "SyntaxError") return new RpcError(method, -1, "the answer is not JSON-RPC");
      // The connection failed (refused, reset, a name that does not resolve).
      return new Transient(cause?.cause?.code ?? cause?.message ?? httpError.shortMessage);
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}
