import { expect } from "chai";

import { ConfigError, defaultDbPath, loadRelayerWallet, parseRelayerArgs } from "../../relayer/config.ts";
import { hardhatAccount, hardhatAccountKey } from "../../seeds/bakery.ts";

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

async function refusalOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("Relayer settings", function () {
  it("reads the options, with defaults, the RPC URL from the environment, and paths from the working directory", function () {
    const options = parseRelayerArgs(
      ["--deployment", "co-op.json", "--batch-age", "0.5"],
      { RELAYER_RPC_URL: "https://rpc.invalid" },
      "/srv/coop",
    );
    expect(options).to.deep.equal({
      rpc: "https://rpc.invalid",
      deployment: "/srv/coop/co-op.json",
      host: "127.0.0.1",
      port: 8787,
      db: undefined,
      batchSize: 50,
      batchAgeMs: 500,
      rate: 3000,
      voterRate: 20,
      allowedOrigins: undefined,
      help: false,
    });
    expect(defaultDbPath("/srv/coop", 11155111, "0xAbC0000000000000000000000000000000000001")).to.equal(
      "/srv/coop/.relayer/11155111-0xabc0000000000000000000000000000000000001.sqlite",
    );
  });

  it("reads the origins a browser may call it from, from --allow-origin or RELAYER_ALLOWED_ORIGINS, and refuses what is not an origin", function () {
    const list = "https://coop.example, http://127.0.0.1:5174";
    expect(parseRelayerArgs(["--rpc", "http://x", "--allow-origin", list], {}, "/").allowedOrigins).to.deep.equal([
      "https://coop.example",
      "http://127.0.0.1:5174",
    ]);
    expect(
      parseRelayerArgs(["--rpc", "http://x"], { RELAYER_ALLOWED_ORIGINS: "https://coop.example" }, "/").allowedOrigins,
    ).to.deep.equal(["https://coop.example"]);
    for (const bad of ["https://coop.example/app", "coop.example", "ftp://coop.example", "https://coop.example/"]) {
      expect(refusal(() => parseRelayerArgs(["--rpc", "http://x", "--allow-origin", bad], {}, "/"))).to.equal(
        `--allow-origin takes origins such as https://coop.example or http://127.0.0.1:5173 (scheme, host and port, no path), got "${bad}"`,
      );
    }
    expect(refusal(() => parseRelayerArgs(["--rpc", "http://x", "--allow-origin", " , "], {}, "/"))).to.equal(
      '--allow-origin needs at least one origin, got " , "',
    );
  });

  it("refuses missing or malformed options, saying which", function () {
    expect(refusal(() => parseRelayerArgs([], {}, "/"))).to.equal("--rpc <url> is required (or set RELAYER_RPC_URL)");
    expect(refusal(() => parseRelayerArgs(["--rpc", "ftp://x"], {}, "/"))).to.equal(
      "--rpc must be an http(s) or ws(s) URL",
    );
    expect(refusal(() => parseRelayerArgs(["--rpc", "http://x", "--port", "70000"], {}, "/"))).to.equal(
      '--port must be a TCP port, got "70000"',
    );
    expect(refusal(() => parseRelayerArgs(["--rpc", "http://x", "--batch-size", "0"], {}, "/"))).to.equal(
      '--batch-size must be a whole number from 1 to 500, got "0"',
    );
    expect(refusal(() => parseRelayerArgs(["--rpc", "http://x", "--batch-age=-1"], {}, "/"))).to.equal(
      '--batch-age must be a number of seconds from 0 to 3600, got "-1"',
    );
    expect(refusal(() => parseRelayerArgs(["--rpc", "http://x", "--key", "0x12"], {}, "/"))).to.match(
      /^Unknown option '--key'/,
    );
  });

  it("takes the key from RELAYER_PRIVATE_KEY, and never repeats a malformed key in its refusal", async function () {
    const wallet = await loadRelayerWallet({ RELAYER_PRIVATE_KEY: hardhatAccountKey(10) });
    expect(wallet.address).to.equal(hardhatAccount(10));
    const bad = `0x${"ab".repeat(31)}`;
    const message = await refusalOf(() => loadRelayerWallet({ RELAYER_PRIVATE_KEY: bad }));
    expect(message).to.equal(
      "the environment variable RELAYER_PRIVATE_KEY is not a private key (0x followed by 64 hexadecimal digits)",
    );
    const zero = `0x${"00".repeat(32)}`;
    expect(await refusalOf(() => loadRelayerWallet({ RELAYER_PRIVATE_KEY: zero }))).to.equal(
      "the environment variable RELAYER_PRIVATE_KEY is not a valid secp256k1 private key",
    );
    expect(await refusalOf(() => loadRelayerWallet({ CI: "true" }))).to.equal(
      "RELAYER_PRIVATE_KEY is not set (the keystore is not consulted under CI)",
    );
  });
});
