import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { WagmiProvider } from "wagmi";

import { App } from "./App.tsx";
import { IS_LOCAL } from "./env.ts";
import { demo, wagmiConfig } from "./wallet/config.ts";
import type { DemoAccount } from "./wallet/demo-connector.ts";
import "./styles.css";

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } });

/** On the local chain, the dev server lists the demo members (names and their public test keys). */
async function loadDemoAccounts() {
  if (!IS_LOCAL) return;
  try {
    const response = await fetch("/demo-accounts.json");
    if (response.ok) demo.accounts = (await response.json()) as DemoAccount[];
  } catch {
    // No list: the demo wallet stays hidden; injected wallets still work.
  }
}

await loadDemoAccounts();
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <WagmiProvider config={wagmiConfig}>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </WagmiProvider>
  </StrictMode>,
);
