import { describe, expect, it } from "vitest";
import { type AllocationPlan, inHoldout, pickArm, pickWeighted, thompsonWeights } from "../src/bandit";
import { hashUnit } from "../src/hash";
import { createRng } from "../src/random";

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const noRandom = () => {
  throw new Error("a known user must not use the random source");
};

describe("thompsonWeights", () => {
  it("splits equally while every arm is in burn-in (the floor keeps it equal)", () => {
    const weights = thompsonWeights([
      { impressions: 0, successes: 0 },
      { impressions: 99, successes: 20 },
      { impressions: 10, successes: 0 },
    ]);
    weights.forEach((w) => {
      expect(w).toBeCloseTo(1 / 3, 15);
    });
  });

  it("gives arms in burn-in 1/k and splits the rest by P(best) among the others", () => {
    const weights = thompsonWeights(
      [
        { impressions: 5000, successes: 250 }, // clearly best of the two past burn-in
        { impressions: 5000, successes: 100 },
        { impressions: 40, successes: 0 }, // still in burn-in
      ],
      { floor: 0 },
    );
    expect(weights[2]).toBeCloseTo(1 / 3, 15);
    expect(weights[0]).toBeCloseTo(2 / 3, 6);
    expect(weights[1]).toBeLessThan(1e-6);
  });

  it("keeps every arm at or above the floor and sums to 1", () => {
    const arms = [
      { impressions: 20_000, successes: 1000 },
      { impressions: 20_000, successes: 400 },
      { impressions: 20_000, successes: 600 },
      { impressions: 20_000, successes: 610 },
    ];
    const weights = thompsonWeights(arms, { floor: 0.02 });
    expect(sum(weights)).toBeCloseTo(1, 12);
    weights.forEach((w) => {
      expect(w).toBeGreaterThanOrEqual(0.02 - 1e-15);
    });
    // floor + (1 − k·floor)·w: the hopeless arms sit exactly on the floor, the best gets the rest.
    expect(weights[1]).toBeCloseTo(0.02, 12);
    expect(weights[0]).toBeCloseTo(1 - 3 * 0.02, 12);
  });

  it("uses the defaults of 100 impressions burn-in and a 1% floor", () => {
    const weights = thompsonWeights([
      { impressions: 100, successes: 50 },
      { impressions: 100, successes: 5 },
    ]);
    expect(weights[1]).toBeCloseTo(0.01, 12);
    expect(weights[0]).toBeCloseTo(0.99, 12);
  });

  it("skips the floor when k·floor ≥ 1", () => {
    const arms = [
      { impressions: 1000, successes: 500 },
      { impressions: 1000, successes: 10 },
    ];
    expect(thompsonWeights(arms, { floor: 0.5 })).toEqual(thompsonWeights(arms, { floor: 0 }));
  });

  it("is deterministic for a seed and sums to 1", () => {
    const arms = [
      { impressions: 300, successes: 12 },
      { impressions: 300, successes: 15 },
      { impressions: 300, successes: 9 },
    ];
    const weights = thompsonWeights(arms, { seed: 5 });
    expect(thompsonWeights(arms, { seed: 5 })).toEqual(weights);
    expect(sum(weights)).toBeCloseTo(1, 12);
    expect(thompsonWeights(arms, { seed: 6 })).not.toEqual(weights);
  });

  it("handles no arms and one arm", () => {
    expect(thompsonWeights([])).toEqual([]);
    expect(thompsonWeights([{ impressions: 1000, successes: 10 }])).toEqual([1]);
  });
});

describe("pickWeighted", () => {
  it("returns the arm whose cumulative range holds u", () => {
    const weights = [0.2, 0.5, 0.3];
    expect(pickWeighted(weights, 0)).toBe(0);
    expect(pickWeighted(weights, 0.1999)).toBe(0);
    expect(pickWeighted(weights, 0.2)).toBe(1);
    expect(pickWeighted(weights, 0.6999)).toBe(1);
    expect(pickWeighted(weights, 0.7)).toBe(2);
    expect(pickWeighted(weights, 0.9999999999999999)).toBe(2);
  });

  it("never leaves the range, even when weights sum to slightly less than 1", () => {
    const weights = [0.1, 0.2, 0.3, 0.3999999];
    expect(pickWeighted(weights, 0.9999999999999999)).toBe(3);
    expect(pickWeighted(weights, 1)).toBe(3);
    expect(pickWeighted(weights, 5)).toBe(3);
    expect(pickWeighted(weights, -1)).toBe(0);
    expect(pickWeighted(weights, Number.NaN)).toBe(0);
  });

  it("never picks an arm without weight", () => {
    expect(pickWeighted([0.5, 0.5, 0], 0.9999999999999999)).toBe(1);
    expect(pickWeighted([0, 1], 0)).toBe(1);
  });

  it("treats all-zero weights as equal and rejects no weights", () => {
    expect(pickWeighted([0, 0], 0.75)).toBe(1);
    expect(() => pickWeighted([], 0.5)).toThrow(RangeError);
  });
});

describe("pickArm and inHoldout", () => {
  const plan: AllocationPlan = { experimentId: "exp_sticky", weights: [0.5, 0.5], holdoutShare: 0.1 };
  const users = Array.from({ length: 10_000 }, (_, i) => `user_${i}`);

  it("places a known user by the hash of experiment and user id", () => {
    expect(pickArm(plan, "user_1", noRandom)).toBe(hashUnit("exp_sticky", "user_1") < 0.5 ? 0 : 1);
  });

  it("keeps users on their arm across requests", () => {
    const first = users.map((u) => pickArm(plan, u, noRandom));
    expect(users.map((u) => pickArm(plan, u, noRandom))).toEqual(first);
  });

  it("moves only the users whose point a boundary crossed when the weights change", () => {
    const before = users.map((u) => pickArm(plan, u, noRandom));
    const after = users.map((u) => pickArm({ ...plan, weights: [0.4, 0.6] }, u, noRandom));
    const moved = users.filter((_, i) => before[i] !== after[i]);
    expect(moved.every((u) => hashUnit("exp_sticky", u) >= 0.4 && hashUnit("exp_sticky", u) < 0.5)).toBe(
      true,
    );
    expect(moved.length / users.length).toBeCloseTo(0.1, 1);
  });

  it("uses the random source for anonymous requests", () => {
    expect(pickArm(plan, null, () => 0.75)).toBe(1);
    expect(pickArm(plan, "", () => 0.25)).toBe(0);
  });

  it("holds out a sticky, independent share of users", () => {
    const held = users.filter((u) => inHoldout(plan, u, noRandom));
    expect(held.length / users.length).toBeCloseTo(0.1, 1);
    expect(users.filter((u) => inHoldout(plan, u, noRandom))).toEqual(held);
    // Independent of the arm: held-out users are spread over both arms' ranges.
    const onArm0 = held.filter((u) => pickArm(plan, u, noRandom) === 0).length;
    expect(onArm0 / held.length).toBeGreaterThan(0.4);
    expect(onArm0 / held.length).toBeLessThan(0.6);
  });

  it("holds out nobody when the share is 0, and anonymous requests by the random source", () => {
    expect(users.some((u) => inHoldout({ ...plan, holdoutShare: 0 }, u, noRandom))).toBe(false);
    expect(inHoldout(plan, null, () => 0.05)).toBe(true);
    expect(inHoldout(plan, null, () => 0.5)).toBe(false);
  });

  it("follows the weights across many users", () => {
    const skewed = { ...plan, weights: [0.1, 0.2, 0.7] };
    const counts = [0, 0, 0];
    for (const u of users) counts[pickArm(skewed, u, noRandom)]!++;
    expect(counts[0]! / users.length).toBeCloseTo(0.1, 1);
    expect(counts[2]! / users.length).toBeCloseTo(0.7, 1);
    const rng = createRng(4);
    const anonymous = [0, 0, 0];
    for (let i = 0; i < 10_000; i++) anonymous[pickArm(skewed, null, rng)]!++;
    expect(anonymous[1]! / 10_000).toBeCloseTo(0.2, 1);
  });
});
