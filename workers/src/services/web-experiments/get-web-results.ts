import type { Decision, Interval, SrmAnalysis } from "@pushbunny/core";
import { countsFromAggregates, findExperiment, metricCounts, type WebExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { analyzeExperiments } from "../analysis/statistics";
import { mustWebExperiment, type WebExperimentRef } from "./lib/lookup";

/** The events type a secondary metric is recorded as (the primary one is `conversion`). */
export const metricEventType = (metric: string) => `m:${metric}`;

export interface SegmentResult {
  key: string;
  name: string;
  variantId: string;
  trafficPercent: number;
  exposures: number;
  /** Share of all exposures this segment got (compare with trafficPercent). */
  exposureShare: number;
  primary: {
    conversions: number;
    rate: number;
    ci95: Interval;
    pBest: number;
    chanceToBeatControl: number | null;
  };
  secondary: { metric: string; count: number; rate: number }[];
}

export interface WebResults {
  key: string;
  experimentId: string;
  status: WebExperimentRow["status"];
  primaryMetric: string;
  secondaryMetrics: string[];
  segments: SegmentResult[];
  srm: SrmAnalysis | null;
  decision: Decision;
}

/**
 * Per segment: exposures, primary conversions with rate, Wilson interval and P(best) from the
 * engine's statistics, secondary metrics (distinct exposures that recorded them), and the
 * sample-ratio test against the segments' traffic (the allocation's weights).
 */
export async function getWebResults({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: WebExperimentRef;
}): Promise<WebResults> {
  const row = await mustWebExperiment(ctx, projectId, input);
  const found = await findExperiment(ctx.db, projectId, row.experimentId);
  if (!found) throw new NotFoundError(`experiment '${row.experimentId}' not found`);
  const variantIds = row.segments.map((s) => s.variantId);
  const [counts, metrics] = await Promise.all([
    countsFromAggregates(ctx.db, { projectId, experimentIds: [row.experimentId] }),
    metricCounts(ctx.db, {
      projectId,
      experimentId: row.experimentId,
      variantIds,
      types: row.secondaryMetrics.map(metricEventType),
    }),
  ]);
  const byVariant = new Map(counts.map((c) => [c.variantId, c]));
  const analysis = (
    await analyzeExperiments(ctx, projectId, [
      { experiment: found.experiment, variants: found.variants, counts: byVariant },
    ])
  ).get(row.experimentId);
  const totalExposures = row.segments.reduce(
    (s, seg) => s + (byVariant.get(seg.variantId)?.impressions ?? 0),
    0,
  );
  const segments = row.segments.map((s): SegmentResult => {
    const c = byVariant.get(s.variantId);
    const exposures = c?.impressions ?? 0;
    const arm = analysis?.arms.find((a) => a.id === s.variantId);
    const conversions = Math.min(c?.conversions ?? 0, exposures);
    return {
      key: s.key,
      name: s.name,
      variantId: s.variantId,
      trafficPercent: s.trafficPercent,
      exposures,
      exposureShare: totalExposures > 0 ? exposures / totalExposures : 0,
      primary: {
        conversions,
        rate: arm?.rate ?? (exposures > 0 ? conversions / exposures : 0),
        ci95: arm?.ci95 ?? { low: 0, high: 1 },
        pBest: arm?.pBest ?? 0,
        chanceToBeatControl: arm?.vsControl?.chanceToBeat ?? null,
      },
      secondary: row.secondaryMetrics.map((metric) => {
        const count =
          metrics.find((m) => m.variantId === s.variantId && m.type === metricEventType(metric))?.count ?? 0;
        return { metric, count, rate: exposures > 0 ? Math.min(count, exposures) / exposures : 0 };
      }),
    };
  });
  return {
    key: row.key,
    experimentId: row.experimentId,
    status: row.status,
    primaryMetric: row.primaryMetric,
    secondaryMetrics: row.secondaryMetrics,
    segments,
    srm: analysis?.srm ?? null,
    decision: analysis?.decision ?? { status: "collecting", variantId: null, reason: "no data yet" },
  };
}
