import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AnalysisSnapshot,
  armLabel,
  createGeminiAnalyst,
  createOfflineAnalyst,
  flagsFor,
  numbersIn,
  templateReport,
  validateReport,
} from "../src/index";
import { apiError, type GeminiStub, modelReply, startGeminiStub } from "./gemini-stub";

function snapshot(over: Partial<AnalysisSnapshot> = {}): AnalysisSnapshot {
  return {
    experiment_id: "exp_abc123",
    intent_id: "cart_abandonment",
    locale: "en-US",
    strategy: "round_robin",
    goal_metric: "opened",
    lane: "real",
    decision: {
      status: "winner",
      variant_id: "var_b00000000001",
      reason:
        "var_b00000000001 converts at 6.1% against the control's 4.02% (P(best) = 98.7%, Holm-adjusted p = 0.0031).",
    },
    flags: [],
    method: { confidence_level: 95, alpha: 0.05, win_probability: 0.95, min_sample: 100 },
    arms: [
      {
        variant_id: "var_a00000000001",
        label: "Control",
        text: "You left items in your cart",
        source: "control",
        status: "active",
        control: true,
        impressions: 2000,
        successes: 80,
        rate: 0.04,
        ci95_low: 0.0323,
        ci95_high: 0.0495,
        uplift: null,
        diff_vs_control: null,
        p_value_holm: null,
        chance_to_beat: null,
        p_best: 0.013,
        expected_loss: 0.021,
        guards_met: true,
      },
      {
        variant_id: "var_b00000000001",
        label: "B",
        text: "Still want it? 20% off today",
        source: "llm",
        status: "active",
        control: false,
        impressions: 1990,
        successes: 121,
        rate: 0.0608,
        ci95_low: 0.0511,
        ci95_high: 0.0722,
        uplift: 0.52,
        diff_vs_control: 0.0208,
        p_value_holm: 0.0031,
        chance_to_beat: 0.9987,
        p_best: 0.987,
        expected_loss: 0.0001,
        guards_met: true,
      },
    ],
    holdout: null,
    srm: { chi2: 0.0203, p_value: 0.8868, alarm: false },
    daily: [
      { day: "2026-11-20", variant_id: "var_a00000000001", impressions: 1000, successes: 41, rate: 0.041 },
      { day: "2026-11-20", variant_id: "var_b00000000001", impressions: 995, successes: 60, rate: 0.0603 },
      { day: "2026-11-21", variant_id: "var_a00000000001", impressions: 1000, successes: 39, rate: 0.039 },
      { day: "2026-11-21", variant_id: "var_b00000000001", impressions: 995, successes: 61, rate: 0.0613 },
    ],
    totals: { impressions: 3990, successes: 201, rate: 0.0504, arms: 2, challengers: 1, days: 2 },
    computed_at: "2026-11-22T10:00:00.000Z",
    ...over,
  };
}

const goodDraft = () => ({
  summary:
    "B wins: it is opened 6.08% of the time against the control's 4%, with a 98.7% chance of being best.",
  insights: ["B's 95% interval runs from 5.11% to 7.22%.", "The control got 2,000 impressions."],
  winner_recommendation: {
    action: "promote",
    variant_id: "var_b00000000001" as string | null,
    rationale: "B beats the control (Holm p = 0.0031).",
  },
  plots: [
    {
      type: "bar",
      title: "Open rate (%)",
      labels: ["Control", "B"],
      datasets: [{ label: "rate %", data: [4, 6.08] }],
    },
  ],
});

describe("numbers in text", () => {
  it("reads decimals, thousands separators and percentages, and skips ids and dates", () => {
    expect(numbersIn("B: 6.08% of 1,990 on 2026-11-20 (var_b00000000001)").map((t) => t.value)).toEqual([
      6.08, 1990,
    ]);
  });
});

describe("validateReport", () => {
  it("accepts a narrative that uses only snapshot numbers, as written, rounded, or as percentages", () => {
    const outcome = validateReport(goodDraft(), snapshot());
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.report.plots[0]).toEqual({
      type: "bar",
      data: { labels: ["Control", "B"], datasets: [{ label: "rate %", data: [4, 6.08] }] },
      options: { responsive: true, plugins: { title: { display: true, text: "Open rate (%)" } } },
    });
  });

  it("rejects an invented number in the summary, an insight, or a plot", () => {
    const inSummary = { ...goodDraft(), summary: "B lifts opens by 12.7 points." };
    const inInsight = { ...goodDraft(), insights: ["B will add 3,400 opens a month."] };
    const inPlot = goodDraft();
    inPlot.plots[0]!.datasets[0]!.data = [4, 7.5];
    for (const [draft, where, number] of [
      [inSummary, "summary", "12.7"],
      [inInsight, "insights[0]", "3,400"],
      [inPlot, "plots[0].datasets[0]", "7.5"],
    ] as const) {
      const outcome = validateReport(draft, snapshot());
      expect(outcome.ok).toBe(false);
      if (!outcome.ok)
        expect(outcome.problems.join("\n")).toContain(`${where}: ${number} is not a number in the snapshot`);
    }
  });

  it("allows the snapshot's own differences and their roundings, rejects ratios it computed itself", () => {
    // diff_vs_control 0.0208 is 2.08 points; uplift 0.52 is 52%.
    expect(
      validateReport({ ...goodDraft(), summary: "B adds 2.08 points, a 52% lift." }, snapshot()).ok,
    ).toBe(true);
    expect(validateReport({ ...goodDraft(), summary: "B adds 2.1 points." }, snapshot()).ok).toBe(true);
    // 6.08 / 4 = 1.52 is a number the model worked out: not in the snapshot.
    expect(validateReport({ ...goodDraft(), summary: "B is 1.52 times better." }, snapshot()).ok).toBe(false);
  });

  it("states counts exactly, keeps signs in plots, and reads no numbers from copy or timestamps", () => {
    const check = (summary: string) => validateReport({ ...goodDraft(), summary }, snapshot()).ok;
    // 1,990 impressions, not a percentage of them.
    expect(check("B was sent 1,990 times.")).toBe(true);
    expect(check("B was sent 199000 times.")).toBe(false);
    expect(check("B was sent 1,991 times.")).toBe(false);
    // Quoting the copy is fine; its numbers are not findings.
    expect(check('B ("Still want it? 20% off today") leads.')).toBe(true);
    expect(check("B lifts opens by 20%.")).toBe(false);
    // computed_at is 2026-11-22T10:00: its parts are not numbers to narrate.
    expect(check("Computed at 10 o'clock.")).toBe(false);
    const signFlip = goodDraft();
    signFlip.plots[0]!.datasets[0]!.data = [4, -6.08];
    expect(validateReport(signFlip, snapshot()).ok).toBe(false);
  });

  it("rejects days and chart labels that are not in the snapshot", () => {
    const draft = goodDraft();
    draft.summary = "Since 2026-10-01 B leads.";
    draft.plots[0]!.labels = ["Control", "Variant Z"];
    const outcome = validateReport(draft, snapshot());
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problems).toContain("summary: 2026-10-01 is not a day in the snapshot");
    expect(outcome.problems).toContain('plots[0].labels: "Variant Z" is not an arm or a day');
  });

  it("rejects a recommendation that contradicts the decision", () => {
    const draft = goodDraft();
    draft.winner_recommendation = {
      action: "promote",
      variant_id: "var_a00000000001",
      rationale: "The control.",
    };
    const outcome = validateReport(draft, snapshot());
    expect(outcome.ok).toBe(false);
    const srm = snapshot({
      decision: { status: "srm_alarm", variant_id: null, reason: "mismatch" },
      flags: ["srm_alarm"],
    });
    expect(validateReport(goodDraft(), srm).ok).toBe(false);
  });

  it("rejects a body that is not the report shape", () => {
    const outcome = validateReport({ summary: "", insights: [], plots: "none" }, snapshot());
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.problems.length).toBeGreaterThanOrEqual(3);
  });

  it("states underpowered, SRM and no-difference in the summary whatever the narrative says", () => {
    for (const [status, flag, words] of [
      ["underpowered", "underpowered", /^Underpowered:/],
      ["srm_alarm", "srm_alarm", /^SRM alarm:/],
      ["no_difference", "no_significant_difference", /^No significant difference:/],
    ] as const) {
      const s = snapshot({
        decision: { status, variant_id: null, reason: "r" },
        flags: flagsFor(status, false),
      });
      expect(s.flags).toContain(flag);
      const draft = goodDraft();
      // Mentioning the condition to deny it does not count as stating it.
      draft.summary =
        "Everything looks great for B: no SRM problem, not underpowered, no significant difference issues.";
      draft.winner_recommendation = {
        action:
          status === "srm_alarm" ? "investigate_srm" : status === "no_difference" ? "stop" : "keep_testing",
        variant_id: null,
        rationale: "r",
      };
      const outcome = validateReport(draft, s);
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
      if (!outcome.ok) continue;
      expect(outcome.report.summary).toMatch(words);
      expect(outcome.report.summary).toContain("Everything looks great for B:");
      expect(outcome.report.flags).toEqual([flag]);
    }
  });
});

describe("template analysis", () => {
  it("passes its own validation for every decision", () => {
    for (const status of ["winner", "underpowered", "srm_alarm", "no_difference", "collecting"] as const) {
      const s = snapshot({
        decision: {
          status,
          variant_id: status === "winner" ? "var_b00000000001" : null,
          reason: "Arm data.",
        },
        flags: flagsFor(status, status === "srm_alarm"),
        holdout: { impressions: 300, successes: 9, rate: 0.03, ci95_low: 0.0159, ci95_high: 0.0561 },
        ...(status === "srm_alarm" ? { srm: { chi2: 14.2, p_value: 0.0002, alarm: true } } : {}),
      });
      const outcome = validateReport(templateReport(s), s);
      expect(outcome.ok, `${status}: ${JSON.stringify(outcome)}`).toBe(true);
    }
  });

  it("draws a rate bar chart, an impressions pie, a daily line and a P(best) bar from the snapshot", async () => {
    const { report, provider, fallbackReason } = await createOfflineAnalyst().analyze(snapshot());
    expect(provider).toBe("offline");
    expect(fallbackReason).toBeNull();
    expect(report.plots.map((p) => p.type)).toEqual(["bar", "pie", "line", "bar"]);
    expect(report.plots[0]?.data.datasets[0]?.data).toEqual([4, 6.08]);
    expect(report.plots[1]?.data.datasets[0]?.data).toEqual([2000, 1990]);
    expect(report.plots[2]?.data.labels).toEqual(["2026-11-20", "2026-11-21"]);
    expect(report.plots[2]?.data.datasets.map((d) => d.data)).toEqual([
      [4.1, 3.9],
      [6.03, 6.13],
    ]);
    expect(report.winner_recommendation).toMatchObject({ action: "promote", variant_id: "var_b00000000001" });
  });

  it("labels arms Control, B … Z, AA", () => {
    expect([armLabel(1, false), armLabel(25, false), armLabel(26, false), armLabel(0, true)]).toEqual([
      "B",
      "Z",
      "AA",
      "Control",
    ]);
  });
});

describe("Gemini analyst (local stub)", () => {
  let stub: GeminiStub;
  beforeAll(async () => {
    stub = await startGeminiStub();
  });
  afterAll(async () => {
    await stub.close();
  });
  const analyst = () =>
    createGeminiAnalyst({ apiKey: "k", model: "gemini-test", baseUrl: stub.baseUrl, timeoutMs: 2000 });

  it("serves a valid answer as written, with code's flags and Chart.js configs", async () => {
    stub.reply = () => ({ status: 200, json: modelReply(JSON.stringify(goodDraft())) });
    const result = await analyst().analyze(snapshot());
    expect(result.provider).toBe("gemini");
    expect(result.fallbackReason).toBeNull();
    expect(result.report.summary).toBe(goodDraft().summary);
    const body = stub.requests.at(-1)?.body as { contents: { parts: { text: string }[] }[] };
    const prompt = body.contents[0]?.parts[0]?.text ?? "";
    expect(prompt).toContain("PUSHBUNNY ANALYSIS v1");
    expect(prompt).toContain('action "promote" with variant_id "var_b00000000001"');
  });

  it("falls back to the template when the answer invents a number, and says why", async () => {
    stub.reply = () => ({
      status: 200,
      json: modelReply(
        JSON.stringify({ ...goodDraft(), summary: "B will triple revenue to 48,000 dollars." }),
      ),
    });
    const result = await analyst().analyze(snapshot());
    expect(result.provider).toBe("offline");
    expect(result.fallbackReason).toMatch(/^rejected: summary: 48,000 is not a number in the snapshot/);
    expect(result.report.summary).toMatch(/^Winner: B/);
  });

  it("falls back on a quota error or malformed JSON instead of failing", async () => {
    stub.reply = () => ({ status: 429, json: apiError(429, "quota", "RESOURCE_EXHAUSTED") });
    expect((await analyst().analyze(snapshot())).fallbackReason).toMatch(/^rate_limited:/);
    stub.reply = () => ({ status: 200, json: modelReply("{not json") });
    expect((await analyst().analyze(snapshot())).fallbackReason).toMatch(/^malformed:/);
  });
});
