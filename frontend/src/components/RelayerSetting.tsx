/**
 * Where signed ballots go: the relayer's URL, kept in this browser (empty: no relayer, vote by transaction only),
 * checked against its `/health` when saved.
 */
import { useId, useState } from "react";

import { CHAIN_ID, relayerUrl, setRelayerUrl } from "../env.ts";

/** The URL a member typed, or why it cannot be one. */
export function checkRelayerUrl(text: string): { url: string } | { error: string } {
  const t = text.trim().replace(/\/$/, "");
  if (t === "") return { url: "" };
  if (t.startsWith("/")) return { url: new URL(t, window.location.origin).toString().replace(/\/$/, "") };
  try {
    const url = new URL(t);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return { error: "The relayer's URL must start with http:// or https://." };
    return { url: url.toString().replace(/\/$/, "") };
  } catch {
    return { error: `“${t}” is not a URL (for example https://relayer.example.org).` };
  }
}

export function RelayerSetting() {
  const id = useId();
  const [text, setText] = useState(relayerUrl());
  const [message, setMessage] = useState("");
  async function save(e: React.FormEvent) {
    e.preventDefault();
    const checked = checkRelayerUrl(text);
    if ("error" in checked) return setMessage(checked.error);
    setRelayerUrl(checked.url);
    setText(checked.url);
    if (checked.url === "") return setMessage("No relayer: members vote by transaction.");
    try {
      const health = (await (await fetch(`${checked.url}/health`)).json()) as { ok?: boolean; chainId?: number };
      setMessage(
        health.ok !== true
          ? "Saved, but the relayer reports a problem."
          : health.chainId !== CHAIN_ID
            ? `Saved, but this relayer serves chain ${health.chainId}, not ${CHAIN_ID}.`
            : "Saved: the relayer answers.",
      );
    } catch {
      setMessage("Saved, but the relayer does not answer at this URL.");
    }
  }
  return (
    <form className="relayer-setting" onSubmit={save}>
      <label htmlFor={`${id}-url`}>Relayer for signed ballots</label>
      <input id={`${id}-url`} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      <button type="submit">Save</button>
      <span role="status" aria-live="polite" className="muted small">
        {message}
      </span>
    </form>
  );
}
