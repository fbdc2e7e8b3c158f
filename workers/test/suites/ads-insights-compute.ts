import { describe, expect, it } from "vitest";
import { type CampaignDay, computeInsights, median, robustZ } from "../../src/services/ads/insights/compute";
import { effectiveRules } from "../../src/services/ads/insights/rules";

// The detectors on hand-made histories: each rule fires on its condition, stays quiet on noise,
// and does not judge a campaign whose history is too short.

const AS_OF = "2026-12-06";
const DAY_MS = 86_400_000;
const dayBefore = (n: number) =>
  new Date(Date.parse(`${AS_OF}T00:00:00Z`) - n * DAY_MS).toISOString().slice(0, 10);

/** `days` days of one campaign ending at AS_OF; `f(n)` shapes day n (0 = AS_OF). */
function history(days: number, f: (n: number) => Partial<CampaignDay>, campaignId = "c1"): CampaignDay[] {
  return Array.from({ length: days }, (_, n) => ({
    channel: "facebook",
    campaignId,
    campaignName: `Campaign ${campaignId}`,
    date: dayBefore(n),
    cost: 100 + (n % 3) * 5,
    conversions: 5,
    conversionValue: 300,
    ...f(n),
  }));
}

const run = (rows: CampaignDay[]) =>
  computeInsights({
    asOf: AS_OF,
    rows,
    rules: effectiveRules([]),
    computedAt: Date.parse(`${AS_OF}T12:00:00Z`),
  });
const kinds = (rows: CampaignDay[]) => run(rows).anomalies.map((a) => a.kind);

describe("ad anomaly detection", () => {
  it("median and robust z: one outlier in the history does not hide the next", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(robustZ(10, [1, 1, 1, 1, 100])).toBe(Number.POSITIVE_INFINITY);
    expect(robustZ(12, [9, 10, 11, 10, 10, 100])).toBeGreaterThan(2.5);
  });

  it("a steady campaign raises nothing, and its numbers are the windows' sums", () => {
    const rows = history(35, () => ({}));
    const { anomalies, snapshot, evaluated } = run(rows);
    expect(anomalies).toEqual([]);
    expect(evaluated.size).toBe(3);
    const c = snapshot.campaigns[0];
    if (!c) throw new Error("no campaign in the snapshot");
    const current = rows.filter((r) => r.date >= dayBefore(6));
    expect(c.current.cost).toBe(current.reduce((s, r) => s + r.cost, 0));
    expect(c.current.days).toBe(7);
    expect(c.baseline.days).toBe(28);
    expect(c.current.roas).toBe(Math.round((2100 / c.current.cost) * 1e4) / 1e4);
  });

  it("spend_spike: twice the median daily spend fires; 1.5× does not", () => {
    expect(kinds(history(35, (n) => (n < 7 ? { cost: 260, conversionValue: 780 } : {})))).toEqual([
      "spend_spike",
    ]);
    expect(kinds(history(35, (n) => (n < 7 ? { cost: 150, conversionValue: 450 } : {})))).toEqual([]);
  });

  it("spend_spike: a noisy history needs a larger jump (robust z ≥ 3)", () => {
    // Baseline alternates 40 and 160 (median 100, MAD 60): a current 210 a day is 2.1× but z ≈ 1.2.
    const noisy = history(35, (n) =>
      n < 7 ? { cost: 210, conversionValue: 630 } : { cost: n % 2 ? 40 : 160 },
    );
    expect(kinds(noisy)).toEqual([]);
  });

  it("roas_drop: ROAS halved fires; a 30% fall does not", () => {
    expect(kinds(history(35, (n) => (n < 7 ? { conversionValue: 120 } : {})))).toEqual(["roas_drop"]);
    expect(kinds(history(35, (n) => (n < 7 ? { conversionValue: 210 } : {})))).toEqual([]);
  });

  it("conversions_stop: three days of spend and no conversion at the end fires; two do not", () => {
    const stop = (k: number) => history(35, (n) => (n < k ? { conversions: 0, conversionValue: 0 } : {}));
    const found = run(stop(3)).anomalies.find((a) => a.kind === "conversions_stop");
    expect(found).toMatchObject({ observed: 3, baseline: 5, threshold: 3 });
    expect(kinds(stop(2))).not.toContain("conversions_stop");
    // No spend on the last day: paused, not broken.
    expect(
      kinds(
        history(35, (n) => (n < 3 ? { conversions: 0, conversionValue: 0, cost: n === 0 ? 0 : 100 } : {})),
      ),
    ).not.toContain("conversions_stop");
  });

  it("a campaign with under 14 baseline days is not judged (and so never resolves or opens an alert)", () => {
    const young = history(20, (n) => (n < 7 ? { cost: 500, conversions: 0, conversionValue: 0 } : {}));
    const { anomalies, evaluated } = run(young);
    expect(anomalies).toEqual([]);
    expect(evaluated.size).toBe(0);
  });

  it("a disabled rule and a raised threshold change the verdict", () => {
    const spike = history(35, (n) => (n < 7 ? { cost: 260, conversionValue: 780 } : {}));
    const rules = effectiveRules([
      { projectId: "p", kind: "spend_spike", enabled: true, threshold: 3, minBaseline: 10, updatedAt: 0 },
    ]);
    expect(computeInsights({ asOf: AS_OF, rows: spike, rules, computedAt: 0 }).anomalies).toEqual([]);
    const off = effectiveRules([
      { projectId: "p", kind: "roas_drop", enabled: false, threshold: 0.5, minBaseline: 100, updatedAt: 0 },
    ]);
    const drop = history(35, (n) => (n < 7 ? { conversionValue: 120 } : {}));
    expect(computeInsights({ asOf: AS_OF, rows: drop, rules: off, computedAt: 0 }).anomalies).toEqual([]);
  });

  it("candidates: a strong campaign to scale, a losing one to cut", () => {
    const strong = history(35, () => ({ conversionValue: 900 }), "strong");
    const weak = history(35, () => ({ conversionValue: 60 }), "weak");
    const mid = history(35, () => ({}), "mid");
    const { snapshot } = run([...strong, ...weak, ...mid]);
    expect(snapshot.candidates.map((c) => [c.action, c.campaign_id, c.reason])).toEqual([
      ["cut", "weak", "roas_below_1"],
      ["scale", "strong", "strong_roas"],
    ]);
  });
});
