import { describe, expect, it } from "vitest";
import { normalizeRows, type RawMetrics, round } from "../src/normalize";

const raw = (over: Partial<RawMetrics>): RawMetrics => ({
  channel: "facebook",
  campaignId: "1",
  campaignName: "A",
  date: "2026-11-20",
  cost: 0,
  clicks: 0,
  impressions: 0,
  engagement: 0,
  conversions: 0,
  conversionValue: 0,
  ...over,
});

describe("round", () => {
  it.each([
    [1.005, 2, 1.01],
    [2.675, 2, 2.68],
    [0.01875, 4, 0.0188],
    [-0.00005, 4, -0.0001],
    [-0.00004, 4, 0],
    [12.345678, 2, 12.35],
    [1e-7, 2, 0],
    [123, 2, 123],
  ])("round(%d, %d) = %d", (value, decimals, expected) => {
    expect(Object.is(round(value, decimals), expected)).toBe(true);
  });
});

describe("normalizeRows", () => {
  it("sums rows for the same campaign and day, then derives the ratios from the totals", () => {
    const out = normalizeRows([
      raw({ cost: 10.004, clicks: 10, impressions: 100, engagement: 1, conversions: 1, conversionValue: 20 }),
      raw({
        cost: 10.004,
        clicks: 30,
        impressions: 300,
        engagement: 2,
        conversions: 2,
        conversionValue: 40,
        campaignName: "A (renamed)",
      }),
    ]);
    expect(out).toEqual([
      {
        channel: "facebook",
        campaignId: "1",
        campaignName: "A (renamed)",
        date: "2026-11-20",
        cost: 20.01, // 20.008
        clicks: 40,
        impressions: 400,
        engagement: 3,
        conversions: 3,
        conversionValue: 60,
        conversionRate: 0.075,
        roi: 1.9985, // (60 − 20.01) / 20.01 = 1.998500…
      },
    ]);
  });

  it("sorts by date, then campaign id", () => {
    const out = normalizeRows([
      raw({ date: "2026-11-21", campaignId: "1" }),
      raw({ date: "2026-11-20", campaignId: "9" }),
      raw({ date: "2026-11-20", campaignId: "10" }),
    ]);
    expect(out.map((r) => `${r.date}/${r.campaignId}`)).toEqual([
      "2026-11-20/10",
      "2026-11-20/9",
      "2026-11-21/1",
    ]);
  });

  it("leaves the ratios null without clicks or cost", () => {
    const [row] = normalizeRows([raw({ impressions: 50, conversionValue: 5 })]);
    expect(row?.conversionRate).toBeNull();
    expect(row?.roi).toBeNull();
  });
});
