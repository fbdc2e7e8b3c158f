import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AdEntityStats,
  type AdInsightSnapshot,
  type AdWindowStats,
  buildAdInsightPrompt,
  createGeminiAdInsightWriter,
  createOfflineAdInsightWriter,
  templateAdInsight,
  validateAdInsight,
} from "../src/index";
import { apiError, type GeminiStub, modelReply, startGeminiStub } from "./gemini-stub";

const win = (over: Partial<AdWindowStats>): AdWindowStats => ({
  days: 7,
  cost: 700,
  conversions: 35,
  conversion_value: 2100,
  roas: 3,
  cpa: 20,
  daily_cost: 100,
  ...over,
});

const entity = (over: Partial<AdEntityStats>): AdEntityStats => ({
  channel: "facebook",
  campaign_id: null,
  campaign_name: null,
  current: win({}),
  baseline: win({ days: 28, cost: 2240, conversions: 112, conversion_value: 6720, daily_cost: 80 }),
  spend_change: 0.25,
  roas_change: 0,
  cpa_change: 0,
  ...over,
});

function snapshot(): AdInsightSnapshot {
  return {
    as_of: "2026-12-06",
    computed_at: "2026-12-06T10:00:00.000Z",
    window: {
      current_from: "2026-11-30",
      current_to: "2026-12-06",
      baseline_from: "2026-11-02",
      baseline_to: "2026-11-29",
    },
    total: entity({ channel: "all", current: win({ cost: 1200, conversion_value: 3000, roas: 2.5 }) }),
    channels: [
      entity({ channel: "facebook" }),
      entity({
        channel: "tiktok",
        current: win({ cost: 500, conversion_value: 900, roas: 1.8 }),
        roas_change: -0.4,
      }),
    ],
    campaigns: [
      entity({
        campaign_id: "120212345678901234",
        campaign_name: "Lookalike 1% – Purchasers",
        current: win({ cost: 400, conversion_value: 1800, roas: 4.5 }),
      }),
      entity({
        channel: "tiktok",
        campaign_id: "1781234567890123",
        campaign_name: "Spring Sale – Web Conversions",
        current: win({ cost: 350, conversion_value: 210, roas: 0.6, cpa: 58.33 }),
        roas_change: -0.8,
      }),
    ],
    alerts: [
      {
        kind: "roas_drop",
        channel: "tiktok",
        campaign_id: "1781234567890123",
        observed: 0.6,
        baseline: 3,
        threshold: 0.5,
      },
    ],
    candidates: [
      { action: "cut", channel: "tiktok", campaign_id: "1781234567890123", reason: "roas_drop" },
      { action: "scale", channel: "facebook", campaign_id: "120212345678901234", reason: "strong_roas" },
    ],
  };
}

function goodDraft() {
  return {
    summary:
      'Spend reached 1200 at ROAS 2.5. Cut "Spring Sale – Web Conversions": its ROAS fell 80% to 0.6, against 3 before.',
    insights: ["Facebook daily spend is up 25% at ROAS 3.", "TikTok ROAS is down 40% to 1.8."],
    recommendations: [
      { action: "cut", channel: "tiktok", campaign_id: "1781234567890123", rationale: "ROAS 0.6 against 3." },
      {
        action: "scale",
        channel: "facebook",
        campaign_id: "120212345678901234",
        rationale: "Lookalike 1% – Purchasers returns ROAS 4.5, above the account's 2.5.",
      },
    ],
  };
}

describe("ad insight validation: only numbers code computed", () => {
  it("accepts numbers as written, rounded, and ratios as percentages; campaign names' digits are quotes", () => {
    const outcome = validateAdInsight(goodDraft(), snapshot());
    expect(outcome).toEqual({ ok: true, report: goodDraft() });
  });

  it.each([
    ["an invented number", { summary: "Spend will reach 1500 next week." }, /summary: 1500 is not a number/],
    ["a computed difference", { summary: "The ROAS gap between the two is 3.9." }, /summary: 3.9 is not/],
    ["a percentage of a cost", { summary: "ROAS moved 45%." }, /summary: 45 is not a number/],
    ["a day outside the windows", { summary: "On 2026-10-01 ROAS was 3." }, /2026-10-01 is not a day/],
  ])("rejects %s", (_, patch, problem) => {
    const outcome = validateAdInsight({ ...goodDraft(), ...patch }, snapshot());
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.problems.join("\n")).toMatch(problem);
  });

  it("rejects a recommendation code did not make, or with the other action, or none when code has candidates", () => {
    const rec = goodDraft().recommendations;
    const unlisted = validateAdInsight(
      { ...goodDraft(), recommendations: [{ ...rec[0], campaign_id: "999" }] },
      snapshot(),
    );
    expect(unlisted).toMatchObject({ ok: false });
    if (!unlisted.ok) expect(unlisted.problems[0]).toMatch(/tiktok\/999 is not a candidate/);
    const flipped = validateAdInsight(
      { ...goodDraft(), recommendations: [{ ...rec[0], action: "scale" }] },
      snapshot(),
    );
    if (flipped.ok) throw new Error("a flipped action passed");
    expect(flipped.problems[0]).toMatch(/code says cut/);
    expect(validateAdInsight({ ...goodDraft(), recommendations: [] }, snapshot()).ok).toBe(false);
    expect(validateAdInsight({ summary: "", insights: [] }, snapshot()).ok).toBe(false);
  });

  it("the template passes its own check, names code's candidates, and states the alert", () => {
    const report = templateAdInsight(snapshot());
    expect(validateAdInsight(report, snapshot())).toEqual({ ok: true, report });
    expect(report.recommendations.map((r) => [r.action, r.campaign_id])).toEqual([
      ["cut", "1781234567890123"],
      ["scale", "120212345678901234"],
    ]);
    expect(report.summary).toContain("1 alert needs attention");
    expect(report.insights.join(" ")).toMatch(/Spring Sale – Web Conversions" on tiktok: ROAS dropped/);
  });
});

describe("Gemini ad-insight writer (local stub)", () => {
  let stub: GeminiStub;
  beforeAll(async () => {
    stub = await startGeminiStub();
  });
  afterAll(async () => {
    await stub.close();
  });
  const writer = () =>
    createGeminiAdInsightWriter({
      apiKey: "k",
      model: "gemini-test",
      baseUrl: stub.baseUrl,
      timeoutMs: 2000,
    });

  it("serves a valid answer as written", async () => {
    stub.reply = () => ({ status: 200, json: modelReply(JSON.stringify(goodDraft())) });
    const result = await writer().write(snapshot());
    expect(result).toEqual({ report: goodDraft(), provider: "gemini", fallbackReason: null });
    const body = stub.requests.at(-1)?.body as { contents: { parts: { text: string }[] }[] };
    expect(body.contents[0]?.parts[0]?.text).toBe(buildAdInsightPrompt(snapshot()));
  });

  it("falls back to the template when the answer invents a number, and says why", async () => {
    stub.reply = () => ({
      status: 200,
      json: modelReply(
        JSON.stringify({ ...goodDraft(), summary: "Scaling facebook doubles revenue to 6000." }),
      ),
    });
    const result = await writer().write(snapshot());
    expect(result.provider).toBe("offline");
    expect(result.fallbackReason).toMatch(/^rejected: summary: 6000 is not a number in the snapshot/);
    expect(result.report).toEqual(templateAdInsight(snapshot()));
  });

  it("falls back on a quota error or malformed JSON instead of failing", async () => {
    stub.reply = () => ({ status: 429, json: apiError(429, "quota", "RESOURCE_EXHAUSTED") });
    expect((await writer().write(snapshot())).fallbackReason).toMatch(/^rate_limited:/);
    stub.reply = () => ({ status: 200, json: modelReply("{not json") });
    expect((await writer().write(snapshot())).fallbackReason).toMatch(/^malformed:/);
  });

  it("the offline writer is the template", async () => {
    expect(await createOfflineAdInsightWriter().write(snapshot())).toEqual({
      report: templateAdInsight(snapshot()),
      provider: "offline",
      fallbackReason: null,
    });
  });
});
