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

const ISO_DAY = /\b\d{4}-\d{2}-\d{2}\b/g;
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

/** Every number the snapshot holds (values, and numbers written in its strings), unsigned. */
export function snapshotNumbers(snapshot: AnalysisSnapshot): number[] {
  const out = new Set<number>();
  const walk = (v: unknown): void => {
    if (typeof v === "number" && Number.isFinite(v)) out.add(Math.abs(v));
    else if (typeof v === "string") for (const t of numbersIn(v)) out.add(t.value);
    else if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  walk(snapshot);
  return [...out];
}

/**
 * True when `token` is a snapshot number as written, rounded to the token's precision, or the
 * same number as a percentage (0.0523 → "5.23", "5.2", "5"). Truncation and invention fail.
 */
function isKnown(token: { value: number; decimals: number }, known: readonly number[]): boolean {
  const tolerance = 0.5 * 10 ** -token.decimals + 1e-9;
  const target = Math.abs(token.value);
  return known.some((v) => Math.abs(v - target) <= tolerance || Math.abs(v * 100 - target) <= tolerance);
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
  const checkText = (where: string, text: string) => {
    for (const t of numbersIn(text)) {
      if (!isKnown(t, known)) problems.push(`${where}: ${t.text} is not a number in the snapshot`);
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
        if (!isKnown({ value: x, decimals: decimalsOf(x) }, known)) {
          problems.push(`plots[${p}].datasets[${d}]: ${x} is not a number in the snapshot`);
        }
      }
    });
  });
  if (problems.length > 0) return { ok: false, problems: problems.slice(0, 20) };
  return { ok: true, report: finishReport(draft, snapshot) };
}

const FLAG_WORDS: Record<AnalysisFlag, { pattern: RegExp; sentence: (s: AnalysisSnapshot) => string }> = {
  srm_alarm: {
    pattern: /sample ratio mismatch|\bSRM\b/i,
    sentence: () =>
      "SRM alarm: the traffic split does not match the allocation plan, so these results cannot be trusted.",
  },
  collecting: {
    pattern: /still collecting|not enough data/i,
    sentence: () => "Still collecting: not every arm has reached the minimum sample yet.",
  },
  underpowered: {
    pattern: /underpowered/i,
    sentence: () => "Underpowered: there is not yet enough data to call a winner.",
  },
  no_significant_difference: {
    pattern: /no significant difference/i,
    sentence: () => "No significant difference: the arms perform the same within the test's resolution.",
  },
};

/** Chart.js configs from the drafts, and the flags stated in the summary whatever it said. */
export function finishReport(draft: DraftReport, snapshot: AnalysisSnapshot): AnalysisReport {
  const missing = snapshot.flags.filter((f) => !FLAG_WORDS[f].pattern.test(draft.summary));
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
