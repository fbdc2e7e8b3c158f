import { describe, expect, it } from "vitest";
import { type ArmCounts, analyzeExperiment } from "../src/analysis";

function arm(id: string, impressions: number, successes: number, control = false): ArmCounts {
  return { id, control, impressions, successes };
}

describe("analyzeExperiment numbers", () => {
  // Control 100/5000, b 140/5000, c 95/5000, holdout 30/2000. References from scipy 1.17.1:
  // rates and intervals: scipy.stats.binomtest(s, n).proportion_ci(method="wilson");
  // z and p: scipy.stats.chi2_contingency([[s0, n0 - s0], [s, n - s]], correction=False), z signed;
  // Holm: by hand over the two challengers; chanceToBeat: quad(beta.pdf(x, *b) * beta.cdf(x, *ctl));
  // pBest and expected loss: quad over the three Beta(1 + s, 1 + n − s) posteriors.
  const result = analyzeExperiment({
    arms: [arm("ctl", 5000, 100, true), arm("b", 5000, 140), arm("c", 5000, 95)],
    holdout: { impressions: 2000, successes: 30 },
  });
  const [ctl, b, c] = result.arms;

  it("reports rates and Wilson intervals", () => {
    expect(ctl!.rate).toBe(0.02);
    expect(ctl!.ci95.low).toBeCloseTo(0.016471992331652405, 12);
    expect(ctl!.ci95.high).toBeCloseTo(0.024265001535602432, 12);
    expect(b!.ci95.low).toBeCloseTo(0.02377704425847612, 12);
    expect(b!.ci95.high).toBeCloseTo(0.03294766637765781, 12);
    expect(c!.ci95.low).toBeCloseTo(0.01556853405777507, 12);
    expect(c!.ci95.high).toBeCloseTo(0.023169995213369883, 12);
  });

  it("compares each challenger with the control", () => {
    expect(ctl!.control).toBe(true);
    expect(ctl!.vsControl).toBeNull();
    expect(b!.vsControl!.uplift).toBeCloseTo(0.4, 12);
    expect(b!.vsControl!.z).toBeCloseTo(2.6135418674465836, 10);
    expect(b!.vsControl!.pValue).toBeCloseTo(0.008960910390746233, 12);
    expect(b!.vsControl!.pValueHolm).toBeCloseTo(0.017921820781492466, 12);
    expect(b!.vsControl!.chanceToBeat).toBeCloseTo(0.9955160203344672, 9);
    expect(c!.vsControl!.uplift).toBeCloseTo(-0.05, 12);
    expect(c!.vsControl!.z).toBeCloseTo(-0.3616003978647974, 10);
    expect(c!.vsControl!.pValueHolm).toBeCloseTo(0.7176506673069729, 12);
    expect(c!.vsControl!.chanceToBeat).toBeCloseTo(0.35921229321535675, 9);
  });

  it("estimates P(best) and expected loss by Monte Carlo", () => {
    const pBest = [0.004410321953057279, 0.9942048302829964, 0.0013848477639461403];
    const loss = [0.008002301530795574, 5.500251307369308e-6, 0.0090019016907316];
    result.arms.forEach((a, i) => {
      expect(Math.abs(a.pBest - pBest[i]!)).toBeLessThan(0.003); // > 4 standard errors
      expect(Math.abs(a.expectedLoss - loss[i]!)).toBeLessThan(0.0003);
    });
  });

  it("adds the holdout and each arm's uplift against it", () => {
    expect(result.holdout!.rate).toBe(0.015);
    expect(result.holdout!.ci95.low).toBeCloseTo(0.01052709803710669, 12);
    expect(result.holdout!.ci95.high).toBeCloseTo(0.021332437825708657, 12);
    expect(ctl!.upliftVsHoldout).toBeCloseTo(1 / 3, 12);
    expect(b!.upliftVsHoldout).toBeCloseTo(0.028 / 0.015 - 1, 12);
    expect(result.srm).toBeNull();
  });

  it("declares the significant, probable best challenger the winner", () => {
    expect(result.decision).toMatchObject({ status: "winner", variantId: "b" });
    expect(result.decision.reason).toContain("b converts at 2.80%");
  });

  it("is deterministic", () => {
    const again = analyzeExperiment({
      arms: [arm("ctl", 5000, 100, true), arm("b", 5000, 140), arm("c", 5000, 95)],
      holdout: { impressions: 2000, successes: 30 },
    });
    expect(again).toEqual(result);
  });
});

describe("analyzeExperiment decisions", () => {
  it("raises srm_alarm before anything else", () => {
    const result = analyzeExperiment({
      arms: [arm("ctl", 5400, 100, true), arm("b", 4600, 200)],
      // scipy.stats.chisquare([5400, 4600], [5000, 5000]).pvalue = 1.2441921148543578e-15
      srm: { observed: [5400, 4600], expected: [5000, 5000] },
    });
    expect(result.srm!.alarm).toBe(true);
    expect(result.srm!.chi2).toBeCloseTo(64, 10);
    expect(result.srm!.pValue).toBeCloseTo(1.2441921148543578e-15, 25);
    expect(result.decision).toMatchObject({ status: "srm_alarm", variantId: null });
  });

  it("keeps a healthy split quiet", () => {
    const result = analyzeExperiment({
      arms: [arm("ctl", 5100, 100, true), arm("b", 4900, 100)],
      srm: { observed: [5100, 4900], expected: [5000, 5000] },
    });
    expect(result.srm).toMatchObject({ df: 1, alarm: false });
    expect(result.decision.status).not.toBe("srm_alarm");
  });

  it("is collecting with a single arm: nothing to compare", () => {
    const result = analyzeExperiment({ arms: [arm("ctl", 50_000, 1000, true)] });
    expect(result.decision.status).toBe("collecting");
    expect(result.decision.reason).toMatch(/nothing to compare/);
    expect(result.arms[0]!.pBest).toBe(1);
  });

  it("is collecting while an arm is below minSample", () => {
    const arms = [arm("ctl", 500, 20, true), arm("b", 99, 9)];
    expect(analyzeExperiment({ arms }).decision).toMatchObject({ status: "collecting", variantId: null });
    expect(analyzeExperiment({ arms }).decision.reason).toContain("b has 99 of the 100");
    expect(analyzeExperiment({ arms, config: { minSample: 50 } }).decision.status).not.toBe("collecting");
  });

  it("is underpowered, never a winner, below the n·p > 5 guard", () => {
    // b is far ahead, but the control has only 3 successes.
    const result = analyzeExperiment({ arms: [arm("ctl", 1000, 3, true), arm("b", 1000, 60)] });
    expect(result.arms[1]!.pBest).toBeGreaterThan(0.99);
    expect(result.arms[0]!.guardsMet).toBe(false);
    expect(result.decision).toMatchObject({ status: "underpowered", variantId: null });
    expect(result.decision.reason).toContain("ctl has 3 successes");
  });

  it("applies the guard to failures too", () => {
    const result = analyzeExperiment({ arms: [arm("ctl", 200, 196, true), arm("b", 200, 150)] });
    expect(result.arms[0]!.guardsMet).toBe(false);
    expect(result.decision.status).toBe("underpowered");
  });

  it("declares the control the winner when every challenger is significantly worse", () => {
    const result = analyzeExperiment({
      arms: [arm("b", 5000, 100), arm("ctl", 5000, 200, true), arm("c", 5000, 110)],
    });
    expect(result.arms[1]!.control).toBe(true);
    expect(result.decision).toMatchObject({ status: "winner", variantId: "ctl" });
  });

  it("does not crown the control when one challenger is only level with it", () => {
    const result = analyzeExperiment({
      arms: [arm("ctl", 5000, 200, true), arm("b", 5000, 100), arm("c", 5000, 185)],
    });
    expect(result.decision.status).not.toBe("winner");
  });

  it("needs Holm significance, not just P(best)", () => {
    // b leads three challengers by ~2.4 standard errors: raw p ≈ 0.017 but Holm × 3 > 0.05.
    const result = analyzeExperiment({
      arms: [
        arm("ctl", 10_000, 200, true),
        arm("b", 10_000, 250),
        arm("c", 10_000, 200),
        arm("d", 10_000, 190),
      ],
    });
    const b = result.arms[1]!;
    expect(b.pBest).toBeGreaterThanOrEqual(0.95);
    expect(b.vsControl!.pValue).toBeLessThan(0.05);
    expect(b.vsControl!.pValueHolm).toBeGreaterThanOrEqual(0.05);
    expect(result.decision).toMatchObject({ status: "underpowered", variantId: null });
  });

  it("needs P(best), not just significance", () => {
    const result = analyzeExperiment({
      arms: [arm("ctl", 5000, 100, true), arm("b", 5000, 150), arm("c", 5000, 151)],
    });
    expect(result.arms[1]!.vsControl!.pValueHolm).toBeLessThan(0.05);
    expect(Math.max(...result.arms.map((a) => a.pBest))).toBeLessThan(0.95);
    expect(result.decision.status).toBe("underpowered");
  });

  it("reports no_difference when every arm's expected loss is negligible", () => {
    const result = analyzeExperiment({
      arms: [arm("ctl", 200_000, 4000, true), arm("b", 200_000, 4010)],
    });
    expect(Math.max(...result.arms.map((a) => a.expectedLoss))).toBeLessThan(0.001);
    expect(result.decision).toMatchObject({ status: "no_difference", variantId: null });
  });

  it("is underpowered when the arms may still differ", () => {
    const result = analyzeExperiment({ arms: [arm("ctl", 1000, 30, true), arm("b", 1000, 40)] });
    expect(result.decision).toMatchObject({ status: "underpowered", variantId: null });
    expect(result.decision.reason).toMatch(/^No winner yet: b leads/);
  });

  it("honours custom thresholds", () => {
    const arms = [arm("ctl", 1000, 30, true), arm("b", 1000, 40)];
    expect(analyzeExperiment({ arms, config: { noDifferenceLoss: 0.05 } }).decision.status).toBe(
      "no_difference",
    );
  });

  it("clamps impossible counts and treats the first arm as control when none is flagged", () => {
    const result = analyzeExperiment({ arms: [arm("a", 100, 130), arm("b", -5, 2)] });
    expect(result.arms[0]).toMatchObject({ control: true, impressions: 100, successes: 100, rate: 1 });
    expect(result.arms[1]).toMatchObject({ impressions: 0, successes: 0, rate: 0 });
    expect(result.arms[1]!.vsControl!.uplift).toBe(-1);
  });

  it("reports null uplift against a control that never converts", () => {
    const result = analyzeExperiment({ arms: [arm("ctl", 100, 0, true), arm("b", 100, 4)] });
    expect(result.arms[1]!.vsControl!.uplift).toBeNull();
  });
});
