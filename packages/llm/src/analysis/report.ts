import * as z from "zod";
import type { AnalysisFlag, AnalysisSnapshot, DecisionStatus } from "./snapshot";

export const RECOMMENDATION_ACTIONS = ["promote", "keep_testing", "stop", "investigate_srm"] as const;
export type RecommendationAction = (typeof RECOMMENDATION_ACTIONS)[number];

const MAX_POINTS = 400;

/** What a model answers (and the offline template writes): plots as compact series. */
export const DraftReport = z.object({
  summary: z.string().trim().min(1).max(1500),
  insights: z.array(z.string().trim().min(1).max(500)).min(1).max(8),
  winner_recommendation: z.object({
    action: z.enum(RECOMMENDATION_ACTIONS),
    variant_id: z.string().nullable(),
    rationale: z.string().trim().min(1).max(800),
  }),
  plots: z
    .array(
      z.object({
        type: z.enum(["bar", "line", "pie"]),
        title: z.string().trim().min(1).max(120),
        labels: z.array(z.string().max(64)).min(1).max(MAX_POINTS),
        datasets: z
          .array(
            z.object({
              label: z.string().trim().min(1).max(64),
              data: z.array(z.number().finite()).min(1).max(MAX_POINTS),
            }),
          )
          .min(1)
          .max(26),
      }),
    )
    .min(1)
    .max(6),
});
export type DraftReport = z.infer<typeof DraftReport>;

/** A Chart.js configuration: `new Chart(canvas, plot)` renders it as is. */
export interface ChartSpec {
  type: "bar" | "line" | "pie";
  data: { labels: string[]; datasets: { label: string; data: number[] }[] };
  options: { responsive: true; plugins: { title: { display: true; text: string } } };
}

export interface AnalysisReport {
  summary: string;
  insights: string[];
  winner_recommendation: { action: RecommendationAction; variant_id: string | null; rationale: string };
  plots: ChartSpec[];
  /** Stated by code from the statistics, whatever the narrative says. */
  flags: AnalysisFlag[];
}

export type ValidationOutcome = { ok: true; report: AnalysisReport } | { ok: false; problems: string[] };

/** What the decision obliges the recommendation to say. */
export function expectedRecommendation(snapshot: AnalysisSnapshot): {
  action: RecommendationAction;
  variant_id: string | null;
} {
  const actions: Record<DecisionStatus, RecommendationAction> = {
    winner: "promote",
    srm_alarm: "investigate_srm",
    no_difference: "stop",
    underpowered: "keep_testing",
    collecting: "keep_testing",
  };
  return {
    action: actions[snapshot.decision.status],
    variant_id: snapshot.decision.status === "winner" ? snapshot.decision.variant_id : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Numbers

// A day, also when a time follows it ("2026-11-22T10:00").
const ISO_DAY = /\b\d{4}-\d{2}-\d{2}(?!\d)/g;
// Ids carry hex digits that are not numbers anyone reads.
const ID_TOKEN = /\b[a-z]{3}_[0-9a-z]+\b/g;
const NUMBER = /\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g;

interface NumberToken {
  text: string;
  value: number;
  decimals: number;
}

/** The numbers a text states (dates and ids aside), as written. */
export function numbersIn(text: string): NumberToken[] {
  const stripped = text.replace(ISO_DAY, " ").replace(ID_TOKEN, " ");
  return [...stripped.matchAll(NUMBER)].map((m) => {
    const raw = m[0].replace(/,/g, "");
    const dot = raw.indexOf(".");
    return { text: m[0], value: Number(raw), decimals: dot < 0 ? 0 : raw.length - dot - 1 };
  });
}

// Fields holding a proportion or probability: the narrative may show them as a percentage.
const PROPORTIONS = new Set([
  "rate",
  "ci95_low",
  "ci95_high",
  "uplift",
  "diff_vs_control",
  "p_value_holm",
  "chance_to_beat",
  "p_best",
  "expected_loss",
  "p_value",
  "alpha",
  "win_probability",
]);

/** What the snapshot lets a narrative say, by kind of number. */
export interface KnownNumbers {
  /** Counts and other exact values: stated as they are (thousands separators allowed). */
  exact: number[];
  /** Proportions (signed): as written, rounded, or ×100 as a percentage, rounded. */
  proportions: number[];
  /** Other statistics (χ²) and the numbers of the decision's reason: as written or rounded. */
  rounded: number[];
}

/**
 * The snapshot's numbers by kind, read from its numeric fields and the decision's reason only:
 * copy texts and ids are not numbers the analysis found.
 */
export function snapshotNumbers(snapshot: AnalysisSnapshot): KnownNumbers {
  const known: KnownNumbers = { exact: [], proportions: [], rounded: [] };
  const walk = (v: unknown, key: string): void => {
    if (typeof v === "number" && Number.isFinite(v)) {
      if (PROPORTIONS.has(key)) known.proportions.push(v);
      else if (key === "chi2") known.rounded.push(v);
      else known.exact.push(v);
    } else if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(snapshot, "");
  for (const t of numbersIn(snapshot.decision.reason)) known.rounded.push(t.value);
  return known;
}

const near = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance;

/**
 * True when `token` states a snapshot number: a count exactly; a proportion as written or as
 * a percentage, rounded to the token's precision; a statistic rounded. `signed` compares signs
 * too (plot data); text is compared unsigned, since a dash is not always a minus.
 */
function isKnown(token: { value: number; decimals: number }, known: KnownNumbers, signed: boolean): boolean {
  const tolerance = 0.5 * 10 ** -token.decimals + 1e-9;
  const t = signed ? token.value : Math.abs(token.value);
  const f = (v: number) => (signed ? v : Math.abs(v));
  return (
    known.exact.some((v) => f(v) === t) ||
    known.rounded.some((v) => near(f(v), t, tolerance)) ||
    known.proportions.some((v) => near(f(v), t, tolerance) || near(f(v) * 100, t, tolerance))
  );
}

/** Decimal places a plotted number carries (plots hold numbers, not text). */
function decimalsOf(x: number): number {
  const s = String(Math.abs(x));
  if (s.includes("e")) return 12;
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

// ---------------------------------------------------------------------------------------------
// Validation

/**
 * Checks a model's answer against the snapshot: the schema, every number (in text and in
 * plots) present in the snapshot, chart labels naming arms or days, and a recommendation that
 * agrees with the decision code made. Returns the report with code's flags surfaced.
 */
export function validateReport(raw: unknown, snapshot: AnalysisSnapshot): ValidationOutcome {
  const parsed = DraftReport.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join(".") || "report"}: ${i.message}`),
    };
  }
  const draft = parsed.data;
  const known = snapshotNumbers(snapshot);
  const problems: string[] = [];
  // Quoting an arm's copy is fine ("20% off" is the copy, not a finding).
  const copies = snapshot.arms
    .map((a) => a.text)
    .filter((t) => t.length > 0)
    .sort((x, y) => y.length - x.length);
  const checkText = (where: string, text: string) => {
    const unquoted = copies.reduce((acc, copy) => acc.split(copy).join(" "), text);
    for (const t of numbersIn(unquoted)) {
      if (!isKnown(t, known, false)) problems.push(`${where}: ${t.text} is not a number in the snapshot`);
    }
    for (const day of text.match(ISO_DAY) ?? []) {
      if (!snapshot.daily.some((d) => d.day === day) && !snapshot.computed_at.startsWith(day)) {
        problems.push(`${where}: ${day} is not a day in the snapshot`);
      }
    }
  };
  checkText("summary", draft.summary);
  for (const [i, t] of draft.insights.entries()) checkText(`insights[${i}]`, t);
  checkText("winner_recommendation.rationale", draft.winner_recommendation.rationale);

  const expected = expectedRecommendation(snapshot);
  const rec = draft.winner_recommendation;
  if (rec.action !== expected.action || rec.variant_id !== expected.variant_id) {
    problems.push(
      `winner_recommendation: the decision is ${snapshot.decision.status}, so the recommendation must be ${expected.action}${expected.variant_id ? ` ${expected.variant_id}` : " with no variant"}`,
    );
  }

  const labels = new Set([
    ...snapshot.arms.flatMap((a) => [a.label, a.variant_id]),
    ...snapshot.daily.map((d) => d.day),
    "Holdout",
  ]);
  draft.plots.forEach((plot, p) => {
    checkText(`plots[${p}].title`, plot.title);
    for (const label of plot.labels) {
      if (!labels.has(label))
        problems.push(`plots[${p}].labels: ${JSON.stringify(label)} is not an arm or a day`);
    }
    plot.datasets.forEach((ds, d) => {
      checkText(`plots[${p}].datasets[${d}].label`, ds.label);
      if (ds.data.length !== plot.labels.length) {
        problems.push(
          `plots[${p}].datasets[${d}]: ${ds.data.length} values for ${plot.labels.length} labels`,
        );
      }
      for (const x of ds.data) {
        if (!isKnown({ value: x, decimals: decimalsOf(x) }, known, true)) {
          problems.push(`plots[${p}].datasets[${d}]: ${x} is not a number in the snapshot`);
        }
      }
    });
  });
  if (problems.length > 0) return { ok: false, problems: problems.slice(0, 20) };
  return { ok: true, report: finishReport(draft, snapshot) };
}

// A narrative states a flag only by leading with it: a mention elsewhere may be a negation
// ("no SRM problem"), so anything else gets code's sentence first.
const FLAG_WORDS: Record<AnalysisFlag, { pattern: RegExp; sentence: (s: AnalysisSnapshot) => string }> = {
  srm_alarm: {
    pattern: /^SRM alarm\b/,
    sentence: () =>
      "SRM alarm: the traffic split does not match the allocation plan, so these results cannot be trusted.",
  },
  collecting: {
    pattern: /^Still collecting\b/,
    sentence: () => "Still collecting: not every arm has reached the minimum sample yet.",
  },
  underpowered: {
    pattern: /^Underpowered\b/,
    sentence: () => "Underpowered: there is not yet enough data to call a winner.",
  },
  no_significant_difference: {
    pattern: /^No significant difference\b/,
    sentence: () => "No significant difference: the arms perform the same within the test's resolution.",
  },
};

/** Chart.js configs from the drafts, and the flags stated in the summary whatever it said. */
export function finishReport(draft: DraftReport, snapshot: AnalysisSnapshot): AnalysisReport {
  const missing = snapshot.flags.filter((f) => !FLAG_WORDS[f].pattern.test(draft.summary.trimStart()));
  const summary = [...missing.map((f) => FLAG_WORDS[f].sentence(snapshot)), draft.summary].join(" ");
  return {
    summary,
    insights: draft.insights,
    winner_recommendation: draft.winner_recommendation,
    plots: draft.plots.map((p) => ({
      type: p.type,
      data: { labels: p.labels, datasets: p.datasets.map((d) => ({ label: d.label, data: d.data })) },
      options: { responsive: true, plugins: { title: { display: true, text: p.title } } },
    })),
    flags: snapshot.flags,
  };
}
