/**
 * The app's Vite configuration, also what `npm start` and the end-to-end test serve (with `appOptionsFromEnv`): it proxies the
 * chain (`/rpc`) and the relayer (`/relayer`) so the browser talks to one origin, publishes the deployment's
 * addresses files (`/addresses/<chainId>.json`, read from `deploy/addresses/` at each request, and copied into
 * the build), and on the local chain the demo members (`/demo-accounts.json`).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin, type UserConfig } from "vite";

const FRONTEND = dirname(fileURLToPath(import.meta.url));
const ROOT = join(FRONTEND, "..");
const ADDRESSES = join(ROOT, "deploy", "addresses");

export interface AppOptions {
  rpcUrl?: string;
  relayerUrl?: string;
  /** Demo members served on the local chain: name, role, address and public test key. */
  demoAccounts?: { name: string; role: string; address: string; key: string }[];
  port?: number;
  /** Where the addresses files are (default `deploy/addresses/`); the end-to-end test serves its own. */
  addressesDir?: string;
}

function bridge(options: AppOptions): Plugin {
  const addresses = options.addressesDir ?? ADDRESSES;
  return {
    name: "mutual-bridge",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? "").split("?")[0];
        const match = /^\/addresses\/(\d+)\.json$/.exec(url);
        if (match !== null) {
          const file = join(addresses, `${match[1]}.json`);
          res.setHeader("content-type", "application/json");
          res.setHeader("cache-control", "no-store");
          if (!existsSync(file)) {
            res.statusCode = 404;
            res.end(JSON.stringify({ error: `no deployment on chain ${match[1]}` }));
          } else res.end(readFileSync(file));
          return;
        }
        if (url === "/demo-accounts.json" && options.demoAccounts !== undefined) {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify(options.demoAccounts));
          return;
        }
        next();
      });
    },
    generateBundle() {
      if (!existsSync(addresses)) return;
      for (const name of readdirSync(addresses).filter((n) => /^\d+\.json$/.test(n))) {
        this.emitFile({ type: "asset", fileName: `addresses/${name}`, source: readFileSync(join(addresses, name)) });
      }
    },
  };
}

export function appConfig(options: AppOptions = {}): UserConfig {
  const rpcUrl = options.rpcUrl ?? process.env.MUTUAL_RPC_URL ?? "http://127.0.0.1:8545";
  const relayerUrl = options.relayerUrl ?? process.env.MUTUAL_RELAYER_URL ?? "http://127.0.0.1:8787";
  return {
    root: FRONTEND,
    configFile: false,
    plugins: [react(), bridge(options)],
    clearScreen: false,
    logLevel: "warn",
    build: { outDir: join(FRONTEND, "dist"), emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2000 },
    server: {
      host: "127.0.0.1",
      port: options.port ?? 5173,
      strictPort: true,
      fs: { allow: [ROOT] },
      proxy: {
        "/rpc": { target: rpcUrl, changeOrigin: true, rewrite: () => "/" },
        "/relayer": { target: relayerUrl, changeOrigin: true, rewrite: (path) => path.replace(/^\/relayer/, "") },
      },
    },
    test: {
      root: FRONTEND,
      environment: "node",
      include: ["src/**/*.test.{ts,tsx}"],
      // These tests check behaviour, not speed. Vitest's 5 s default turned them into timed tests: on a loaded
      // 2-core machine a worker's first Intl date format took 7 s. A minute only guards against a hang.
      testTimeout: 60_000,
      // One worker per core: more only queue for the same two cores and stretch every file's start-up.
      maxWorkers: 2,
    },
  } as UserConfig;
}

/**
 * The options of a dev server started by another process (`npm start`, the end-to-end test): they come through the
 * environment, so the starter names this file as Vite's config instead of importing the app's code.
 */
export function appOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AppOptions {
  return {
    rpcUrl: env.MUTUAL_RPC_URL,
    relayerUrl: env.MUTUAL_RELAYER_URL,
    port: env.MUTUAL_APP_PORT === undefined ? undefined : Number(env.MUTUAL_APP_PORT),
    addressesDir: env.MUTUAL_ADDRESSES_DIR,
    demoAccounts: env.MUTUAL_DEMO_ACCOUNTS === undefined ? undefined : JSON.parse(env.MUTUAL_DEMO_ACCOUNTS),
  };
}

export default defineConfig(appConfig(appOptionsFromEnv()));
