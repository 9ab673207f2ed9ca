/**
 * A small JSON-RPC client for the audit: any endpoint, plain `fetch`, a timeout per request, and retries with
 * exponential backoff for what a public endpoint throws at a long read (rate limits, 5xx, dropped connections).
 * Errors the node answers (a JSON-RPC `error`) are not retried here: the caller decides (e.g. halve a range).
 */

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

/** The endpoint could not be reached, or kept failing after every retry. */
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
  /** First backoff in milliseconds; doubled after each failed attempt. */
  backoffMs?: number;
}

class RetryableError extends Error {}

export class JsonRpc {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private nextId = 1;
  /** Requests retried after a transient failure (for the summary). */
  retries = 0;

  constructor(url: string, options: RpcOptions = {}) {
    this.url = url;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.attempts = options.attempts ?? 6;
    this.backoffMs = options.backoffMs ?? 500;
  }

  /** Sends one request; retries transient failures; throws RpcError for the node's own errors. */
  async send<T>(method: string, params: unknown[]): Promise<T> {
    let lastError: Error | null = null;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      if (attempt > 0) {
        this.retries++;
        await new Promise((resolve) => setTimeout(resolve, this.backoffMs * 2 ** (attempt - 1)));
      }
      try {
        return await this.once<T>(method, params);
      } catch (error) {
        if (!(error instanceof RetryableError)) throw error;
        lastError = error;
      }
    }
    throw new RpcUnreachableError(
      `${this.url} did not answer ${method} after ${this.attempts} attempts: ${lastError?.message ?? "unknown error"}`,
    );
  }

  private async once<T>(method: string, params: unknown[]): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: this.nextId++, method, params }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new RetryableError(cause ?? (error as Error).message);
    }
    if (response.status === 429 || response.status >= 500) {
      throw new RetryableError(`HTTP ${response.status} ${response.statusText}`);
    }
    let body: { result?: T; error?: { code: number; message: string } };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new RpcError(method, -1, `HTTP ${response.status}: the answer is not JSON-RPC`);
    }
    if (body.error !== undefined) {
      // Rate limits reported as JSON-RPC errors are transient too.
      if (body.error.code === 429 || /rate limit|too many requests/i.test(body.error.message)) {
        throw new RetryableError(body.error.message);
      }
      throw new RpcError(method, body.error.code, body.error.message);
    }
    if (!("result" in body)) throw new RpcError(method, -1, "the answer has neither result nor error");
    return body.result as T;
  }
}
