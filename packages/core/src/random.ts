/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

const TWO_POW_32 = 4_294_967_296;

/** One step of splitmix32, used only to spread a small integer seed over sfc32's 128-bit state. */
function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [next, (z ^ (z >>> 15)) >>> 0];
}

/**
 * A seeded PRNG (sfc32) returning uniform numbers in [0, 1). Fast, passes PractRand, and
 * reproducible, so Monte Carlo results and simulations are the same on every run and isolate.
 * Not for secrets: use crypto.getRandomValues for those.
 */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const seedWord = () => {
    const [next, output] = splitmix32(s);
    s = next;
    return output;
  };
  let a = seedWord();
  let b = seedWord();
  let c = seedWord();
  let d = seedWord();
  const rng = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / TWO_POW_32;
  };
  // The first outputs still show the seed's structure; discarding a few is the usual remedy.
  for (let i = 0; i < 12; i++) rng();
  return rng;
}

/** A standard normal draw (Box–Muller). */
export function sampleNormal(rng: Rng): number {
  // 1 − u lies in (0, 1], so the logarithm is finite.
  const radius = Math.sqrt(-2 * Math.log(1 - rng()));
  return radius * Math.cos(2 * Math.PI * rng());
}

/**
 * A source of standard normals that keeps Box–Muller's second value (the sine) for the next
 * call, halving the cost per draw; for loops that draw many values from one rng.
 */
export function createNormalSampler(rng: Rng): () => number {
  let spare = Number.NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const value = spare;
      spare = Number.NaN;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - rng()));
    const angle = 2 * Math.PI * rng();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/**
 * A Gamma(shape, 1) sampler by Marsaglia and Tsang (2000), with its constants computed once.
 * For shape < 1 it draws Gamma(shape + 1) and scales by u^(1/shape), the boost from the same
 * paper, because the squeeze needs shape ≥ 1.
 */
export function createGammaSampler(rng: Rng, shape: number, normal = createNormalSampler(rng)): () => number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be positive, got ${shape}`);
  if (shape < 1) {
    const boosted = createGammaSampler(rng, shape + 1, normal);
    return () => boosted() * (1 - rng()) ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  return () => {
    for (;;) {
      const x = normal();
      const base = 1 + c * x;
      if (base <= 0) continue;
      const v = base * base * base;
      const u = 1 - rng();
      const x2 = x * x;
      // The cheap squeeze accepts about 98% of draws without a logarithm.
      if (u < 1 - 0.0331 * x2 * x2) return d * v;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
    }
  };
}

/** A Beta(a, b) sampler, X / (X + Y) with X ~ Gamma(a) and Y ~ Gamma(b) sharing one normal source. */
export function createBetaSampler(
  rng: Rng,
  a: number,
  b: number,
  normal = createNormalSampler(rng),
): () => number {
  const x = createGammaSampler(rng, a, normal);
  const y = createGammaSampler(rng, b, normal);
  const mean = a / (a + b);
  return () => {
    const gx = x();
    const sum = gx + y();
    // Both gammas can underflow to 0 for tiny shapes; the mean is the least surprising answer.
    return sum > 0 ? gx / sum : mean;
  };
}

/** One Gamma(shape, 1) draw; use createGammaSampler to draw many. */
export function sampleGamma(rng: Rng, shape: number): number {
  return createGammaSampler(rng, shape, () => sampleNormal(rng))();
}

/** One Beta(a, b) draw; use createBetaSampler to draw many. */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  return createBetaSampler(rng, a, b, () => sampleNormal(rng))();
}
