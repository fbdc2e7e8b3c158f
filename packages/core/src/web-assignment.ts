/**
 * Segment assignment for web experiments. The Worker runs this and the SDK runs a twin
 * (packages/sdk/src/core/web-assignment.ts, which a test proves agrees on every id), so the
 * segment a page renders without the network is the one the server records for the exposure.
 */

/** Resolution of a web split: 10,000 buckets, so traffic can be set to 0.01%. */
export const WEB_BUCKETS = 10_000;

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a over the UTF-8 bytes of `s`, then murmur3's fmix32. FNV alone leaves ids that share a
 * prefix in nearby low bits; the finalizer spreads every input bit over the whole word, so the
 * `% WEB_BUCKETS` below sees well-mixed values and two experiment keys land independently.
 * UTF-8 (not UTF-16 units) so that a server in any language can reproduce it; lone surrogates
 * encode as U+FFFD, as TextEncoder does.
 */
function hash32(s: string): number {
  let h = FNV_OFFSET_BASIS;
  const byte = (b: number): void => {
    h = Math.imul(h ^ b, FNV_PRIME);
  };
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x80) byte(c);
    else if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 63));
    } else if (c < 0x10000) {
      byte(0xe0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
    } else {
      byte(0xf0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 63));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
    }
  }
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
