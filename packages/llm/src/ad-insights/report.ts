import * as z from "zod";
import { numbersIn } from "../analysis/report";
import type { AdInsightSnapshot } from "./snapshot";

/** What a model answers and the template writes. */
export const AdInsightDraft = z.object({
  summary: z.string().trim().min(1).max(1200),
  insights: z.array(z.string().trim().min(1).max(400)).min(1).max(6),
  recommendations: z
    .array(
      z.object({
        action: z.enum(["scale", "cut"]),
        channel: z.string().min(1).max(32),
        campaign_id: z.string().min(1).max(64),
        rationale: z.string().trim().min(1).max(600),
      }),
    )
    .max(5),
});
export type AdInsightReport = z.infer<typeof AdInsightDraft>;

export type AdInsightValidation = { ok: true; report: AdInsightReport } | { ok: false; problems: string[] };

// Ratios and relative changes: a narrative may show them as percentages.
const PERCENTABLE = new Set(["roas", "spend_change", "roas_change", "cpa_change", "threshold"]);
const ISO_DAY = /\b\d{4}-\d{2}-\d{2}(?!\d)/g;

/** The snapshot's numbers: [value, may be shown ×100]. Texts (names, ids) are not findings. */
export function adSnapshotNumbers(snapshot: AdInsightSnapshot): { value: number; percent: boolean }[] {
  const out: { value: number; percent: boolean }[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === "number" && Number.isFinite(v)) out.push({ value: v, percent: PERCENTABLE.has(key) });
    else if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(snapshot, "");
  return out;
}

/**
 * Checks a draft against the snapshot: the schema; every number in the text is one code computed
 * (as written, rounded to the precision shown, or a ratio as a percentage); every day is in the
 * windows; every recommendation is one of code's candidates with the same action. Campaign
 * names and ids are quoted, not findings, so their digits are ignored.
 */
export function validateAdInsight(raw: unknown, snapshot: AdInsightSnapshot): AdInsightValidation {
  const parsed = AdInsightDraft.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join(".") || "report"}: ${i.message}`),
    };
  }
  const draft = parsed.data;
  const known = adSnapshotNumbers(snapshot);
  const quoted = [
    ...new Set(
      snapshot.campaigns
        .flatMap((c) => [c.campaign_name ?? "", c.campaign_id ?? ""])
        .filter((t) => t.length > 0),
    ),
  ].sort((a, b) => b.length - a.length);
  const days = new Set([
    snapshot.as_of,
    snapshot.window.current_from,
    snapshot.window.current_to,
    snapshot.window.baseline_from,
    snapshot.window.baseline_to,
    snapshot.computed_at.slice(0, 10),
  ]);
  const problems: string[] = [];
  const checkText = (where: string, text: string) => {
    for (const day of text.match(ISO_DAY) ?? []) {
      if (!days.has(day)) problems.push(`${where}: ${day} is not a day of the snapshot`);
    }
    const unquoted = quoted.reduce((acc, q) => acc.split(q).join(" "), text);
    for (const t of numbersIn(unquoted)) {
      const tolerance = 0.5 * 10 ** -t.decimals + 1e-9;
      const ok = known.some(
        (k) =>
          Math.abs(Math.abs(k.value) - t.value) <= tolerance ||
          (k.percent && Math.abs(Math.abs(k.value) * 100 - t.value) <= tolerance),
      );
      if (!ok) problems.push(`${where}: ${t.text} is not a number in the snapshot`);
    }
  };
  checkText("summary", draft.summary);
  draft.insights.forEach((t, i) => {
    checkText(`insights[${i}]`, t);
  });
  draft.recommendations.forEach((r, i) => {
    checkText(`recommendations[${i}].rationale`, r.rationale);
    const candidate = snapshot.candidates.find(
      (c) => c.channel === r.channel && c.campaign_id === r.campaign_id,
    );
    if (!candidate) problems.push(`recommendations[${i}]: ${r.channel}/${r.campaign_id} is not a candidate`);
    else if (candidate.action !== r.action) {
      problems.push(`recommendations[${i}]: code says ${candidate.action} ${r.channel}/${r.campaign_id}`);
    }
  });
  if (snapshot.candidates.length > 0 && draft.recommendations.length === 0) {
    problems.push("recommendations: code found candidates to scale or cut, and none is named");
  }
  if (problems.length > 0) return { ok: false, problems: problems.slice(0, 20) };
  return { ok: true, report: draft };
}
