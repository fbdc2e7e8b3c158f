/**
 * Twin of packages/core/src/web-assignment.ts (the SDK is published alone and cannot import
 * @pushbunny/core). test/web-assignment-twin.test.ts proves both give the same segment, so what
 * the page renders is what the Worker records. Change both or neither.
 */

/** Resolution of a web split: 10,000 buckets, so traffic can be set to 0.01%. */
export const WEB_BUCKETS = 10_000;

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a over the UTF-8 bytes of `s`, then murmur3's fmix32; see the core twin for why.
 * TextEncoder (browsers, Node, Hermes since React Native 0.74) keeps this copy small; the core
 * one encodes by hand, and the twin test shows both agree, lone surrogates included.
 */
function hash32(s: string): number {
  let h = FNV_OFFSET_BASIS;
  for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, FNV_PRIME);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A visitor's fixed bucket in [0, WEB_BUCKETS) for one experiment. */
export function webBucket(experimentKey: string, anonymousId: string): number {
  return hash32(`${experimentKey}\u0000${anonymousId}`) % WEB_BUCKETS;
}

/**
 * The segment a visitor sees: the one whose cumulative share of traffic covers their bucket.
 * Sticky (no state: the same key and id always give the same answer) and weighted by
 * `trafficPercent`, counted in hundredths of a percent. Shares are relative to their sum, which
 * is 100 for a valid experiment; a share that is not a positive number gets no traffic.
 * Throws RangeError when no segment has traffic, since there is nothing to answer.
 */
export function assignSegment(
  experimentKey: string,
  anonymousId: string,
  segments: readonly { key: string; trafficPercent: number }[],
): string {
  const weights = segments.map((s) =>
    Number.isFinite(s.trafficPercent) && s.trafficPercent > 0 ? Math.round(s.trafficPercent * 100) : 0,
  );
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) throw new RangeError(`experiment '${experimentKey}' has no segment with traffic`);
  const bucket = webBucket(experimentKey, anonymousId);
  // Scale only when the shares do not add up to 100%, so the common case stays exact integers.
  const point = total === WEB_BUCKETS ? bucket : Math.floor((bucket * total) / WEB_BUCKETS);
  let cumulative = 0;
  for (const [i, segment] of segments.entries()) {
    cumulative += weights[i] ?? 0;
    if (point < cumulative) return segment.key;
  }
  // Unreachable: point < total and the weights sum to total.
  throw new RangeError(`experiment '${experimentKey}' bucket ${point} outside ${total}`);
}
