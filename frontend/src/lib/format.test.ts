import { describe, expect, it } from "vitest";

import { count, duration, quorumText, short, when } from "./format.ts";

describe("format", () => {
  it("counts with the noun's plural only when the count is not one", () => {
    expect(count(0n, "member")).toBe("0 members");
    expect(count(1n, "credit")).toBe("1 credit");
    expect(count(4, "vote")).toBe("4 votes");
  });

  it("says how many members voted against the quorum, and whether it is reached", () => {
    expect(quorumText({ voters: 3n, quorum: 2n })).toBe("3 members voted, 2 needed — quorum reached");
    expect(quorumText({ voters: 2n, quorum: 2n })).toBe("2 members voted, 2 needed — quorum reached");
    expect(quorumText({ voters: 1n, quorum: 2n })).toBe("1 member voted, 2 needed");
    // A quorum of zero members (a co-op with no members at the snapshot) is never reached without a voter.
    expect(quorumText({ voters: 0n, quorum: 0n })).toBe("0 members voted, 0 needed");
  });

  it("writes durations in their two largest units", () => {
    expect(duration(129_600)).toBe("1 day 12 hours");
    expect(duration(90n)).toBe("1 minute 30 seconds");
    expect(duration(0)).toBe("0 seconds");
  });

  it("writes chain times in UTC and shortens addresses", () => {
    expect(when(1_800_000_000)).toBe("15 Jan 2027, 08:00 UTC");
    expect(short("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")).toBe("0x7099…79C8");
  });
});
