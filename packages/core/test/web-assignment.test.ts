import { describe, expect, it } from "vitest";
import { assignSegment, WEB_BUCKETS, webBucket } from "../src/web-assignment";

const N = 100_000;
// Sequential ids share long prefixes: the hardest case for a weak hash.
const ids = Array.from({ length: N }, (_, i) => `anon_${i}`);

function shares(key: string, segments: { key: string; trafficPercent: number }[]): Map<string, number> {
  const counts = new Map<string, number>(segments.map((s) => [s.key, 0]));
  for (const id of ids) {
    const seg = assignSegment(key, id, segments);
    counts.set(seg, (counts.get(seg) ?? 0) + 1);
  }
  return new Map([...counts].map(([k, c]) => [k, (c / N) * 100]));
}

describe("webBucket", () => {
  it("matches an independent implementation (FNV-1a over UTF-8, fmix32, % 10000)", () => {
    // Python: h = 0x811c9dc5; for b in f"{key}\0{id}".encode(): h = ((h ^ b) * 0x01000193) & 0xffffffff
    // then h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16 (each & 0xffffffff).
    expect(webBucket("hero", "anon_1")).toBe(7497);
    expect(webBucket("hero", "anon_2")).toBe(6998);
    expect(webBucket("checkout-cta", "9b2f0c1e-7d4a-4c1b-8f3e-2a6d5c4b3a21")).toBe(4972);
    expect(webBucket("héro", "🐰")).toBe(1608); // two- and four-byte UTF-8 sequences
  });

  it("encodes a lone surrogate as U+FFFD, like TextEncoder", () => {
    expect(webBucket("hero", "a\ud800b")).toBe(webBucket("hero", "a\ufffdb"));
    expect(webBucket("hero", "a\udc00")).toBe(webBucket("hero", "a\ufffd"));
  });

  it("separates the key from the id", () => {
    // Without the NUL separator ("ab", "c") and ("a", "bc") would hash the same string.
    const pairs = Array.from({ length: 50 }, (_, i) => [webBucket(`k${i}`, "x"), webBucket("k", `${i}x`)]);
    expect(pairs.filter(([a, b]) => a === b).length).toBeLessThan(3);
  });

  it("stays in [0, WEB_BUCKETS)", () => {
    for (const id of ids.slice(0, 5000)) {
      const b = webBucket("range", id);
      expect(b >= 0 && b < WEB_BUCKETS && Number.isInteger(b)).toBe(true);
    }
  });
});

describe("assignSegment", () => {
  it("is sticky: the same key and id always give the same segment", () => {
    const segments = [
      { key: "a", trafficPercent: 50 },
      { key: "b", trafficPercent: 50 },
    ];
    const first = ids.slice(0, 2000).map((id) => assignSegment("sticky", id, segments));
    const again = ids.slice(0, 2000).map((id) => assignSegment("sticky", id, [...segments]));
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(2);
  });

  it.each([[[50, 50]], [[10, 90]], [[33.33, 33.33, 33.34]], [[0.5, 99.5]]])(
    "follows the traffic split %j within ±1.5 points on 100k ids",
    (split) => {
      const segments = split.map((p, i) => ({ key: `s${i}`, trafficPercent: p }));
      const got = shares(`split-${split.join("-")}`, segments);
      for (const s of segments) expect(Math.abs((got.get(s.key) ?? 0) - s.trafficPercent)).toBeLessThan(1.5);
    },
  );

  it("never assigns a 0% segment", () => {
    const segments = [
      { key: "off", trafficPercent: 0 },
      { key: "a", trafficPercent: 60 },
      { key: "paused", trafficPercent: 0 },
      { key: "b", trafficPercent: 40 },
    ];
    const got = shares("zero", segments);
    expect(got.get("off")).toBe(0);
    expect(got.get("paused")).toBe(0);
    expect(Math.abs((got.get("a") ?? 0) - 60)).toBeLessThan(1.5);
  });

  it("places a visitor independently in two experiments", () => {
    const segments = [
      { key: "x", trafficPercent: 50 },
      { key: "y", trafficPercent: 50 },
    ];
    // 2×2 table of (segment in A, segment in B): independence puts ~25% in each cell.
    const cells = new Map<string, number>();
    for (const id of ids) {
      const cell = `${assignSegment("exp-a", id, segments)}${assignSegment("exp-b", id, segments)}`;
      cells.set(cell, (cells.get(cell) ?? 0) + 1);
    }
    expect([...cells.keys()].sort()).toEqual(["xx", "xy", "yx", "yy"]);
    for (const count of cells.values()) expect(Math.abs((count / N) * 100 - 25)).toBeLessThan(1.5);
    // Bucket-level check too: buckets in A and B are uncorrelated, not just the coarse halves.
    let sumA = 0;
    let sumB = 0;
    let sumAB = 0;
    let sumAA = 0;
    let sumBB = 0;
    for (const id of ids) {
      const a = webBucket("exp-a", id);
      const b = webBucket("exp-b", id);
      sumA += a;
      sumB += b;
      sumAB += a * b;
      sumAA += a * a;
      sumBB += b * b;
    }
    const cov = sumAB / N - (sumA / N) * (sumB / N);
    const corr = cov / Math.sqrt((sumAA / N - (sumA / N) ** 2) * (sumBB / N - (sumB / N) ** 2));
    expect(Math.abs(corr)).toBeLessThan(0.02);
  });

  it("treats shares as relative when they do not add up to 100", () => {
    const got = shares("relative", [
      { key: "a", trafficPercent: 1 },
      { key: "b", trafficPercent: 3 },
    ]);
    expect(Math.abs((got.get("a") ?? 0) - 25)).toBeLessThan(1.5);
  });

  it("throws when no segment has traffic", () => {
    expect(() => assignSegment("none", "id", [])).toThrow(RangeError);
    expect(() => assignSegment("none", "id", [{ key: "a", trafficPercent: 0 }])).toThrow(RangeError);
    expect(() => assignSegment("none", "id", [{ key: "a", trafficPercent: Number.NaN }])).toThrow(RangeError);
  });
});
