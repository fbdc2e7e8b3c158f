import { DEFAULT_ANALYSIS_CONFIG, newId } from "@pushbunny/core";
import {
  type AnalysisRow,
  type AnalysisSource,
  countsFromAggregates,
  dailyCounts,
  type ExperimentRow,
  experimentsDueForReport,
  findExperiment,
  insertAnalysis,
  latestAnalysis,
  type TrafficLane,
  type VariantRow,
} from "@pushbunny/db";
import {
  type AnalysisReport,
  type AnalysisSnapshot,
  armLabel,
  flagsFor,
  type SnapshotArm,
} from "@pushbunny/llm";
import type { AppContext } from "../context";
import { NotFoundError } from "../errors";
import { analyzeExperiments, comparedArms } from "./analysis";

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r3 = (x: number) => Math.round(x * 1e3) / 1e3;
const HOUR_MS = 3_600_000;
/** Experiments narrated per cron run; the rest wait for the next hour. */
const REPORT_BATCH = 25;

/** What the analysis endpoints return. */
export interface AnalysisView {
  analysis_id: string;
  experiment_id: string;
  source: AnalysisSource;
  provider: string;
  fallback_reason: string | null;
  created_at: string;
  decision: string;
  summary: string;
  insights: string[];
  winner_recommendation: AnalysisReport["winner_recommendation"];
  plots: AnalysisReport["plots"];
  flags: AnalysisReport["flags"];
  snapshot: AnalysisSnapshot;
}

export function analysisView(row: AnalysisRow): AnalysisView {
  const report = row.report as AnalysisReport;
  return {
    analysis_id: row.id,
    experiment_id: row.experimentId,
    source: row.source,
    provider: row.provider,
    fallback_reason: row.fallbackReason,
    created_at: new Date(row.createdAt).toISOString(),
    decision: row.decision,
    summary: report.summary,
    insights: report.insights,
    winner_recommendation: report.winner_recommendation,
    plots: report.plots,
    flags: report.flags,
    snapshot: row.snapshot as AnalysisSnapshot,
  };
}

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

/**
 * Builds the snapshot, has the analyst narrate it (validated against the snapshot; the
 * template stands in for any rejected answer) and stores the result.
 */
export async function analyzeExperimentNow({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: {
    projectId: string;
    experimentId: string;
    source: AnalysisSource;
    srm?: { observed: number[]; expected: number[] } | null;
  };
}): Promise<AnalysisView> {
  // Stamped with the time before the reads: data landing while the LLM writes is newer than
  // the analysis and is picked up by the next run.
  const startedAt = ctx.now();
  const found = await findExperiment(ctx.db, input.projectId, input.experimentId);
  if (!found) throw new NotFoundError(`experiment '${input.experimentId}' not found`);
  const snapshot = await buildSnapshot(ctx, {
    experiment: found.experiment,
    variants: found.variants,
    lane: input.source === "simulation" ? "simulated" : "real",
    ...(input.srm !== undefined ? { srm: input.srm } : {}),
  });
  const result = await ctx.analyst.analyze(snapshot);
  if (result.fallbackReason) {
    ctx.logger.warn("analysis narrative fell back to the template", {
      experimentId: input.experimentId,
      reason: result.fallbackReason,
    });
  }
  const row: AnalysisRow = {
    id: newId("ana"),
    projectId: input.projectId,
    experimentId: input.experimentId,
    source: input.source,
    provider: result.provider,
    fallbackReason: result.fallbackReason,
    snapshot,
    report: result.report,
    decision: snapshot.decision.status,
    createdAt: startedAt,
  };
  await insertAnalysis(ctx.db, row);
  return analysisView(row);
}

/** GET …/analysis: the latest stored analysis (of real traffic, or of the last simulation). */
export async function getLatestAnalysis({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { projectId: string; experimentId: string; simulated: boolean };
}): Promise<AnalysisView> {
  const found = await findExperiment(ctx.db, input.projectId, input.experimentId);
  if (!found) throw new NotFoundError(`experiment '${input.experimentId}' not found`);
  const row = await latestAnalysis(ctx.db, input);
  if (!row) {
    throw new NotFoundError(
      input.simulated
        ? `experiment '${input.experimentId}' has no simulation analysis yet: POST /v1/experiments/${input.experimentId}/simulate`
        : `experiment '${input.experimentId}' has no analysis yet: POST /v1/experiments/${input.experimentId}/analyze, or wait for the hourly run`,
    );
  }
  return analysisView(row);
}

/**
 * Cron: narrates running experiments that got real data since their last analysis and whose
 * last analysis is at least the configured interval old. One failure does not stop the rest.
 */
export async function runScheduledAnalyses({ ctx }: { ctx: AppContext }): Promise<{
  analyzed: string[];
  failed: string[];
}> {
  const due = await experimentsDueForReport(ctx.db, {
    now: ctx.now(),
    minAgeMs: ctx.config.analysisIntervalHours * HOUR_MS,
    limit: REPORT_BATCH,
  });
  const analyzed: string[] = [];
  const failed: string[] = [];
  for (const e of due) {
    try {
      await analyzeExperimentNow({
        ctx,
        input: { projectId: e.projectId, experimentId: e.id, source: "scheduled" },
      });
      analyzed.push(e.id);
    } catch (err) {
      failed.push(e.id);
      ctx.logger.error("scheduled analysis failed", { experimentId: e.id, error: String(err) });
    }
  }
  if (due.length > 0)
    ctx.logger.info("scheduled analyses", { analyzed: analyzed.length, failed: failed.length });
  return { analyzed, failed };
}
