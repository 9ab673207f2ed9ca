/** Connecting a wallet: the injected wallets the browser announces (EIP-6963), and on the local chain the demo members. */
import { useState } from "react";
import { useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain } from "wagmi";

import { chain, demo, demoName } from "../wallet/config.ts";
import { chooseDemoAccount, chosenDemoAccount } from "../wallet/demo-connector.ts";
import { describeError } from "../lib/errors.ts";
import { short } from "../lib/format.ts";

export function WalletButton() {
  const connection = useConnection();
  const connectors = useConnectors();
  const { disconnect } = useDisconnect();
  const connect = useConnect();
  const [open, setOpen] = useState(false);
  const [demoAddress, setDemoAddress] = useState(chosenDemoAccount(demo.accounts)?.address ?? "");

  if (connection.status === "connected") {
    const name = demoName(connection.address);
    return (
      <div className="wallet">
        <span className="wallet-who" data-testid="connected-as">
          {name !== undefined && <strong>{name}</strong>} <code>{short(connection.address)}</code>
        </span>
        <button type="button" className="link" onClick={() => disconnect()}>
          Disconnect
        </button>
      </div>
    );
  }
  const injectedWallets = connectors.filter((c) => c.type === "injected" && c.id !== "injected");
  const demoConnector = connectors.find((c) => c.id === "mutual-demo");
  return (
    <div className="wallet">
      <button type="button" className="primary" aria-expanded={open} onClick={() => setOpen(!open)}>
        Connect
      </button>
      {open && (
        <div
          className="popover"
          role="dialog"
          aria-label="Connect a wallet"
          onKeyDown={(e) => {
            if (e.key === "Escape") setOpen(false);
          }}
        >
          <h2>Connect a wallet</h2>
          {injectedWallets.length === 0 ? (
            <p className="muted">No browser wallet found. Install one (MetaMask, Rabby…) and reload.</p>
          ) : (
            <ul className="plain">
              {injectedWallets.map((c) => (
                <li key={c.uid}>
                  <button type="button" onClick={() => connect.mutate({ connector: c, chainId: chain.id })}>
                    {"icon" in c && typeof c.icon === "string" && <img src={c.icon} alt="" width={18} height={18} />}{" "}
                    {c.name}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {demoConnector !== undefined && demo.accounts.length > 0 && (
            <div className="demo">
              <label htmlFor="demo-account">Or act as a demo member (local chain, public test keys)</label>
              <select id="demo-account" value={demoAddress} onChange={(e) => setDemoAddress(e.target.value)}>
                {demo.accounts.map((a) => (
                  <option key={a.address} value={a.address}>
                    {a.name} — {a.role}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="primary"
                onClick={() => {
                  chooseDemoAccount(demoAddress);
                  connect.mutate({ connector: demoConnector }, { onSuccess: () => setOpen(false) });
                }}
              >
                Use this demo account
              </button>
            </div>
          )}
          {connect.error && (
            <p role="alert" className="refusal">
              {describeError(connect.error)}
            </p>
          )}
        </div>
      )}
    </div>
  );
}

/** When the wallet is on another chain: say so, and offer to switch. */
export function NetworkPrompt() {
  const connection = useConnection();
  const switchChain = useSwitchChain();
  if (connection.status !== "connected" || connection.chainId === chain.id) return null;
  return (
    <div className="banner warn" role="alert">
      Your wallet is on chain {connection.chainId}; this co-op lives on {chain.name} (chain {chain.id}).{" "}
      <button type="button" onClick={() => switchChain.mutate({ chainId: chain.id })}>
        Switch to {chain.name}
      </button>
      {switchChain.error && <span> {describeError(switchChain.error)}</span>}
    </div>
  );
}
