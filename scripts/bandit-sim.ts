// Simulation helpers for scripts/bench-bandit.ts: one experiment per seed, served by three policies
// through the same per-arm outcome streams (common random numbers), so their differences come from
// the policies and not from luck. The edge policy uses the production functions from packages/core.

import { type AllocationPlan, pickArm, thompsonWeights } from "../packages/core/src/bandit";
import { createBetaSampler, createNormalSampler, createRng } from "../packages/core/src/random";

export interface SimulationOptions {
  /** True conversion rate of each arm. */
  rates: readonly number[];
  impressions: number;
  /** Impressions between posterior refreshes: feedback reaches the weights in batches. */
  refreshEvery: number;
  burnIn: number;
  floor: number;
  /** Monte Carlo draws per refresh; undefined uses thompsonWeights' default. */
  draws?: number;
}

export interface RunResult {
  /** Impressions served per arm. */
  pulls: number[];
  /** Σ (p_best − p_chosen) over all impressions. */
  regret: number;
  /** Impressions after burn-in, and how many of them went to the best arm. */
  afterBurnIn: number;
  afterBurnInOnBest: number;
}

export type Policy = (options: SimulationOptions, seed: number) => RunResult;

/** Bernoulli outcomes with one random stream per arm: the n-th impression of an arm always has the same outcome. */
export function createOutcomes(rates: readonly number[], seed: number): (arm: number) => boolean {
  const streams = rates.map((_, arm) => createRng(seed * 1_000 + arm + 1));
  return (arm) => streams[arm]!() < rates[arm]!;
}

function bestArmOf(rates: readonly number[]): number {
  return rates.reduce((best, rate, i) => (rate > rates[best]! ? i : best), 0);
}

/** Keeps the counters every policy needs and the regret bookkeeping. */
function createTally(rates: readonly number[], seed: number) {
  const best = bestArmOf(rates);
  const pull = createOutcomes(rates, seed);
  const arms = rates.map(() => ({ impressions: 0, successes: 0 }));
  const result: RunResult = { pulls: rates.map(() => 0), regret: 0, afterBurnIn: 0, afterBurnInOnBest: 0 };
  return {
    arms,
    result,
    serve(arm: number, afterBurnIn: boolean): void {
      const counts = arms[arm]!;
      counts.impressions++;
      if (pull(arm)) counts.successes++;
      result.pulls[arm]!++;
      result.regret += rates[best]! - rates[arm]!;
      if (afterBurnIn) {
        result.afterBurnIn++;
        if (arm === best) result.afterBurnInOnBest++;
      }
    },
  };
}

/**
 * The production path: weights from thompsonWeights, refreshed every `refreshEvery` impressions,
 * and each impression placed by pickArm with a new user id (the sticky hash). Burn-in ends once a
 * plan was computed with every arm past `burnIn` impressions.
 */
export const edgeThompson: Policy = (options, seed) => {
  const tally = createTally(options.rates, seed);
  const random = createRng(seed);
  const config = { burnIn: options.burnIn, floor: options.floor, draws: options.draws };
  let plan: AllocationPlan = { experimentId: `exp_bench_${seed}`, weights: [], holdoutShare: 0 };
  let planPastBurnIn = false;
  for (let t = 0; t < options.impressions; t++) {
    if (t % options.refreshEvery === 0) {
      plan = { ...plan, weights: thompsonWeights(tally.arms, config) };
      planPastBurnIn = tally.arms.every((arm) => arm.impressions >= options.burnIn);
    }
    tally.serve(pickArm(plan, `user_${seed}_${t}`, random), planPastBurnIn);
  }
  return tally.result;
};

/** Textbook Beta-Bernoulli Thompson sampling: a posterior draw per arm per impression, updated at once. */
export const perImpressionThompson: Policy = (options, seed) => {
  const tally = createTally(options.rates, seed);
  const rng = createRng(seed);
  const normal = createNormalSampler(rng);
  const burnInEnd = options.rates.length * options.burnIn;
  for (let t = 0; t < options.impressions; t++) {
    let chosen = 0;
    let bestDraw = -1;
    tally.arms.forEach((arm, i) => {
      const draw = createBetaSampler(rng, 1 + arm.successes, 1 + arm.impressions - arm.successes, normal)();
      if (draw > bestDraw) {
        bestDraw = draw;
        chosen = i;
      }
    });
    tally.serve(chosen, t >= burnInEnd);
  }
  return tally.result;
};

/** Equal traffic in turn: the regret baseline. */
export const roundRobin: Policy = (options, seed) => {
  const tally = createTally(options.rates, seed);
  const k = options.rates.length;
  for (let t = 0; t < options.impressions; t++) tally.serve(t % k, t >= k * options.burnIn);
  return tally.result;
};

/** The q-quantile with linear interpolation between order statistics (numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

export interface Spread {
  p10: number;
  median: number;
  p90: number;
}

export function spread(values: readonly number[]): Spread {
  return { p10: quantile(values, 0.1), median: quantile(values, 0.5), p90: quantile(values, 0.9) };
}

export interface PolicySummary {
  bestShareAfterBurnIn: Spread;
  regret: Spread;
  regretVsRoundRobin: Spread;
}

/** Runs every policy on the same seeds and summarizes each over the seeds. */
export function compare(
  policies: Readonly<Record<string, Policy>>,
  options: SimulationOptions,
  seeds: readonly number[],
): Record<string, PolicySummary> {
  const baseline = seeds.map((seed) => roundRobin(options, seed).regret);
  const summaries: Record<string, PolicySummary> = {};
  for (const [name, policy] of Object.entries(policies)) {
    const runs = seeds.map((seed) => policy(options, seed));
    summaries[name] = {
      bestShareAfterBurnIn: spread(runs.map((r) => r.afterBurnInOnBest / r.afterBurnIn)),
      regret: spread(runs.map((r) => r.regret)),
      regretVsRoundRobin: spread(runs.map((r, i) => r.regret / baseline[i]!)),
    };
  }
  return summaries;
}
