import { describe, expect, it } from "vitest";
import {
  compare,
  createOutcomes,
  edgeThompson,
  perImpressionThompson,
  quantile,
  roundRobin,
  type SimulationOptions,
  spread,
} from "../bandit-sim";

const small: SimulationOptions = {
  rates: [0.02, 0.03, 0.05],
  impressions: 3_000,
  refreshEvery: 100,
  burnIn: 100,
  floor: 0.01,
  draws: 500,
};

describe("quantile and spread", () => {
  it("interpolate like numpy.quantile", () => {
    // numpy.quantile([1, 2, 3, 4], [0.1, 0.5, 0.9]) = [1.3, 2.5, 3.7]
    expect(quantile([4, 1, 3, 2], 0.1)).toBeCloseTo(1.3, 12);
    expect(spread([4, 1, 3, 2])).toEqual({
      p10: expect.closeTo(1.3, 12),
      median: 2.5,
      p90: expect.closeTo(3.7, 12),
    });
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe("createOutcomes", () => {
  it("replays each arm's stream and converts at the arm's rate", () => {
    const a = createOutcomes([0.1, 0.5], 3);
    const b = createOutcomes([0.1, 0.5], 3);
    const first = Array.from({ length: 50 }, () => a(1));
    // Pulls of another arm in between do not shift this arm's stream.
    const second = Array.from({ length: 50 }, () => {
      b(0);
      return b(1);
    });
    expect(second).toEqual(first);
    const c = createOutcomes([0.1], 4);
    const hits = Array.from({ length: 20_000 }, () => c(0)).filter(Boolean).length;
    expect(hits / 20_000).toBeCloseTo(0.1, 2);
  });
});

describe("policies", () => {
  it("round-robin splits traffic evenly and its regret is the average gap", () => {
    const run = roundRobin(small, 1);
    expect(run.pulls).toEqual([1000, 1000, 1000]);
    expect(run.regret).toBeCloseTo(1000 * 0.03 + 1000 * 0.02, 9);
    expect(run.afterBurnIn).toBe(3000 - 300);
    expect(run.afterBurnInOnBest).toBe(900);
  });

  it("the edge policy serves every impression, is deterministic, and favours the best arm", () => {
    const run = edgeThompson(small, 7);
    expect(run.pulls.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(edgeThompson(small, 7)).toEqual(run);
    // Burn-in takes at least 300 impressions (three arms × 100) plus the wait for a refresh.
    expect(run.afterBurnIn).toBeLessThanOrEqual(3000 - 300);
    expect(run.afterBurnIn % 100).toBe(0);
    expect(run.pulls[2]).toBeGreaterThan(run.pulls[0]!);
  });

  it("per-impression Thompson serves every impression and is deterministic", () => {
    const run = perImpressionThompson(small, 7);
    expect(run.pulls.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(perImpressionThompson(small, 7)).toEqual(run);
  });

  it("compare reports regret relative to round-robin on the same seeds", () => {
    const results = compare({ roundRobin, edgeThompson }, small, [1, 2, 3]);
    expect(results.roundRobin!.regretVsRoundRobin.median).toBe(1);
    expect(results.edgeThompson!.regretVsRoundRobin.median).toBeLessThan(1);
  });
});
