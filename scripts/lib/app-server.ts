/**
 * The members' app served by Vite, in process: `npm start` and the end-to-end test use it. It regenerates the typed
 * ABIs, then serves `frontend/` with the chain and the relayer proxied (`/rpc`, `/relayer`), the addresses files,
 * and the demo members (names and public test keys) for the demo wallet on the local chain.
 */
import { createServer } from "vite";

import { exportAbis } from "../export-abis.ts";
import { appConfig } from "../../frontend/vite.config.ts";
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
  const server = await createServer({
    ...appConfig({
      rpcUrl: options.rpcUrl,
      relayerUrl: options.relayerUrl,
      demoAccounts: demoAccounts(),
      port: options.port,
      addressesDir: options.addressesDir,
    }),
  });
  await server.listen();
  const url = `http://${options.host ?? "127.0.0.1"}:${options.port}`;
  return { url, close: () => server.close() };
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
