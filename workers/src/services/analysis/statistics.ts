import { analyzeExperiment, type ExperimentAnalysis, expectedCounts } from "@pushbunny/core";
import {
  type AllocationPeriod,
  allocationPeriods,
  type ExperimentRow,
  type VariantCounts,
  type VariantRow,
} from "@pushbunny/db";
import type { AppContext } from "../../context";

export interface ExperimentStatsInput {
  experiment: ExperimentRow;
  /** All variants of the experiment (holdout and retired ones included). */
  variants: VariantRow[];
  counts: Map<string, VariantCounts>;
  /**
   * The sample-ratio input when the allocation periods do not describe the traffic (a
   * simulation knows its own split); absent means "from the periods".
   */
  srm?: { observed: number[]; expected: number[] } | null;
}

const successesOf = (e: ExperimentRow, c: VariantCounts | undefined) =>
  e.goalMetric === "conversion" ? (c?.conversions ?? 0) : (c?.opens ?? 0);

/**
 * The arms a decision is about: the control and every challenger still in the running (a
 * retired arm keeps its counts in the report but cannot win).
 */
export function comparedArms(variants: VariantRow[]): VariantRow[] {
  return variants.filter((v) => v.source !== "holdout" && (v.source === "control" || v.status !== "retired"));
}

/**
 * The sample-ratio test over every allocation period: each period's impressions are expected
 * to split by the weights in force then (equal for round-robin and sticky, the posterior
 * weights for Thompson, the holdout share for the holdout).
 */
export function srmFromPeriods(
  periods: AllocationPeriod[],
): { observed: number[]; expected: number[] } | null {
  const ids = [...new Set(periods.flatMap((p) => [...Object.keys(p.weights), ...Object.keys(p.counts)]))];
  if (ids.length < 2) return null;
  const observed = ids.map((id) => periods.reduce((s, p) => s + (p.counts[id] ?? 0), 0));
  if (observed.reduce((s, n) => s + n, 0) === 0) return null;
  const expected = expectedCounts(
    periods.map((p) => ({
      total: Object.values(p.counts).reduce((s, n) => s + n, 0),
      weights: ids.map((id) => p.weights[id] ?? 0),
    })),
  );
  return { observed, expected };
}

/** Runs the statistics of several experiments of one project (see analyzeExperiment in core). */
export async function analyzeExperiments(
  ctx: AppContext,
  projectId: string,
  inputs: ExperimentStatsInput[],
): Promise<Map<string, ExperimentAnalysis>> {
  const periods = await allocationPeriods(
    ctx.db,
    projectId,
    inputs.map((i) => i.experiment.id),
  );
  const out = new Map<string, ExperimentAnalysis>();
  for (const { experiment: e, variants, counts, srm: srmOverride } of inputs) {
    const arms = comparedArms(variants).map((v) => {
      const c = counts.get(v.id);
      const impressions = c?.impressions ?? 0;
      return {
        id: v.id,
        control: v.source === "control",
        impressions,
        successes: Math.min(successesOf(e, c), impressions),
      };
    });
    const holdoutRow = variants.find((v) => v.source === "holdout");
    const holdoutCounts = holdoutRow ? counts.get(holdoutRow.id) : undefined;
    const holdout =
      holdoutRow && (holdoutCounts?.impressions ?? 0) > 0
        ? {
            impressions: holdoutCounts?.impressions ?? 0,
            successes: Math.min(successesOf(e, holdoutCounts), holdoutCounts?.impressions ?? 0),
          }
        : null;
    const srm = srmOverride !== undefined ? srmOverride : srmFromPeriods(periods.get(e.id) ?? []);
    out.set(
      e.id,
      analyzeExperiment({
        arms,
        holdout,
        srm,
        config: { minSample: e.minSample },
      }),
    );
  }
  return out;
}
