// The SDK's copy of assignSegment must agree with the one the Worker runs (packages/core), or a
// page would render one segment while the statistics count the visitor in another.
import { describe, expect, it } from "vitest";
import * as core from "../../core/src/web-assignment";
import * as sdk from "../src/core/web-assignment";
import { seeded } from "./helpers";

const random = seeded(17);
const pick = (chars: string, n: number) =>
  Array.from({ length: n }, () => chars[Math.floor(random() * chars.length)]).join("");
// UUIDs like crypto.randomUUID, app user ids, and ids with multi-byte characters and lone
// surrogates (which both sides must encode as U+FFFD).
const ids = Array.from({ length: 20_000 }, (_, i) => {
  if (i % 4 === 0) return crypto.randomUUID();
  if (i % 4 === 1) return `user_${Math.floor(random() * 1e9)}`;
  if (i % 4 === 2) return pick("abcé日本🐰-_.", 1 + Math.floor(random() * 12));
  return `${pick("xyz", 3)}\ud83d${pick("ab", 2)}\udc30`;
});

const SETS: Array<[string, { key: string; trafficPercent: number }[]]> = [
  [
    "hero",
    [
      { key: "control", trafficPercent: 50 },
      { key: "bold", trafficPercent: 50 },
    ],
  ],
  [
    "checkout-cta",
    [
      { key: "a", trafficPercent: 10 },
      { key: "b", trafficPercent: 90 },
    ],
  ],
  [
    "pricing-page",
    [
      { key: "a", trafficPercent: 33.33 },
      { key: "b", trafficPercent: 33.33 },
      { key: "c", trafficPercent: 33.34 },
    ],
  ],
  [
    "nav",
    [
      { key: "a", trafficPercent: 0.25 },
      { key: "off", trafficPercent: 0 },
      { key: "b", trafficPercent: 12.5 },
      { key: "c", trafficPercent: 87.25 },
    ],
  ],
  ["ünïcode-key", Array.from({ length: 8 }, (_, i) => ({ key: `s${i}`, trafficPercent: 12.5 }))],
];

describe("the SDK's assignSegment twin", () => {
  it("has the same bucket count", () => {
    expect(sdk.WEB_BUCKETS).toBe(core.WEB_BUCKETS);
  });

  it("agrees with @pushbunny/core on every bucket of 20k ids", () => {
    let differ = 0;
    for (const id of ids) if (sdk.webBucket("hero", id) !== core.webBucket("hero", id)) differ++;
    expect(differ).toBe(0);
  });

  it.each(SETS)("agrees on the segment of 20k ids in %s", (key, segments) => {
    const mismatches = ids.filter(
      (id) => sdk.assignSegment(key, id, segments) !== core.assignSegment(key, id, segments),
    );
    expect(mismatches.slice(0, 3)).toEqual([]);
    // Not a vacuous agreement: the ids do spread over the segments with traffic.
    const used = new Set(ids.map((id) => sdk.assignSegment(key, id, segments)));
    expect(used.size).toBe(segments.filter((s) => s.trafficPercent > 0).length);
  });
});
