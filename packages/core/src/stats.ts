/** Parameters of a Beta distribution, e.g. a conversion-rate posterior. */
export interface BetaParams {
  alpha: number;
  beta: number;
}

/** A two-sided interval. */
export interface Interval {
  low: number;
  high: number;
}

/** A test statistic with its two-sided p-value. */
export interface ZTest {
  z: number;
  pValue: number;
}

/** Pearson's χ² goodness-of-fit result. */
export interface ChiSquareTest {
  chi2: number;
  df: number;
  pValue: number;
}

/** Impressions served while one set of allocation weights was in force. */
export interface WeightPeriod {
  total: number;
  weights: readonly number[];
}

/** Monte Carlo estimates over a set of posteriors, one entry per arm. */
export interface BestArmEstimate {
  pBest: number[];
  expectedLoss: number[];
}

// ---------------------------------------------------------------------------------------------
// Special functions

// Stirling's series is accurate to double precision once x ≥ 10; smaller arguments are shifted
// up with Γ(x) = Γ(x + n) / (x (x + 1) … (x + n − 1)). The coefficients are B₂ₖ / (2k (2k − 1)).
const STIRLING_MIN_X = 10;
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0. */
export function lgamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let shift = 0;
  let product = 1;
  for (; x + shift < STIRLING_MIN_X; shift++) product *= x + shift;
  const y = x + shift;
  const inverseSquare = 1 / (y * y);
  let correction = 0;
  for (let k = STIRLING.length - 1; k >= 0; k--) correction = correction * inverseSquare + (STIRLING[k] ?? 0);
  return (y - 0.5) * Math.log(y) - y + HALF_LOG_TWO_PI + correction / y - Math.log(product);
}

/** ln B(a, b), the log of the Beta function. */
export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

const GAMMA_EPS = 1e-15;
const GAMMA_MAX_ITERATIONS = 100_000;
const TINY = 1e-300;

/** x^a e^(−x) / Γ(a), the factor shared by both expansions of the incomplete gamma function. */
function gammaPrefactor(a: number, x: number): number {
  return Math.exp(a * Math.log(x) - x - lgamma(a));
}

// Power series for P(a, x); converges quickly for x < a + 1 (Numerical Recipes §6.2).
function gammaPSeries(a: number, x: number): number {
  let denominator = a;
  let term = 1 / a;
  let sum = term;
  for (let n = 0; n < GAMMA_MAX_ITERATIONS; n++) {
    denominator += 1;
    term *= x / denominator;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * GAMMA_EPS) break;
  }
  return sum * gammaPrefactor(a, x);
}

// Continued fraction for Q(a, x) by the modified Lentz method; converges quickly for x ≥ a + 1
// and keeps full relative precision deep in the tail, where 1 − P would round to zero.
function gammaQContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let fraction = d;
  for (let i = 1; i < GAMMA_MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    fraction *= delta;
    if (Math.abs(delta - 1) < GAMMA_EPS) break;
  }
  return fraction * gammaPrefactor(a, x);
}

/** Regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a), for a > 0. */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  return x < a + 1 ? gammaPSeries(a, x) : 1 - gammaQContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x), for a > 0. */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x);
}

/** P(X > x) for X ~ χ²(df). */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`chi-square needs df > 0, got ${df}`);
  return regularizedGammaQ(df / 2, x / 2);
}

// ---------------------------------------------------------------------------------------------
// Normal distribution

/** Standard normal CDF Φ(z); the lower tail keeps full relative precision (Φ(−8) ≈ 6.2e−16). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  // Φ(z) = erfc(−z/√2) / 2 and erfc(t) = Q(1/2, t²), so the tail comes from the continued
  // fraction without cancellation; the series handles the center.
  const tail = 0.5 * regularizedGammaQ(0.5, (z * z) / 2);
  return z < 0 ? tail : 1 - tail;
}

/** Two-sided p-value of a standard normal statistic. */
export function twoSidedPValue(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

// Acklam's rational approximation (relative error 1.15e-9), refined below by one Halley step.
const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const ACKLAM_B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
];
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const ACKLAM_LOW = 0.02425;

function polynomial(coefficients: readonly number[], x: number): number {
  let result = 0;
  for (const c of coefficients) result = result * x + c;
  return result;
}

// Lower half only (p ≤ 1/2): the caller mirrors the upper half, where 1 − p is exact.
function acklamLowerHalf(p: number): number {
  if (p < ACKLAM_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return polynomial(ACKLAM_C, q) / (polynomial(ACKLAM_D, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (polynomial(ACKLAM_A, r) * q) / (polynomial(ACKLAM_B, r) * r + 1);
}

/** Standard normal quantile Φ⁻¹(p) for p in (0, 1); ±Infinity at 0 and 1. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p > 0.5) return -normalQuantile(1 - p);
  const x = acklamLowerHalf(p);
  const error = normalCdf(x) - p;
  const u = error * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

// ---------------------------------------------------------------------------------------------
// Frequentist tests

/** Φ⁻¹(0.975), the z of a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/**
 * Wilson score interval for a binomial proportion (no continuity correction). Unlike the
 * textbook p ± z·se it never leaves [0, 1] and stays sensible at 0 or n successes.
 * With no trials it returns the uninformative {0, 1}.
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval {
  if (!(trials > 0)) return { low: 0, high: 1 };
  const p = clamp(successes / trials, 0, 1);
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, center - halfWidth), high: Math.min(1, center + halfWidth) };
}

/**
 * Two-sided two-proportion z-test with the pooled standard error; z = (p₂ − p₁) / se, so z > 0
 * when the second group converts better. With no variance to test (no trials, or every trial
 * a success, or none) it returns z = 0 and p = 1 rather than NaN.
 */
export function twoProportionZTest(s1: number, n1: number, s2: number, n2: number): ZTest {
  if (!(n1 > 0 && n2 > 0)) return { z: 0, pValue: 1 };
  const pooled = (s1 + s2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { z: 0, pValue: 1 };
  const z = (s2 / n2 - s1 / n1) / se;
  return { z, pValue: twoSidedPValue(z) };
}

/**
 * Holm–Bonferroni adjusted p-values, in the input order: the i-th smallest p is multiplied by
 * (m − i), a running maximum keeps the adjusted values monotone, and they are capped at 1.
 * Controls the family-wise error rate across all comparisons with the control.
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m).fill(1);
  let runningMax = 0;
  order.forEach(({ p, index }, rank) => {
    runningMax = Math.max(runningMax, Math.min(1, (m - rank) * p));
    adjusted[index] = runningMax;
  });
  return adjusted;
}

/**
 * Sample ratio mismatch test: Pearson's χ² of observed impressions per arm against the counts
 * the allocation plan should have produced. `expected` are counts; they are rescaled to the
 * observed total first, because impressions still in flight make the two totals differ slightly
 * and the question is only whether the split matches. Arms expected to get nothing and that got
 * nothing are left out; an arm that got impressions it should never have had makes p = 0.
 */
export function srmTest(observed: readonly number[], expected: readonly number[]): ChiSquareTest {
  if (observed.length !== expected.length) {
    throw new RangeError(
      `srmTest needs one expected count per arm (${observed.length} vs ${expected.length})`,
    );
  }
  const arms = observed
    .map((o, i) => ({ o: Math.max(0, o), e: Math.max(0, expected[i] ?? 0) }))
    .filter(({ o, e }) => o > 0 || e > 0);
  const df = Math.max(0, arms.length - 1);
  if (arms.some(({ o, e }) => e === 0 && o > 0)) return { chi2: Number.POSITIVE_INFINITY, df, pValue: 0 };
  const observedTotal = sum(arms.map(({ o }) => o));
  if (df === 0 || observedTotal === 0) return { chi2: 0, df, pValue: 1 };
  const scale = observedTotal / sum(arms.map(({ e }) => e));
  const chi2 = sum(arms.map(({ o, e }) => (o - e * scale) ** 2 / (e * scale)));
  return { chi2, df, pValue: chiSquareSurvival(chi2, df) };
}

/**
 * Expected impressions per arm over a series of allocation periods: Σ total × share. Each
 * period's weights are normalized first, as stored weights are rounded and need not sum to 1.
 */
export function expectedCounts(periods: readonly WeightPeriod[]): number[] {
  const arms = Math.max(0, ...periods.map((p) => p.weights.length));
  const counts = new Array<number>(arms).fill(0);
  for (const { total, weights } of periods) {
    const weightSum = sum(weights.map((w) => Math.max(0, w)));
    if (!(weightSum > 0)) continue;
    weights.forEach((w, i) => {
      counts[i] = (counts[i] ?? 0) + (total * Math.max(0, w)) / weightSum;
    });
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Bayesian comparisons

/** The Beta(1 + successes, 1 + failures) posterior under a uniform prior; counts are clamped. */
export function betaPosterior(impressions: number, successes: number): BetaParams {
  const n = Math.max(0, impressions);
  const s = clamp(successes, 0, n);
  return { alpha: 1 + s, beta: 1 + n - s };
}

// Evan Miller's closed form (https://www.evanmiller.org/bayesian-ab-testing.html) needs one
// term per unit of an integer parameter; beyond this the normal approximation is excellent.
const MAX_EXACT_TERMS = 20_000;

function swapSuccessFailure(p: BetaParams): BetaParams {
  return { alpha: p.beta, beta: p.alpha };
}

// P(X_b > X_a) = Σ_{i<α_b} B(α_a + i, β_a + β_b) / ((β_b + i) B(1 + i, β_b) B(α_a, β_a)), in log
// space because the Beta functions underflow long before the terms do.
function millerSum(a: BetaParams, b: BetaParams): number {
  const lbetaA = lbeta(a.alpha, a.beta);
  let total = 0;
  for (let i = 0; i < b.alpha; i++) {
    total += Math.exp(
      lbeta(a.alpha + i, a.beta + b.beta) - Math.log(b.beta + i) - lbeta(1 + i, b.beta) - lbetaA,
    );
  }
  return total;
}

function normalApproxChanceToBeat(a: BetaParams, b: BetaParams): number {
  const mean = (p: BetaParams) => p.alpha / (p.alpha + p.beta);
  const variance = (p: BetaParams) => {
    const n = p.alpha + p.beta;
    return (p.alpha * p.beta) / (n * n * (n + 1));
  };
  return normalCdf((mean(b) - mean(a)) / Math.sqrt(variance(a) + variance(b)));
}

/**
 * P(θ_b > θ_a) for independent θ_a ~ Beta(a), θ_b ~ Beta(b), in closed form. The sum runs over
 * whichever integer parameter is smallest (the same probability can be written over α_a, α_b,
 * β_a or β_b by symmetry), which for conversion rates is usually the successes; when even that
 * would need more than 20,000 terms, or no parameter is an integer, it uses the normal
 * approximation.
 */
export function chanceToBeat(a: BetaParams, b: BetaParams): number {
  const forms = [
    { terms: b.alpha, value: () => millerSum(a, b) },
    { terms: a.alpha, value: () => 1 - millerSum(b, a) },
    { terms: a.beta, value: () => millerSum(swapSuccessFailure(b), swapSuccessFailure(a)) },
    { terms: b.beta, value: () => 1 - millerSum(swapSuccessFailure(a), swapSuccessFailure(b)) },
  ].filter(({ terms }) => Number.isInteger(terms) && terms <= MAX_EXACT_TERMS);
  const shortest = forms.sort((x, y) => x.terms - y.terms)[0];
  return clamp(shortest ? shortest.value() : normalApproxChanceToBeat(a, b), 0, 1);
}

// ---------------------------------------------------------------------------------------------

function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
