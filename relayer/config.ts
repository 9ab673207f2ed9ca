/**
 * The relayer's settings: command-line options (with environment fallbacks) and the relayer's key, which comes
 * from the environment variable RELAYER_PRIVATE_KEY or from Hardhat's encrypted keystore — never from a file
 * of the repository, never from the command line (it would show in the process list), never printed.
 */
import { isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";

import { Wallet } from "ethers";

export const KEY_VARIABLE = "RELAYER_PRIVATE_KEY";

export const USAGE = `Usage: npm run relayer -- --rpc <url> [--deployment <file>] [options]

  --rpc <url>            JSON-RPC endpoint of the chain (or RELAYER_RPC_URL)
  --deployment <file>    the co-op's addresses file (default: deploy/addresses/<chainId>.json)
  --host <address>       interface to listen on (default 127.0.0.1: this machine only)
  --port <port>          port to listen on (default 8787)
  --db <file>            the SQLite database (default .relayer/<chainId>-<governor>.sqlite)
  --batch-size <n>       most ballots per transaction (default 50)
  --batch-age <seconds>  send a partial batch once its oldest ballot waited this long (default 2)
  --rate <n>             ballots accepted per minute from everyone (default 3000)
  --voter-rate <n>       ballots accepted per minute from one voter (default 20)
  --allow-origin <list>  origins whose pages may call the relayer from a browser, comma-separated
                         (or RELAYER_ALLOWED_ORIGINS; default http://127.0.0.1:5173,http://localhost:5173)
  --help                 this help

The relayer's key: the environment variable ${KEY_VARIABLE}, or else Hardhat's keystore
(npx hardhat keystore set ${KEY_VARIABLE}). See docs/relayer.md.`;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export interface RelayerCliOptions {
  rpc: string;
  deployment: string | undefined;
  host: string;
  port: number;
  db: string | undefined;
  batchSize: number;
  batchAgeMs: number;
  rate: number;
  voterRate: number;
  /** Undefined: the default (the local members' app). */
  allowedOrigins: string[] | undefined;
  help: boolean;
}

/** The origins of a comma-separated list, each an exact `scheme://host[:port]` (a page's `location.origin`). */
export function parseOrigins(text: string): string[] {
  const origins = text
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "");
  if (origins.length === 0) throw new ConfigError(`--allow-origin needs at least one origin, got "${text}"`);
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (url === undefined || !["http:", "https:"].includes(url.protocol) || url.origin !== origin)
      throw new ConfigError(
        `--allow-origin takes origins such as https://coop.example or http://127.0.0.1:5173 (scheme, host and port, no path), got "${origin}"`,
      );
  }
  return origins;
}

function positiveInteger(name: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new ConfigError(`--${name} must be a whole number from 1 to ${max}, got "${text}"`);
  return n;
}

/** Parses the command line; `cwd` resolves relative paths. Throws a {@link ConfigError} saying what is wrong. */
export function parseRelayerArgs(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd: string,
): RelayerCliOptions {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        rpc: { type: "string" },
        deployment: { type: "string" },
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "8787" },
        db: { type: "string" },
        "batch-size": { type: "string", default: "50" },
        "batch-age": { type: "string", default: "2" },
        rate: { type: "string", default: "3000" },
        "voter-rate": { type: "string", default: "20" },
        "allow-origin": { type: "string" },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const rpc = values.rpc ?? env.RELAYER_RPC_URL ?? "";
  if (!values.help) {
    if (rpc === "") throw new ConfigError("--rpc <url> is required (or set RELAYER_RPC_URL)");
    try {
      const url = new URL(rpc);
      if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) throw new Error();
    } catch {
      throw new ConfigError(`--rpc must be an http(s) or ws(s) URL`);
    }
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`--port must be a TCP port, got "${values.port}"`);
  const batchAge = Number(values["batch-age"]);
  if (!Number.isFinite(batchAge) || batchAge < 0 || batchAge > 3600)
    throw new ConfigError(`--batch-age must be a number of seconds from 0 to 3600, got "${values["batch-age"]}"`);
  const path = (p: string | undefined) => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(cwd, p));
  return {
    rpc,
    deployment: path(values.deployment),
    host: values.host,
    port,
    db: path(values.db),
    batchSize: positiveInteger("batch-size", values["batch-size"], 500),
    batchAgeMs: Math.round(batchAge * 1000),
    rate: positiveInteger("rate", values.rate),
    voterRate: positiveInteger("voter-rate", values["voter-rate"]),
    allowedOrigins: (() => {
      const text = values["allow-origin"] ?? env.RELAYER_ALLOWED_ORIGINS;
      return text === undefined ? undefined : parseOrigins(text);
    })(),
    help: values.help,
  };
}

/** The default database of a co-op: one file per chain and governor, under the git-ignored `.relayer/`. */
export function defaultDbPath(root: string, chainId: number | bigint, governor: string): string {
  return join(root, ".relayer", `${chainId}-${governor.toLowerCase()}.sqlite`);
}

/**
 * The relayer's wallet: from the environment variable, else from Hardhat's keystore (which asks for its
 * password), except under CI where the keystore is not consulted. Error messages never include the key.
 */
export async function loadRelayerWallet(env: Record<string, string | undefined>): Promise<Wallet> {
  let key = env[KEY_VARIABLE];
  let source = `the environment variable ${KEY_VARIABLE}`;
  if (key === undefined) {
    if (env.CI !== undefined) {
      throw new ConfigError(`${KEY_VARIABLE} is not set (the keystore is not consulted under CI)`);
    }
    const { default: hre } = await import("hardhat");
    const { configVariable } = await import("hardhat/config");
    try {
      key = await hre.hooks.runHandlerChain(
        "configurationVariables",
        "fetchValue",
        [configVariable(KEY_VARIABLE)],
        async (_context, variable) => {
          const value = process.env[variable.name];
          if (value === undefined) throw new Error("not found");
          return value;
        },
      );
    } catch {
      throw new ConfigError(
        `the relayer has no key: set ${KEY_VARIABLE}, or store it with \`npx hardhat keystore set ${KEY_VARIABLE}\``,
      );
    }
    source = `the keystore entry ${KEY_VARIABLE}`;
  }
  const normalized = key.trim().startsWith("0x") ? key.trim() : `0x${key.trim()}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(normalized)) {
    throw new ConfigError(`${source} is not a private key (0x followed by 64 hexadecimal digits)`);
  }
  try {
    return new Wallet(normalized);
  } catch {
    throw new ConfigError(`${source} is not a valid secp256k1 private key`);
  }
}
