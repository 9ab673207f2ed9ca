/**
 * The members' app served by Vite, in process: `npm start` and the end-to-end test use it. It regenerates the typed
 * ABIs, then serves `frontend/` with the chain and the relayer proxied (`/rpc`, `/relayer`), the addresses files,
 * and the demo members (names and public test keys) for the demo wallet on the local chain.
 */
import { join } from "node:path";

import { createServer } from "vite";

import { exportAbis } from "../../lib/abi/export.node.ts";
import { ROOT } from "../../lib/deployment.node.ts";
import { bakery, hardhatAccount, hardhatAccountKey } from "../../seeds/bakery.ts";

export const DEFAULT_APP_PORT = 5173;

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

/** The demo co-op's people, as the app's demo wallet lists them. */
export function demoAccounts() {
  return [...bakery.members, bakery.applicant].map((m) => ({
    name: m.name,
    role: m.role,
    address: hardhatAccount(m.account),
    key: hardhatAccountKey(m.account),
  }));
}

export async function startApp(options: {
  rpcUrl: string;
  relayerUrl: string;
  port: number;
  host?: string;
  addressesDir?: string;
}): Promise<AppServer> {
  await exportAbis();
  // The app's own Vite config reads these (frontend/vite.config.ts, appOptionsFromEnv): the app is served, not imported.
  const env = {
    MUTUAL_RPC_URL: options.rpcUrl,
    MUTUAL_RELAYER_URL: options.relayerUrl,
    MUTUAL_APP_PORT: String(options.port),
    MUTUAL_ADDRESSES_DIR: options.addressesDir,
    MUTUAL_DEMO_ACCOUNTS: JSON.stringify(demoAccounts()),
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) setEnv(k, v);
  let server;
  try {
    server = await createServer({ configFile: join(ROOT, "frontend", "vite.config.ts") });
  } finally {
    for (const [k, v] of Object.entries(saved)) setEnv(k, v);
  }
  await server.listen();
  const url = `http://${options.host ?? "127.0.0.1"}:${options.port}`;
  return { url, close: () => server.close() };
}

function setEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}

/** Whether the app answers: its page, and its entry module compiled to JavaScript. */
export async function appAnswers(url: string): Promise<boolean> {
  try {
    const page = await fetch(url);
    if (!page.ok || !(await page.text()).includes('<div id="root">')) return false;
    const entry = await fetch(`${url}/src/main.tsx`);
    const type = entry.headers.get("content-type") ?? "";
    return entry.ok && type.includes("javascript") && (await entry.text()).includes("createRoot");
  } catch {
    return false;
  }
}
