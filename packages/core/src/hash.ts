// FNV-1a constants for 32-bit output (http://www.isthe.com/chongo/tech/comp/fnv/).
const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const BUCKETS = 10_000;

/**
 * FNV-1a, 32 bits, over UTF-16 code units (not UTF-8 bytes) so it agrees with GrowthBook's
 * JavaScript SDK for any string. Unsigned result.
 */
export function fnv1a32(input: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (let i = 0; i < input.length; i++) {
    hash ^= input.charCodeAt(i);
    // Math.imul keeps the multiply in 32 bits; a plain `*` would lose the low bits to doubles.
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/**
 * A user's fixed point in [0, 1) for one experiment: GrowthBook's v2 bucketing hash,
 * `(fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000`.
 *
 * With seed = experiment id and value = user id, the same user always lands on the same point,
 * so they see the same copy on every request (sticky assignment) without any stored state, and
 * different experiments place the same user independently. Hashing twice removes the
 * correlation a single FNV pass leaves between ids that share a prefix (`user1`, `user2`, …).
 * The resolution is 1/10,000, which is finer than any weight we serve.
 */
export function hashUnit(seed: string, value: string): number {
  return (fnv1a32(String(fnv1a32(seed + value))) % BUCKETS) / BUCKETS;
}
