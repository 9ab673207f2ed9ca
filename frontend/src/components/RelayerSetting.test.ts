// @vitest-environment jsdom
import { describe, expect, it } from "vitest";

import { checkRelayerUrl } from "./RelayerSetting.tsx";

describe("checkRelayerUrl", () => {
  it("accepts an http(s) URL or a path on this server, and empty for none", () => {
    expect(checkRelayerUrl("https://relayer.example.org/")).toEqual({ url: "https://relayer.example.org" });
    expect(checkRelayerUrl("/relayer")).toEqual({ url: `${window.location.origin}/relayer` });
    expect(checkRelayerUrl("  ")).toEqual({ url: "" });
  });
  it("says what is wrong with anything else", () => {
    expect(checkRelayerUrl("ftp://relayer.example.org")).toEqual({
      error: "The relayer's URL must start with http:// or https://.",
    });
    expect(checkRelayerUrl("relayer here")).toEqual({
      error: "“relayer here” is not a URL (for example https://relayer.example.org).",
    });
  });
});
