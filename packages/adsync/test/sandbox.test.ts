import { describe, expect, it } from "vitest";
import { type CampaignMetrics, CHANNELS, createConnector, createSandboxConnector } from "../src/index";
import { adSyncFailure } from "./stub-server";

const FOUR_WEEKS = { since: "2026-10-26", until: "2026-11-22" };

/** Totals per campaign, for checks on aggregate ratios that single days may miss by rounding. */
function byCampaign(rows: CampaignMetrics[]) {
  const totals = new Map<
    string,
    { cost: number; clicks: number; impressions: number; conversions: number; value: number }
  >();
  for (const r of rows) {
    const t = totals.get(r.campaignId) ?? { cost: 0, clicks: 0, impressions: 0, conversions: 0, value: 0 };
    t.cost += r.cost;
    t.clicks += r.clicks;
    t.impressions += r.impressions;
    t.conversions += r.conversions;
    t.value += r.conversionValue;
    totals.set(r.campaignId, t);
  }
  return totals;
}

const ID_LENGTHS = {
  facebook: [15, 18],
  instagram: [15, 18],
  google_ads: [10, 11],
  tiktok: [16, 19],
} as const;

describe("sandbox connector", () => {
  it("is the default when no credentials are given", () => {
    for (const channel of CHANNELS) {
      expect(createConnector(channel, null).source).toBe("sandbox");
      expect(createConnector(channel, undefined).channel).toBe(channel);
    }
  });

  it("returns byte-identical output for the same inputs", async () => {
    for (const channel of CHANNELS) {
      const a = await createSandboxConnector(channel).fetchMetrics(FOUR_WEEKS);
      const b = await createSandboxConnector(channel).fetchMetrics(FOUR_WEEKS);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    }
  });

  it("gives a day the same numbers whatever range it is asked in", async () => {
    for (const channel of CHANNELS) {
      const connector = createSandboxConnector(channel, { seed: "acme" });
      const wide = await connector.fetchMetrics({ since: "2026-11-01", until: "2026-11-20" });
      const narrow = await connector.fetchMetrics({ since: "2026-11-15", until: "2026-11-20" });
      const single = await connector.fetchMetrics({ since: "2026-11-18", until: "2026-11-18" });
      expect(JSON.stringify(wide.filter((r) => r.date >= "2026-11-15"))).toBe(JSON.stringify(narrow));
      expect(JSON.stringify(narrow.filter((r) => r.date === "2026-11-18"))).toBe(JSON.stringify(single));
    }
  });

  it("differs between seeds", async () => {
    const a = await createSandboxConnector("facebook", { seed: "alpha" }).fetchMetrics(FOUR_WEEKS);
    const b = await createSandboxConnector("facebook", { seed: "beta" }).fetchMetrics(FOUR_WEEKS);
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    expect(a.map((r) => r.campaignId)).not.toEqual(b.map((r) => r.campaignId));
  });

  it("uses the seed from the connector options", async () => {
    const viaOptions = await createConnector("tiktok", null, { seed: "gamma" }).fetchMetrics(FOUR_WEEKS);
    const direct = await createSandboxConnector("tiktok", { seed: "gamma" }).fetchMetrics(FOUR_WEEKS);
    expect(viaOptions).toEqual(direct);
  });

  it.each(["pushbunny", "alpha", "beta", "shop-42"])("looks like real campaigns (seed %s)", async (seed) => {
    for (const channel of CHANNELS) {
      const rows = await createSandboxConnector(channel, { seed }).fetchMetrics(FOUR_WEEKS);
      const campaigns = new Set(rows.map((r) => r.campaignId));
      expect(campaigns.size).toBeGreaterThanOrEqual(3);
      expect(campaigns.size).toBeLessThanOrEqual(6);
      expect(rows).toHaveLength(campaigns.size * 28);
      const [minLength, maxLength] = ID_LENGTHS[channel];
      for (const id of campaigns) {
        expect(id).toMatch(/^[1-9]\d+$/);
        expect(id.length).toBeGreaterThanOrEqual(minLength);
        expect(id.length).toBeLessThanOrEqual(maxLength);
      }
      expect(new Set(rows.map((r) => r.campaignName)).size).toBe(campaigns.size);

      for (const r of rows) {
        expect(r.channel).toBe(channel);
        expect(r.impressions).toBeGreaterThanOrEqual(2_000);
        expect(r.impressions).toBeLessThanOrEqual(200_000);
        const ctr = r.clicks / r.impressions;
        expect(ctr).toBeGreaterThanOrEqual(0.0049);
        expect(ctr).toBeLessThanOrEqual(0.0301);
        expect(r.conversionRate).not.toBeNull();
        expect(r.conversionRate).toBeGreaterThanOrEqual(0);
        expect(r.conversionRate).toBeLessThanOrEqual(1);
        expect(r.cost).toBeGreaterThan(0);
        expect(
          Number.isInteger(r.clicks) && Number.isInteger(r.impressions) && Number.isInteger(r.engagement),
        ).toBe(true);
        if (channel !== "google_ads") expect(Number.isInteger(r.conversions)).toBe(true);
        expect(r.roi).toBe(Math.round(((r.conversionValue - r.cost) / r.cost) * 10_000) / 10_000);
      }

      const totals = [...byCampaign(rows).values()];
      for (const t of totals) {
        const cpc = t.cost / t.clicks;
        expect(cpc).toBeGreaterThan(0.2);
        expect(cpc).toBeLessThan(4);
        expect(t.conversions / t.clicks).toBeGreaterThanOrEqual(0.01);
        expect(t.conversions / t.clicks).toBeLessThanOrEqual(0.08);
      }
      const rois = totals.map((t) => (t.value - t.cost) / t.cost);
      expect(rois.some((roi) => roi > 0)).toBe(true);
      expect(rois.some((roi) => roi < 0)).toBe(true);
    }
  });

  it("has fractional conversions on Google only", async () => {
    const google = await createSandboxConnector("google_ads").fetchMetrics(FOUR_WEEKS);
    expect(google.some((r) => !Number.isInteger(r.conversions))).toBe(true);
  });

  it("varies by weekday", async () => {
    const rows = await createSandboxConnector("google_ads").fetchMetrics(FOUR_WEEKS);
    const perWeekday = new Map<number, number>();
    for (const r of rows) {
      const day = new Date(`${r.date}T00:00:00Z`).getUTCDay();
      perWeekday.set(day, (perWeekday.get(day) ?? 0) + r.impressions);
    }
    // Search delivers less at the weekend: Saturday below Tuesday over four weeks.
    expect(perWeekday.get(6)).toBeLessThan(perWeekday.get(2) ?? 0);
  });

  it("shares Meta campaigns between facebook and instagram, with different numbers", async () => {
    const fb = await createSandboxConnector("facebook").fetchMetrics(FOUR_WEEKS);
    const ig = await createSandboxConnector("instagram").fetchMetrics(FOUR_WEEKS);
    expect([...new Set(fb.map((r) => r.campaignId))]).toEqual([...new Set(ig.map((r) => r.campaignId))]);
    expect(fb.map((r) => r.impressions)).not.toEqual(ig.map((r) => r.impressions));
  });

  it.each([
    [{ since: "2026-11-21", until: "2026-11-20" }, "after until"],
    [{ since: "2026-08-01", until: "2026-11-20" }, "112 days"],
    [{ since: "2026-02-30", until: "2026-03-02" }, "calendar days"],
    [{ since: "20261120", until: "20261121" }, "calendar days"],
  ])("rejects the range %j as config", async (range, message) => {
    const err = await adSyncFailure(createSandboxConnector("tiktok").fetchMetrics(range), "config");
    expect(err.message).toContain(message);
    expect(err.channel).toBe("tiktok");
    expect(err.retryable).toBe(false);
  });

  it("accepts exactly 93 days", async () => {
    const rows = await createSandboxConnector("facebook").fetchMetrics({
      since: "2026-08-20",
      until: "2026-11-20",
    });
    expect(new Set(rows.map((r) => r.date)).size).toBe(93);
  });

  it("stops when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await adSyncFailure(
      createSandboxConnector("facebook").fetchMetrics(FOUR_WEEKS, { signal: controller.signal }),
      "transient",
    );
  });
});
