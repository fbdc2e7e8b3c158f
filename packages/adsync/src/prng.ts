/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** FNV-1a, 32 bits, over the UTF-16 code units of `text`. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    // Math.imul keeps the multiply in 32 bits; a plain `*` would lose the low bits to doubles.
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a tiny seeded PRNG, plenty for synthetic report numbers (never for secrets). */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A generator that depends only on `parts`, so any one value (a campaign's profile, one day's
 * numbers) can be recomputed on its own, in any order, with the same result.
 */
export function rngFor(...parts: string[]): Rng {
  return mulberry32(fnv1a(parts.join("\u001f")));
}

/** Uniform in [min, max). */
export function between(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng();
}

/** Log-uniform in [min, max): as many campaigns around 5k as around 50k impressions. */
export function logBetween(rng: Rng, min: number, max: number): number {
  return Math.exp(between(rng, Math.log(min), Math.log(max)));
}

/** Integer in [min, max], inclusive. */
export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}
