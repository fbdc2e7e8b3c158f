import { describe, expect, it } from "vitest";
import { fnv1a32, hashUnit } from "../src/hash";
import { chiSquareSurvival } from "../src/stats";

describe("fnv1a32", () => {
  it("matches the published FNV-1a 32 test vectors", () => {
    // http://www.isthe.com/chongo/tech/comp/fnv/ (offset basis; "a"; "foobar").
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("hashes UTF-16 code units, like GrowthBook's JavaScript SDK", () => {
    // Independent Python: h = 0x811c9dc5; for each 16-bit unit of s.encode("utf-16-le"):
    // h ^= unit; h = (h * 0x01000193) & 0xffffffff.
    expect(fnv1a32("exp_1:user_42")).toBe(1083460948);
    expect(fnv1a32("héllo")).toBe(4058363231);
    expect(fnv1a32("🐰")).toBe(3140388232); // a surrogate pair: two code units
  });
});

describe("hashUnit", () => {
  it("reproduces GrowthBook's v2 buckets", () => {
    // growthbook/growthbook packages/sdk-js/test/cases.json, hashVersion 2 experiments:
    // "creates experiments properly" (seed "feature", anonId "123") → bucket 0.5231;
    // stickyBucket cases with seed "feature-exp" → 0.6468 for "d123" and 0.9943 for "i123".
    expect(hashUnit("feature", "123")).toBe(0.5231);
    expect(hashUnit("feature-exp", "d123")).toBe(0.6468);
    expect(hashUnit("feature-exp", "i123")).toBe(0.9943);
  });

  it("is stable for our own ids", () => {
    // Same Python as above: (fnv(str(fnv(seed + value))) % 10000) / 10000.
    expect(hashUnit("exp_3f9a2c", "user_1")).toBe(0.4152);
    expect(hashUnit("exp_3f9a2c", "user_2")).toBe(0.9805);
    expect(hashUnit("exp_3f9a2c:holdout", "user_1")).toBe(0.9696);
  });

  it("stays in [0, 1)", () => {
    const points = Array.from({ length: 10_000 }, (_, i) => hashUnit("exp_range", `user_${i}`));
    expect(points.filter((u) => !(u >= 0 && u < 1))).toEqual([]);
  });

  it("spreads sequential ids uniformly (χ² over 100 bins does not reject at p < 0.001)", () => {
    const bins = 100;
    const n = 100_000;
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < n; i++) {
      const bin = Math.floor(hashUnit("exp_uniformity", `user_${i}`) * bins);
      counts[bin] = counts[bin]! + 1;
    }
    const expected = n / bins;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chiSquareSurvival(chi2, bins - 1)).toBeGreaterThan(0.001);
  });
});
