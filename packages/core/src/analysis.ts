import {
  betaPosterior,
  chanceToBeat,
  holm,
  type Interval,
  srmTest,
  twoProportionZTest,
  wilsonInterval,
} from "./stats";
import { monteCarloBest } from "./stats-montecarlo";
import { quadratureBest } from "./stats-quadrature";

/** Impressions and successes (e.g. clicks) of one arm of an experiment. */
export interface ArmCounts {
  id: string;
  control: boolean;
  impressions: number;
  successes: number;
}

/** Impressions and successes of a group without an id, such as the holdout. */
export interface RateCounts {
  impressions: number;
  successes: number;
}

/** Thresholds of the analysis; every field has a default. */
export interface AnalysisConfig {
  /** Impressions every arm needs before any decision other than `collecting` (default 100). */
  minSample?: number;
  /** Family-wise significance level of the comparisons with the control, two-sided, after Holm (0.05). */
  alpha?: number;
  /** P(best) an arm needs to be declared the winner (0.95). */
  winProbability?: number;
  /** Expected loss (absolute rate) below which every arm must be for them to count as equivalent (0.001). */
  noDifferenceLoss?: number;
  /**
   * Monte Carlo draws for P(best) and expected loss where quadrature does not apply (a posterior
   * shape below 1, never under the uniform prior); raised to at least 10,000.
   */
  draws?: number;
  /** Monte Carlo seed of that fallback, fixed so the same counts always give the same numbers (1). */
  seed?: number;
  /** Significance level of the sample ratio mismatch test (0.001). */
  srmAlpha?: number;
}

/** Everything `analyzeExperiment` needs. */
export interface AnalysisInput {
  arms: readonly ArmCounts[];
  holdout?: RateCounts | null;
  /** Observed impressions per arm and the counts the allocation plan implies (see expectedCounts). */
  srm?: { observed: readonly number[]; expected: readonly number[] } | null;
  config?: AnalysisConfig;
}

/** How a challenger compares with the control. */
export interface ControlComparison {
  /** Relative change of the rate, (p − p_control) / p_control; null when the control rate is 0. */
  uplift: number | null;
  /** Pooled two-proportion z; positive when the challenger converts better. */
  z: number;
  pValue: number;
  /** Holm-adjusted across all challengers. */
  pValueHolm: number;
  /** Posterior P(θ_arm > θ_control). */
  chanceToBeat: number;
}

/** The analysis of one arm. */
export interface ArmAnalysis {
  id: string;
  control: boolean;
  impressions: number;
  successes: number;
  rate: number;
  ci95: Interval;
  /** Null for the control. */
  vsControl: ControlComparison | null;
  /** Relative change against the holdout; null without a holdout or when its rate is 0. */
  upliftVsHoldout: number | null;
  pBest: number;
  expectedLoss: number;
  /** At least minSample impressions, and more than 5 successes and more than 5 failures. */
  guardsMet: boolean;
}

/** The holdout group: users who got no experimental copy at all. */
export interface HoldoutAnalysis extends RateCounts {
  rate: number;
  ci95: Interval;
}

/** The sample ratio mismatch check. */
export interface SrmAnalysis {
  chi2: number;
  df: number;
  pValue: number;
  alarm: boolean;
}

export type DecisionStatus = "collecting" | "underpowered" | "srm_alarm" | "winner" | "no_difference";

/** What the numbers say to do, with one readable sentence explaining why. */
export interface Decision {
  status: DecisionStatus;
  variantId: string | null;
  reason: string;
}

/** The per-experiment analysis served by the API and used by the optimization loop. */
export interface ExperimentAnalysis {
  arms: ArmAnalysis[];
  holdout: HoldoutAnalysis | null;
  srm: SrmAnalysis | null;
  decision: Decision;
}

export const DEFAULT_ANALYSIS_CONFIG: Readonly<Required<AnalysisConfig>> = {
  minSample: 100,
  alpha: 0.05,
  winProbability: 0.95,
  noDifferenceLoss: 0.001,
  draws: 10_000,
  seed: 1,
  srmAlpha: 0.001,
};

// Below this P(best) has a standard error above 0.005, too coarse next to a 0.95 threshold.
const MIN_DRAWS = 10_000;
// The usual rule for the normal approximation behind the z-test and the Wilson interval.
const MIN_EXPECTED_OUTCOMES = 5;

/**
 * Analyses an A/B(/n) experiment: per-arm rates with Wilson 95% intervals, pooled z-tests of
 * every challenger against the control with Holm-adjusted p-values, Bayesian chance to beat the
 * control, P(best) and expected loss (by quadrature, see quadratureBest) under Beta(1 + successes,
 * 1 + failures) posteriors, uplift against an optional holdout, a sample ratio mismatch check, and a decision.
 *
 * The control is the first arm flagged `control` (the first arm if none is). The decision is the
 * first rule that applies:
 * 1. `srm_alarm`: the SRM test rejects at srmAlpha (0.001). The split of traffic does not match
 *    the allocation plan, so the counts cannot be trusted, whatever they say.
 * 2. `collecting`: there is only one arm (nothing to compare), or some arm has fewer than
 *    minSample (100) impressions.
 * 3. `underpowered`: some arm fails the minimum-sample guard: it needs n·p > 5 and n·(1 − p) > 5
 *    (more than 5 successes and more than 5 failures). No winner is ever declared below it.
 * 4. `winner`: the arm with the highest P(best) has P(best) ≥ winProbability (0.95) and either
 *    it is a challenger whose rate is above the control's with a Holm-adjusted p < alpha (0.05),
 *    or it is the control and every challenger is below it with Holm-adjusted p < alpha.
 * 5. `no_difference`: no winner, and every arm's expected loss E[max θ − θ_arm] is below
 *    noDifferenceLoss (0.001 absolute): whichever arm is kept, it gives up less than that much
 *    rate in expectation, so the arms are equivalent for practical purposes. (Checking only the
 *    leader's loss would call a clear leader that is not yet significant "no difference".)
 * 6. `underpowered` otherwise: the arms may differ, but there is not yet enough evidence.
 */
export function analyzeExperiment(input: AnalysisInput): ExperimentAnalysis {
  const config = resolveConfig(input.config);
  const counts = input.arms.map((arm) => ({ ...arm, ...sanitizeCounts(arm) }));
  const controlIndex = Math.max(
    0,
    counts.findIndex((arm) => arm.control),
  );
  const comparisons = compareWithControl(counts, controlIndex);
  const posteriors = counts.map((arm) => betaPosterior(arm.impressions, arm.successes));
  // Quadrature: deterministic, errors below 1e-5 where 10,000 draws have up to 0.005, and a
  // fraction of the time (the experiment page and GET /v1/stats run this on every request).
  const best = quadratureBest(posteriors) ?? monteCarloBest(posteriors, config.draws, config.seed);
  const holdout = input.holdout ? analyzeHoldout(input.holdout) : null;
  const arms = counts.map(
    (arm, i): ArmAnalysis => ({
      id: arm.id,
      control: i === controlIndex,
      impressions: arm.impressions,
      successes: arm.successes,
      rate: rateOf(arm),
      ci95: wilsonInterval(arm.successes, arm.impressions),
      vsControl: comparisons[i] ?? null,
      upliftVsHoldout: holdout ? relativeChange(rateOf(arm), holdout.rate) : null,
      pBest: best.pBest[i] ?? 0,
      expectedLoss: best.expectedLoss[i] ?? 0,
      guardsMet: meetsGuards(arm, config.minSample),
    }),
  );
  const srm = input.srm ? analyzeSrm(input.srm, config.srmAlpha) : null;
  return { arms, holdout, srm, decision: decide(arms, srm, config) };
}

function resolveConfig(config: AnalysisConfig = {}): Required<AnalysisConfig> {
  const d = DEFAULT_ANALYSIS_CONFIG;
  return {
    minSample: config.minSample ?? d.minSample,
    alpha: config.alpha ?? d.alpha,
    winProbability: config.winProbability ?? d.winProbability,
    noDifferenceLoss: config.noDifferenceLoss ?? d.noDifferenceLoss,
    draws: Math.max(MIN_DRAWS, config.draws ?? d.draws),
    seed: config.seed ?? d.seed,
    srmAlpha: config.srmAlpha ?? d.srmAlpha,
  };
}

// Counters are written by different consumers, so a few successes can be counted before their
// impressions; the statistics need 0 ≤ successes ≤ impressions.
function sanitizeCounts({ impressions, successes }: RateCounts): RateCounts {
  const n = Math.max(0, impressions);
  return { impressions: n, successes: Math.min(n, Math.max(0, successes)) };
}

function rateOf({ impressions, successes }: RateCounts): number {
  return impressions > 0 ? successes / impressions : 0;
}

function relativeChange(rate: number, baseline: number): number | null {
  return baseline > 0 ? (rate - baseline) / baseline : null;
}

function meetsGuards(arm: RateCounts, minSample: number): boolean {
  const failures = arm.impressions - arm.successes;
  return (
    arm.impressions >= minSample && arm.successes > MIN_EXPECTED_OUTCOMES && failures > MIN_EXPECTED_OUTCOMES
  );
}

function compareWithControl(arms: readonly RateCounts[], controlIndex: number): (ControlComparison | null)[] {
  const control = arms[controlIndex];
  if (!control) return [];
  const tests = arms.map((arm) =>
    twoProportionZTest(control.successes, control.impressions, arm.successes, arm.impressions),
  );
  const challengers = arms.map((_, i) => i).filter((i) => i !== controlIndex);
  const adjusted = holm(challengers.map((i) => tests[i]?.pValue ?? 1));
  const controlPosterior = betaPosterior(control.impressions, control.successes);
  return arms.map((arm, i) => {
    const rank = challengers.indexOf(i);
    if (rank < 0) return null;
    const test = tests[i];
    if (!test) return null;
    return {
      uplift: relativeChange(rateOf(arm), rateOf(control)),
      z: test.z,
      pValue: test.pValue,
      pValueHolm: adjusted[rank] ?? 1,
      chanceToBeat: chanceToBeat(controlPosterior, betaPosterior(arm.impressions, arm.successes)),
    };
  });
}

function analyzeHoldout(holdout: RateCounts): HoldoutAnalysis {
  const counts = sanitizeCounts(holdout);
  return { ...counts, rate: rateOf(counts), ci95: wilsonInterval(counts.successes, counts.impressions) };
}

function analyzeSrm(srm: NonNullable<AnalysisInput["srm"]>, srmAlpha: number): SrmAnalysis {
  const result = srmTest(srm.observed, srm.expected);
  return { ...result, alarm: result.pValue < srmAlpha };
}

// ---------------------------------------------------------------------------------------------
// Decision

function decide(
  arms: readonly ArmAnalysis[],
  srm: SrmAnalysis | null,
  config: Required<AnalysisConfig>,
): Decision {
  if (srm?.alarm) {
    return {
      status: "srm_alarm",
      variantId: null,
      reason: `The traffic split does not match the allocation plan (sample ratio mismatch, p = ${formatP(srm.pValue)}, alarm below ${config.srmAlpha}), so these results cannot be trusted.`,
    };
  }
  if (arms.length < 2) {
    return {
      status: "collecting",
      variantId: null,
      reason:
        arms.length === 0
          ? "There are no arms yet, so there is nothing to compare."
          : "There is only one arm, so there is nothing to compare it with yet.",
    };
  }
  const short = arms.find((arm) => arm.impressions < config.minSample);
  if (short) {
    return {
      status: "collecting",
      variantId: null,
      reason: `Arm ${short.id} has ${short.impressions} of the ${config.minSample} impressions every arm needs before it is compared.`,
    };
  }
  const thin = arms.find((arm) => !arm.guardsMet);
  if (thin) {
    return {
      status: "underpowered",
      variantId: null,
      reason: `Arm ${thin.id} has ${thin.successes} successes in ${thin.impressions} impressions; every arm needs more than ${MIN_EXPECTED_OUTCOMES} successes and ${MIN_EXPECTED_OUTCOMES} failures before the tests are valid.`,
    };
  }
  return findWinner(arms, config) ?? noWinner(arms, config);
}

function leaderOf(arms: readonly ArmAnalysis[]): ArmAnalysis {
  return arms.reduce((best, arm) => (arm.pBest > best.pBest ? arm : best));
}

function findWinner(arms: readonly ArmAnalysis[], config: Required<AnalysisConfig>): Decision | null {
  const leader = leaderOf(arms);
  if (leader.pBest < config.winProbability) return null;
  const control = arms.find((arm) => arm.control);
  if (!control) return null;
  const beatsControl = (arm: ArmAnalysis) =>
    arm.rate > control.rate && (arm.vsControl?.pValueHolm ?? 1) < config.alpha;
  const losesToControl = (arm: ArmAnalysis) =>
    arm.control || (arm.rate < control.rate && (arm.vsControl?.pValueHolm ?? 1) < config.alpha);
  const probability = `P(best) = ${formatPercent(leader.pBest)}`;
  if (!leader.control && beatsControl(leader)) {
    return {
      status: "winner",
      variantId: leader.id,
      reason: `${leader.id} converts at ${formatPercent(leader.rate)} against the control's ${formatPercent(control.rate)} (${probability}, Holm-adjusted p = ${formatP(leader.vsControl?.pValueHolm ?? 1)}).`,
    };
  }
  if (leader.control && arms.every(losesToControl)) {
    return {
      status: "winner",
      variantId: leader.id,
      reason: `The control converts at ${formatPercent(control.rate)} and every challenger is significantly worse after Holm correction (${probability}).`,
    };
  }
  return null;
}

function noWinner(arms: readonly ArmAnalysis[], config: Required<AnalysisConfig>): Decision {
  const leader = leaderOf(arms);
  const worstLoss = Math.max(...arms.map((arm) => arm.expectedLoss));
  if (worstLoss < config.noDifferenceLoss) {
    return {
      status: "no_difference",
      variantId: null,
      reason: `The arms are equivalent: whichever is kept gives up at most ${formatPoints(worstLoss)} of conversion rate in expectation, below the ${formatPoints(config.noDifferenceLoss)} threshold.`,
    };
  }
  return {
    status: "underpowered",
    variantId: null,
    reason: `No winner yet: ${leader.id} leads with P(best) = ${formatPercent(leader.pBest)} (needs ${formatPercent(config.winProbability)} and a significant difference from the control), so more data is needed.`,
  };
}

function formatPercent(x: number): string {
  // 0.9996 must not read as a certain 100.0%.
  if (x > 0.999 && x < 1) return "> 99.9%";
  return `${(x * 100).toFixed(x >= 0.1 ? 1 : 2)}%`;
}

function formatPoints(x: number): string {
  return `${(x * 100).toPrecision(2)} percentage points`;
}

function formatP(p: number): string {
  if (p === 0) return "0";
  return p < 0.001 ? p.toExponential(1) : p.toPrecision(2);
}
