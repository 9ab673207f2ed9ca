/**
 * The relayer's connection to the chain over HTTP(S). ethers retries an HTTP 429 by itself, but reads its
 * `Retry-After` as milliseconds (`Retry-After: 2` would wait 2 ms) and tries up to 12 times. Here a 429 is tried at
 * most `attempts` times in all, waiting what `Retry-After` says — seconds, or an HTTP date — when it asks for at most
 * `maxRetryAfterMs`; a longer wait fails at once, so the relayer's own retries and its 503 take over.
 */
import { FetchRequest, JsonRpcProvider, WebSocketProvider, type FetchResponse } from "ethers";

import { retryAfterMs } from "../lib/chain/rpc.ts";

export interface RpcRetryOptions {
  /** Attempts in all for a request the endpoint throttles (HTTP 429). */
  attempts: number;
  /** ethers' randomized backoff slot, for a 429 without Retry-After. */
  slotMs: number;
  /** The longest Retry-After waited out; a longer one fails the request. */
  maxRetryAfterMs: number;
}

export const defaultRpcRetry: RpcRetryOptions = { attempts: 4, slotMs: 100, maxRetryAfterMs: 5_000 };

/** The request ethers sends to `url`, with a 429's Retry-After honoured in seconds and bounded. */
export function rpcFetchRequest(url: string, options: RpcRetryOptions = defaultRpcRetry): FetchRequest {
  const request = new FetchRequest(url);
  // maxAttempts counts every send, the first one included.
  request.setThrottleParams({ maxAttempts: options.attempts, slotInterval: options.slotMs });
  request.retryFunc = async (_request: FetchRequest, response: FetchResponse) => {
    const wait = retryAfterMs(response.getHeader("retry-after"));
    // No header: ethers' own randomized backoff. Too long a wait: give up now.
    if (wait === null) return true;
    if (wait > options.maxRetryAfterMs) return false;
    await new Promise((resolve) => setTimeout(resolve, wait));
    return true;
  };
  return request;
}

/** The relayer's provider for `url`: WebSocket for ws(s), else HTTP(S) through {@link rpcFetchRequest}. */
export function relayerProvider(url: string, options: RpcRetryOptions = defaultRpcRetry) {
  // The relayer must never act on a cached answer (a nonce, a receipt), and the chain does not change under it.
  const providerOptions = { cacheTimeout: -1, staticNetwork: true };
  return /^wss?:/i.test(url)
    ? new WebSocketProvider(url, undefined, providerOptions)
    : new JsonRpcProvider(rpcFetchRequest(url, options), undefined, providerOptions);
}
