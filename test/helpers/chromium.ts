/**
 * Debian's Chromium (never a downloaded browser), driven by playwright-core, as the browser tests start it: headless,
 * in a fresh profile, with the background networking that this machine's closed network would refuse turned off.
 */
import { existsSync } from "node:fs";

import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Starts Chromium with `profile` as its user-data directory; throws, saying how to install it, when it is missing. */
export async function launchChromium(
  profile: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ...(options.viewport !== undefined ? { viewport: options.viewport } : {}),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
