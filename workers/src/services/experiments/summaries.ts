import {
  type ExperimentRow,
  experimentTotals,
  type HistoryRow,
  type VariantRow,
  variantCounts,
} from "@pushbunny/db";
import type { AppContext } from "../../context";

/** An experiment with its all-time totals and how many arms it has (the holdout not counted). */
export interface ExperimentSummary {
  experiment: ExperimentRow;
  totals: { impressions: number; opens: number; conversions: number };
  arms: { total: number; active: number };
}

/** One experiment in full: its variants (oldest first) and history (newest first). */
export interface ExperimentDetail extends ExperimentSummary {
  variants: VariantRow[];
  history: HistoryRow[];
}

/** Summaries of a page of experiments, in the page's order: two reads whatever its size. */
export async function summarize(
  ctx: AppContext,
  projectId: string,
  rows: ExperimentRow[],
): Promise<ExperimentSummary[]> {
  const ids = rows.map((e) => e.id);
  const [totals, counts] = await Promise.all([
    experimentTotals(ctx.db, projectId, ids),
    variantCounts(ctx.db, projectId, ids),
  ]);
  const totalsOf = new Map(totals.map((t) => [t.experimentId, t]));
  const countsOf = new Map(counts.map((c) => [c.experimentId, c]));
  return rows.map((experiment) => {
    const t = totalsOf.get(experiment.id);
    const c = countsOf.get(experiment.id);
    return {
      experiment,
      totals: { impressions: t?.impressions ?? 0, opens: t?.opens ?? 0, conversions: t?.conversions ?? 0 },
      arms: { total: c?.total ?? 0, active: c?.active ?? 0 },
    };
  });
}
