import { describe, expect, it } from "vitest";
import { createRng, type Rng, sampleBeta, sampleGamma, sampleNormal } from "../src/random";

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sumSquares += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sumSquares / n - mean * mean };
}

const N = 200_000;

describe("createRng", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const take = (rng: Rng) => Array.from({ length: 5 }, rng);
    expect(take(createRng(42))).toEqual(take(createRng(42)));
    expect(take(createRng(42))).not.toEqual(take(createRng(43)));
  });

  it("returns uniform numbers in [0, 1)", () => {
    const rng = createRng(7);
    let outside = 0;
    const { mean, variance } = moments(() => {
      const u = rng();
      if (!(u >= 0 && u < 1)) outside++;
      return u;
    }, N);
    expect(outside).toBe(0);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 3);
  });
});

describe("samplers", () => {
  // Tolerances are about 5 standard errors of the estimate at N draws.
  it("draws standard normals", () => {
    const rng = createRng(1);
    const { mean, variance } = moments(() => sampleNormal(rng), N);
    expect(Math.abs(mean)).toBeLessThan(0.012);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });

  it.each([
    [0.3, 0.3, 0.3],
    [1, 1, 1],
    [3, 3, 3],
    [250, 250, 250],
  ])("draws Gamma(%d) with mean and variance equal to the shape", (shape, mean, variance) => {
    const rng = createRng(2);
    const m = moments(() => sampleGamma(rng, shape), N);
    expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / N));
    expect(Math.abs(m.variance - variance) / variance).toBeLessThan(0.03);
  });

  it.each([
    [2, 5],
    [0.5, 0.5],
    [1, 1],
    [51, 951],
  ])("draws Beta(%d, %d) with the right mean and variance", (a, b) => {
    // Mean a / (a + b), variance ab / ((a + b)² (a + b + 1)).
    const mean = a / (a + b);
    const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
    const rng = createRng(3);
    const m = moments(() => sampleBeta(rng, a, b), N);
    expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / N));
    expect(Math.abs(m.variance - variance) / variance).toBeLessThan(0.03);
  });

  it("Beta(2, 5) at seed 3 has mean 2/7 and variance 10/392", () => {
    const rng = createRng(3);
    const m = moments(() => sampleBeta(rng, 2, 5), N);
    expect(m.mean).toBeCloseTo(2 / 7, 2);
    expect(m.variance).toBeCloseTo(10 / 392, 3);
  });

  it("replays the same draws for the same seed", () => {
    const draws = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => sampleBeta(rng, 3, 40));
    };
    expect(draws(11)).toEqual(draws(11));
  });

  it("rejects a non-positive gamma shape", () => {
    expect(() => sampleGamma(createRng(1), 0)).toThrow(RangeError);
  });
});
