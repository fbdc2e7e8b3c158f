import { hashUnit } from "./hash";
import type { Rng } from "./random";
import { betaPosterior } from "./stats";
import { monteCarloBest } from "./stats-montecarlo";

/** Impressions and successes of one arm, as the posterior refresh sees them. */
export interface ArmTally {
  impressions: number;
  successes: number;
}

/** Settings of the Thompson allocation; every field has a default. */
export interface ThompsonConfig {
  /** Impressions an arm gets at an equal share before its results steer traffic (100). */
  burnIn?: number;
  /** Minimum share of traffic every arm keeps (0.01). */
  floor?: number;
  /** Monte Carlo draws for P(best) (2,000). */
  draws?: number;
  /** Monte Carlo seed, fixed so the same counts always give the same weights (1). */
  seed?: number;
}

/** What the edge needs to place a request: cached per experiment, refreshed with the posteriors. */
export interface AllocationPlan {
  experimentId: string;
  /** One weight per arm, summing to 1. */
  weights: readonly number[];
  /** Share of users kept out of the experiment entirely, in [0, 1). */
  holdoutShare: number;
}

export const DEFAULT_THOMPSON_CONFIG: Readonly<Required<ThompsonConfig>> = {
  burnIn: 100,
  floor: 0.01,
  // A weight is only a traffic share: a standard error of at most 0.011 at 2,000 draws is below
  // the noise of per-request Thompson sampling, at a fifth of the CPU of the analysis' 10,000.
  draws: 2_000,
  seed: 1,
};

/**
 * Traffic weights for Thompson sampling, one per arm, summing to 1.
 *
 * Thompson sampling sends each request to the arm whose posterior draw is highest, i.e. to arm i
 * with probability P(arm i is best). Computing those probabilities once per posterior refresh
 * (Monte Carlo over Beta(1 + successes, 1 + failures)) and serving them as weights gives the
 * same allocation without sampling on every request, and lets the edge use sticky hashing.
 *
 * Arms still in burn-in (fewer than `burnIn` impressions) get an equal 1/k share each, so a few
 * lucky early conversions cannot starve an arm; the arms past burn-in share the rest in
 * proportion to P(best) among themselves. Then every arm is lifted to at least `floor`:
 * w = floor + (1 − k·floor)·w (skipped when k·floor ≥ 1). The floor keeps a little traffic on
 * apparent losers because conversion rates drift (copy fatigue, weekdays) and feedback arrives
 * late in batches, so an arm starved on stale evidence could otherwise never recover; it also
 * keeps every arm's counts growing for the analysis, at a bounded cost of floor × the gap in
 * rate per impression.
 */
export function thompsonWeights(arms: readonly ArmTally[], config: ThompsonConfig = {}): number[] {
  const d = DEFAULT_THOMPSON_CONFIG;
  const burnIn = config.burnIn ?? d.burnIn;
  const floor = config.floor ?? d.floor;
  const weights = burnInWeights(arms, burnIn, config.draws ?? d.draws, config.seed ?? d.seed);
  return applyFloor(weights, floor);
}

function burnInWeights(arms: readonly ArmTally[], burnIn: number, draws: number, seed: number): number[] {
  const k = arms.length;
  const weights = arms.map(() => 1 / k);
  const ready = arms.flatMap((arm, i) => (arm.impressions >= burnIn ? [i] : []));
  // One arm past burn-in is trivially the best among itself: it keeps its 1/k.
  if (ready.length < 2) return weights;
  const posteriors = ready.map((i) => betaPosterior(arms[i]?.impressions ?? 0, arms[i]?.successes ?? 0));
  const { pBest } = monteCarloBest(posteriors, draws, seed);
  const readyShare = ready.length / k;
  ready.forEach((armIndex, j) => {
    weights[armIndex] = readyShare * (pBest[j] ?? 0);
  });
  return weights;
}

function applyFloor(weights: readonly number[], floor: number): number[] {
  const k = weights.length;
  if (!(floor > 0) || k * floor >= 1) return [...weights];
  return weights.map((w) => floor + (1 - k * floor) * w);
}

/**
 * The index whose cumulative weight range contains u ∈ [0, 1). Weights are scaled by their sum,
 * and u at or beyond the last boundary (rounding) maps to the last arm with weight, so the result
 * is always a valid index of an arm that can be served. All-zero weights are treated as equal.
 */
export function pickWeighted(weights: readonly number[], u: number): number {
  if (weights.length === 0) throw new RangeError("pickWeighted needs at least one weight");
  const point = u > 0 ? Math.min(u, 1) : 0;
  const total = weights.reduce((sum, w) => sum + Math.max(0, w), 0);
  if (!(total > 0)) return Math.min(weights.length - 1, Math.floor(point * weights.length));
  const target = point * total;
  let cumulative = 0;
  let lastServable = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = Math.max(0, weights[i] ?? 0);
    if (w === 0) continue;
    cumulative += w;
    lastServable = i;
    if (target < cumulative) return i;
  }
  return lastServable;
}

/**
 * The arm for one request. Known users are placed by hashUnit(experimentId, userId), so they
 * keep their arm across requests for as long as no boundary between the weights moves past
 * their point; anonymous requests use `random`.
 */
export function pickArm(plan: AllocationPlan, userId: string | null, random: Rng): number {
  const u = userId ? hashUnit(plan.experimentId, userId) : random();
  return pickWeighted(plan.weights, u);
}

/**
 * Whether the request belongs to the holdout. The hash is seeded with `experimentId:holdout`,
 * independent of pickArm's, so being held out does not depend on the point that picks the arm.
 */
export function inHoldout(plan: AllocationPlan, userId: string | null, random: Rng): boolean {
  if (!(plan.holdoutShare > 0)) return false;
  const u = userId ? hashUnit(`${plan.experimentId}:holdout`, userId) : random();
  return u < plan.holdoutShare;
}
