import { describe, expect, it } from "vitest";
import { betaPosterior, chanceToBeat } from "../src/stats";
import { monteCarloBest } from "../src/stats-montecarlo";
import { quadratureBest } from "../src/stats-quadrature";

describe("quadratureBest", () => {
  it("matches the closed form for two arms", () => {
    for (const [[n1, s1], [n2, s2]] of [
      [
        [1000, 50],
        [1000, 62],
      ],
      [
        [30, 3],
        [12_000, 1_100],
      ],
      [
        [5, 0],
        [5, 5],
      ],
    ] as const) {
      const a = betaPosterior(n1, s1);
      const b = betaPosterior(n2, s2);
      const best = quadratureBest([a, b]);
      expect(best).not.toBeNull();
      expect(best?.pBest[1]).toBeCloseTo(chanceToBeat(a, b), 6);
      expect((best?.pBest[0] ?? 0) + (best?.pBest[1] ?? 0)).toBeCloseTo(1, 9);
    }
  });

  it("agrees with a large Monte Carlo run for four arms, P(best) and expected loss", () => {
    const arms = [
      betaPosterior(2_000, 100),
      betaPosterior(2_000, 112),
      betaPosterior(1_500, 80),
      betaPosterior(300, 15),
    ];
    const exact = quadratureBest(arms);
    const sampled = monteCarloBest(arms, 400_000, 7);
    expect(exact).not.toBeNull();
    for (let i = 0; i < arms.length; i++) {
      // 400,000 draws: a standard error below 0.001.
      expect(Math.abs((exact?.pBest[i] ?? 0) - (sampled.pBest[i] ?? 0))).toBeLessThan(0.004);
      expect(Math.abs((exact?.expectedLoss[i] ?? 0) - (sampled.expectedLoss[i] ?? 0))).toBeLessThan(2e-4);
    }
    // The arm with the most successes per impression is the likeliest best and loses least.
    expect(exact?.pBest.indexOf(Math.max(...(exact?.pBest ?? [])))).toBe(1);
    expect(exact?.expectedLoss.indexOf(Math.min(...(exact?.expectedLoss ?? [])))).toBe(1);
  });

  it("handles no arm, one arm, and refuses shapes below 1", () => {
    expect(quadratureBest([])).toEqual({ pBest: [], expectedLoss: [] });
    expect(quadratureBest([betaPosterior(10, 3)])).toEqual({ pBest: [1], expectedLoss: [0] });
    expect(quadratureBest([{ alpha: 0.5, beta: 2 }, betaPosterior(10, 3)])).toBeNull();
    expect(quadratureBest([{ alpha: Number.POSITIVE_INFINITY, beta: 2 }, betaPosterior(10, 3)])).toBeNull();
  });

  it("gives identical arms equal shares", () => {
    const arm = betaPosterior(800, 40);
    const best = quadratureBest([arm, arm, arm]);
    for (const p of best?.pBest ?? []) expect(p).toBeCloseTo(1 / 3, 6);
  });
});
