import { describe, expect, it } from "vitest";
import {
  betaPosterior,
  chanceToBeat,
  chiSquareSurvival,
  expectedCounts,
  holm,
  lgamma,
  normalCdf,
  normalQuantile,
  regularizedGammaP,
  regularizedGammaQ,
  srmTest,
  twoProportionZTest,
  wilsonInterval,
  Z_95,
} from "../src/stats";
import { monteCarloBest } from "../src/stats-montecarlo";

// Reference values below were computed with Python 3 and scipy 1.17.1; each block names the call.

function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

describe("special functions", () => {
  it.each([
    // scipy.special.gammaln(x)
    [0.5, 0.5723649429247],
    [1, 0],
    [1.5, -0.12078223763524526],
    [3.7, 1.428072326665388],
    [10, 12.801827480081469],
    [101, 363.73937555556347],
    [1e5, 1051287.7089736569],
  ])("lgamma(%d)", (x, expected) => {
    expect(Math.abs(lgamma(x) - expected)).toBeLessThan(1e-13 * Math.max(1, Math.abs(expected)));
  });

  it.each([
    // scipy.special.gammainc(a, x) and scipy.special.gammaincc(a, x)
    [0.5, 0.1, 0.34527915398142317, 0.6547208460185768],
    [2.5, 3, 0.6937810815867212, 0.30621891841327875],
    [49.5, 60, 0.9257561441940332, 0.07424385580596692],
    [10, 40, 0.9999999960740678, 3.925932226286184e-9],
    [500, 450, 0.01071723809128973, 0.9892827619087102],
  ])("regularized gamma P and Q at a = %d, x = %d", (a, x, p, q) => {
    expect(relativeError(regularizedGammaP(a, x), p)).toBeLessThan(1e-10);
    expect(relativeError(regularizedGammaQ(a, x), q)).toBeLessThan(1e-10);
  });

  it.each([
    // scipy.stats.chi2.sf(x, df)
    [3.84, 1, 0.05004352124870519],
    [120, 99, 0.07424385580596692],
    [10, 3, 0.01856613546304325],
    [50, 2, 1.3887943864964e-11],
    [300, 200, 5.924540335483916e-6],
    [200, 10, 1.6139305336977317e-37],
  ])("chiSquareSurvival(%d, %d)", (x, df, expected) => {
    expect(relativeError(chiSquareSurvival(x, df), expected)).toBeLessThan(1e-10);
  });

  it("chiSquareSurvival is 1 at 0 and rejects df ≤ 0", () => {
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(() => chiSquareSurvival(1, 0)).toThrow(RangeError);
  });
});

describe("normal distribution", () => {
  it.each([
    // scipy.stats.norm.cdf(z)
    [-8, 6.22096057427174e-16],
    [-3, 0.0013498980316300933],
    [-1.96, 0.024997895148220435],
    [-0.5, 0.3085375387259869],
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [1.96, 0.9750021048517795],
    [3, 0.9986501019683699],
  ])("normalCdf(%d)", (z, expected) => {
    // Relative error, so the far tail (p-values of huge z) is held to the same standard.
    expect(relativeError(normalCdf(z), expected)).toBeLessThan(1e-12);
  });

  it.each([
    // scipy.stats.norm.ppf(p)
    [1e-10, -6.361340902404056],
    [0.001, -3.090232306167813],
    [0.025, -1.9599639845400545],
    [0.3, -0.5244005127080409],
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.999, 3.090232306167813],
  ])("normalQuantile(%d)", (p, expected) => {
    expect(Math.abs(normalQuantile(p) - expected)).toBeLessThan(1e-12);
  });

  it("Z_95 is the 97.5% quantile", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(Z_95, 14);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("wilsonInterval", () => {
  it("matches Newcombe (1998), method 3, for 81/263", () => {
    // Newcombe RG, Stat Med 1998;17:857–872, Table I: 0.2553 to 0.3662.
    const { low, high } = wilsonInterval(81, 263);
    expect(low).toBeCloseTo(0.2553, 4);
    expect(high).toBeCloseTo(0.3662, 4);
  });

  it.each([
    // scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    [81, 263, 0.2552885198782742, 0.36620957698280004],
    [0, 10, 0, 0.27753279986288926],
    [10, 10, 0.7224672001371109, 1],
    [3, 1000, 0.0010207838811386186, 0.008783014053503173],
    [50, 100, 0.4038315303659956, 0.5961684696340044],
  ])("%d of %d", (k, n, low, high) => {
    const ci = wilsonInterval(k, n);
    expect(ci.low).toBeCloseTo(low, 12);
    expect(ci.high).toBeCloseTo(high, 12);
  });

  it("is {0, 1} with no trials", () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe("twoProportionZTest", () => {
  it.each([
    // z² and p from scipy.stats.chi2_contingency([[s1, n1 - s1], [s2, n2 - s2]], correction=False),
    // which equals the pooled two-proportion z-test; the sign of z is that of p2 − p1.
    [120, 5000, 150, 5000, 1.8508999875628775, 0.06418394255379394],
    [30, 1000, 50, 1000, 2.282177322938192, 0.022478873366125276],
    [50, 1000, 30, 1000, -2.282177322938192, 0.022478873366125276],
    [10, 200, 14, 350, -0.5522451008904845, 0.5807804380998678],
  ])("%d/%d vs %d/%d", (s1, n1, s2, n2, z, p) => {
    const result = twoProportionZTest(s1, n1, s2, n2);
    expect(result.z).toBeCloseTo(z, 12);
    expect(relativeError(result.pValue, p)).toBeLessThan(1e-10);
  });

  it("returns z = 0 and p = 1 when there is no variance to test", () => {
    expect(twoProportionZTest(0, 100, 0, 100)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(100, 100, 50, 50)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(0, 0, 5, 10)).toEqual({ z: 0, pValue: 1 });
  });
});

describe("holm", () => {
  // statsmodels multipletests(method="holm") semantics, worked by hand (statsmodels is not
  // installed): sort, multiply the i-th smallest (0-based) by m − i, running maximum, cap at 1,
  // restore the input order.
  it("adjusts step-down and keeps the input order", () => {
    // sorted 0.005, 0.01, 0.03, 0.04 × 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 → max-accumulate.
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((expected, i) => {
      expect(adjusted[i]).toBeCloseTo(expected, 15);
    });
  });

  it("caps at 1 and stays monotone", () => {
    // sorted 0.2, 0.5, 0.9 × 3, 2, 1 = 0.6, 1.0, 0.9 → 0.6, 1, 1.
    const adjusted = holm([0.5, 0.2, 0.9]);
    expect(adjusted[0]).toBe(1);
    expect(adjusted[1]).toBeCloseTo(0.6, 15);
    expect(adjusted[2]).toBe(1);
  });

  it("leaves a single p-value alone and handles none", () => {
    expect(holm([0.03])).toEqual([0.03]);
    expect(holm([])).toEqual([]);
  });
});

describe("srmTest", () => {
  it.each([
    // scipy.stats.chisquare(f_obs, f_exp)
    [[5100, 4900], [5000, 5000], 4, 0.04550026389635857],
    [[1150, 1370, 1480], [1100, 1400, 1500], 3.1822510822510823, 0.20369621419405579],
    [[5400, 4600], [5000, 5000], 64, 1.2441921148543578e-15],
  ])("χ² of %j against %j", (observed, expected, chi2, p) => {
    const result = srmTest(observed, expected);
    expect(result.chi2).toBeCloseTo(chi2, 10);
    expect(result.df).toBe(observed.length - 1);
    expect(relativeError(result.pValue, p)).toBeLessThan(1e-9);
  });

  it("rescales expected counts to the observed total", () => {
    expect(srmTest([5100, 4900], [0.5, 0.5]).chi2).toBeCloseTo(4, 10);
  });

  it("drops arms expected and observed at zero, and fails arms that should have had nothing", () => {
    expect(srmTest([5100, 0, 4900], [5000, 0, 5000])).toMatchObject({ df: 1 });
    expect(srmTest([5100, 0, 4900], [5000, 0, 5000]).chi2).toBeCloseTo(4, 10);
    expect(srmTest([5000, 3, 4997], [5000, 0, 5000])).toMatchObject({ pValue: 0 });
  });

  it("has nothing to test with one arm or no impressions", () => {
    expect(srmTest([100], [100])).toEqual({ chi2: 0, df: 0, pValue: 1 });
    expect(srmTest([0, 0], [50, 50])).toEqual({ chi2: 0, df: 1, pValue: 1 });
  });
});

describe("expectedCounts", () => {
  it("sums total × share over the periods", () => {
    const counts = expectedCounts([
      { total: 1000, weights: [0.5, 0.5, 0] },
      { total: 3000, weights: [0.2, 0.3, 0.5] },
    ]);
    [1100, 1400, 1500].forEach((expected, i) => {
      expect(counts[i]).toBeCloseTo(expected, 9);
    });
  });

  it("normalizes rounded weights and pads arms added later", () => {
    const counts = expectedCounts([
      { total: 999, weights: [0.3333, 0.3333, 0.3333] },
      { total: 100, weights: [0.5, 0.5] },
    ]);
    [383, 383, 333].forEach((expected, i) => {
      expect(counts[i]).toBeCloseTo(expected, 9);
    });
    expect(expectedCounts([])).toEqual([]);
  });
});

describe("chanceToBeat", () => {
  it.each([
    // P(θ_b > θ_a) = scipy.integrate.quad(lambda x: beta.pdf(x, *b) * beta.cdf(x, *a), lo, hi),
    // lo/hi the 1e-12 tails of both posteriors. Each row exercises a different closed form.
    [{ alpha: 51, beta: 951 }, { alpha: 71, beta: 931 }, 0.9698531786991799],
    [{ alpha: 3, beta: 40 }, { alpha: 2, beta: 60 }, 0.18370492674624417],
    [{ alpha: 51, beta: 951 }, { alpha: 41, beta: 961 }, 0.14161851775057457], // sum over α_b
    [{ alpha: 41, beta: 961 }, { alpha: 51, beta: 951 }, 0.8583814822494253], // over α_a
    [{ alpha: 951, beta: 41 }, { alpha: 931, beta: 61 }, 0.02029594607498247], // over β_a
    [{ alpha: 951, beta: 61 }, { alpha: 931, beta: 41 }, 0.9670955919353623], // over β_b
    [{ alpha: 31, beta: 971 }, { alpha: 51, beta: 951 }, 0.9886270487330894],
    [{ alpha: 1, beta: 1 }, { alpha: 1, beta: 1 }, 0.5],
  ])("closed form for %j vs %j", (a, b, expected) => {
    expect(chanceToBeat(a, b)).toBeCloseTo(expected, 10);
  });

  it.each([
    // Same scipy integral. Every parameter > 20,000, or none an integer: normal approximation.
    [{ alpha: 30001, beta: 30001 }, { alpha: 30100, beta: 29902 }, 0.716194189596304],
    [{ alpha: 200.5, beta: 800.5 }, { alpha: 220.5, beta: 780.5 }, 0.863898024144697],
  ])("normal approximation for %j vs %j", (a, b, expected) => {
    expect(chanceToBeat(a, b)).toBeCloseTo(expected, 3);
  });
});

describe("monteCarloBest", () => {
  const arms = [
    { alpha: 51, beta: 951 },
    { alpha: 71, beta: 931 },
    { alpha: 61, beta: 941 },
  ];

  it("agrees with numerical integration", () => {
    // pBest[i] = quad(lambda x: beta.pdf(x, *arm_i) * prod(beta.cdf(x, *arm_j) for j != i), 0, 0.2);
    // expectedLoss[i] = quad(lambda x: 1 - prod(beta.cdf(x, *arm)), 0, 0.2) − mean_i.
    const pBest = [0.017799363687372154, 0.8043198323988587, 0.17788080391376854];
    const expectedLoss = [0.021130355865158504, 0.0011702760248391425, 0.011150315944998823];
    const estimate = monteCarloBest(arms, 10_000, 1);
    // 4 standard errors of a proportion at 10,000 draws is at most 0.02; the losses are tighter.
    pBest.forEach((p, i) => {
      expect(Math.abs(estimate.pBest[i]! - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / 10_000));
    });
    expectedLoss.forEach((loss, i) => {
      expect(Math.abs(estimate.expectedLoss[i]! - loss)).toBeLessThan(0.0005);
    });
    expect(estimate.pBest.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("is deterministic for a seed", () => {
    expect(monteCarloBest(arms, 2_000, 9)).toEqual(monteCarloBest(arms, 2_000, 9));
    expect(monteCarloBest(arms, 2_000, 9)).not.toEqual(monteCarloBest(arms, 2_000, 10));
  });

  it("handles no arms", () => {
    expect(monteCarloBest([])).toEqual({ pBest: [], expectedLoss: [] });
  });
});

describe("betaPosterior", () => {
  it("is Beta(1 + successes, 1 + failures), with impossible counts clamped", () => {
    expect(betaPosterior(100, 7)).toEqual({ alpha: 8, beta: 94 });
    expect(betaPosterior(10, 12)).toEqual({ alpha: 11, beta: 1 });
    expect(betaPosterior(-3, -1)).toEqual({ alpha: 1, beta: 1 });
  });
});
