import { DEFAULT_ANALYSIS_CONFIG } from "@pushbunny/core";
import {
  countsFromAggregates,
  dailyCounts,
  type ExperimentRow,
  type TrafficLane,
  type VariantRow,
} from "@pushbunny/db";
import { type AnalysisSnapshot, armLabel, flagsFor, type SnapshotArm } from "@pushbunny/llm";
import type { AppContext } from "../../context";
import { analyzeExperiments, comparedArms } from "./statistics";

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r3 = (x: number) => Math.round(x * 1e3) / 1e3;

/**
 * The statistics snapshot of one experiment: every number the narrative may use, computed by
 * the experiment engine and rounded for presentation. `lane` picks real or simulated traffic.
 */
export async function buildSnapshot(
  ctx: AppContext,
  input: {
    experiment: ExperimentRow;
    variants: VariantRow[];
    lane: Exclude<TrafficLane, "all">;
    srm?: { observed: number[]; expected: number[] } | null;
  },
): Promise<AnalysisSnapshot> {
  const e = input.experiment;
  const [counts, daily] = await Promise.all([
    countsFromAggregates(ctx.db, { projectId: e.projectId, experimentIds: [e.id], lane: input.lane }),
    dailyCounts(ctx.db, { projectId: e.projectId, experimentId: e.id, lane: input.lane }),
  ]);
  const analysis = (
    await analyzeExperiments(ctx, e.projectId, [
      {
        experiment: e,
        variants: input.variants,
        counts: new Map(counts.map((c) => [c.variantId, c])),
        ...(input.srm !== undefined ? { srm: input.srm } : {}),
      },
    ])
  ).get(e.id);
  if (!analysis) throw new Error(`no statistics for ${e.id}`);
  const rowOf = new Map(input.variants.map((v) => [v.id, v]));
  const controlRate = analysis.arms.find((a) => a.control)?.rate ?? 0;
  let challengerIndex = 0;
  const arms: SnapshotArm[] = analysis.arms.map((a) => {
    const v = rowOf.get(a.id);
    const control = v?.source === "control";
    const label = armLabel(control ? 0 : ++challengerIndex, control);
    return {
      variant_id: a.id,
      label,
      text: v?.text ?? "",
      source: v?.source ?? "llm",
      status: v?.status ?? "active",
      control,
      impressions: a.impressions,
      successes: a.successes,
      rate: r4(a.rate),
      ci95_low: r4(a.ci95.low),
      ci95_high: r4(a.ci95.high),
      uplift: a.vsControl?.uplift == null ? null : r4(a.vsControl.uplift),
      diff_vs_control: a.vsControl ? r4(a.rate - controlRate) : null,
      p_value_holm: a.vsControl ? r4(a.vsControl.pValueHolm) : null,
      chance_to_beat: a.vsControl ? r4(a.vsControl.chanceToBeat) : null,
      p_best: r4(a.pBest),
      expected_loss: r4(a.expectedLoss),
      guards_met: a.guardsMet,
    };
  });
  const armIds = new Set(comparedArms(input.variants).map((v) => v.id));
  const goal = e.goalMetric;
  const days = [...new Set(daily.filter((d) => armIds.has(d.variantId)).map((d) => d.day))].sort();
  const dailyRows = days.flatMap((day) =>
    arms.map((arm) => {
      const row = daily.find((d) => d.day === day && d.variantId === arm.variant_id);
      const impressions = row?.impressions ?? 0;
      const successes = Math.min(
        goal === "conversion" ? (row?.conversions ?? 0) : (row?.opens ?? 0),
        impressions,
      );
      return {
        day,
        variant_id: arm.variant_id,
        impressions,
        successes,
        rate: impressions > 0 ? r4(successes / impressions) : 0,
      };
    }),
  );
  const totalImpressions = arms.reduce((s, a) => s + a.impressions, 0);
  const totalSuccesses = arms.reduce((s, a) => s + a.successes, 0);
  return {
    experiment_id: e.id,
    intent_id: e.intentId,
    locale: e.locale,
    strategy: e.strategy,
    goal_metric: goal,
    lane: input.lane,
    decision: {
      status: analysis.decision.status,
      variant_id: analysis.decision.variantId,
      reason: analysis.decision.reason,
    },
    flags: flagsFor(analysis.decision.status, analysis.srm?.alarm === true),
    method: {
      confidence_level: 95,
      alpha: DEFAULT_ANALYSIS_CONFIG.alpha,
      win_probability: DEFAULT_ANALYSIS_CONFIG.winProbability,
      min_sample: e.minSample,
    },
    arms,
    holdout: analysis.holdout
      ? {
          impressions: analysis.holdout.impressions,
          successes: analysis.holdout.successes,
          rate: r4(analysis.holdout.rate),
          ci95_low: r4(analysis.holdout.ci95.low),
          ci95_high: r4(analysis.holdout.ci95.high),
        }
      : null,
    srm: analysis.srm
      ? { chi2: r3(analysis.srm.chi2), p_value: r4(analysis.srm.pValue), alarm: analysis.srm.alarm }
      : null,
    daily: dailyRows,
    totals: {
      impressions: totalImpressions,
      successes: totalSuccesses,
      rate: totalImpressions > 0 ? r4(totalSuccesses / totalImpressions) : 0,
      arms: arms.length,
      challengers: arms.filter((a) => !a.control).length,
      days: days.length,
    },
    computed_at: new Date(ctx.now()).toISOString(),
  };
}
