import { type ArmAnalysis, DAY_MS, type InstantBound, utcDay } from "@pushbunny/core";
import {
  countsFromAggregates,
  countsFromRaw,
  listExperimentsForIntent,
  listVariantsOf,
  type VariantCounts,
} from "@pushbunny/db";
import type { AppContext } from "../context";
import { NotFoundError } from "../errors";
import { analyzeExperiments } from "./analysis";

export interface GetStatsInput {
  intentId: string;
  locale?: string;
  dateFrom?: InstantBound;
  dateTo?: InstantBound;
  /** Count simulated traffic too (it is excluded unless asked). */
  includeSimulated?: boolean;
}

export interface VariantStats {
  variant_id: string;
  text: string;
  impressions: number;
  opens: number;
  open_rate: number;
  conversions: number;
  conversion_rate: number;
  experiment_id: string;
  locale: string;
  source: string;
  status: string;
  /** On the experiment's goal metric; null for variants outside the comparison (retired). */
  statistics: VariantStatistics | null;
}

export interface VariantStatistics {
  metric: "opened" | "conversion";
  rate: number;
  ci95: { low: number; high: number };
  vs_control: {
    uplift: number | null;
    z: number;
    p_value: number;
    p_value_holm: number;
    chance_to_beat: number;
  } | null;
  uplift_vs_holdout: number | null;
  p_best: number;
  expected_loss: number;
  guards_met: boolean;
}

export interface DecisionOutput {
  status: "collecting" | "underpowered" | "srm_alarm" | "winner" | "no_difference";
  variant_id: string | null;
  reason: string;
}

export interface ExperimentStatsOutput {
  experiment_id: string;
  locale: string;
  status: string;
  strategy: string;
  goal_metric: string;
  generation_status: string;
  generation_error: string | null;
  winner_variant_id: string | null;
  holdout: {
    variant_id: string;
    share: number;
    impressions: number;
    successes: number;
    rate: number;
    ci95: { low: number; high: number };
  } | null;
  srm: { chi2: number; df: number; p_value: number; alarm: boolean } | null;
  decision: DecisionOutput;
}

export interface StatsOutput {
  intent_id: string;
  total_impressions: number;
  total_opens: number;
  overall_open_rate: number;
  total_conversions: number;
  overall_conversion_rate: number;
  variants: VariantStats[];
  locale: string | null;
  date_from: string | null;
  date_to: string | null;
  experiments: ExperimentStatsOutput[];
  /** The decision when the response covers one experiment; null across several locales. */
  decision: DecisionOutput | null;
}

const rate = (n: number, d: number) => (d > 0 ? n / d : 0);

/**
 * Per-variant counts and rates for an intent. Events count toward the day of the impression
 * that earned them, and the date range selects impressions; so opens never exceed
 * impressions, whatever the range. Whole-day ranges read the daily aggregates; ranges with a
 * time of day read the raw rows for exact bounds.
 */
export async function getStats({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: GetStatsInput;
}): Promise<StatsOutput> {
  const experiments = await listExperimentsForIntent(ctx.db, projectId, input.intentId, input.locale);
  if (experiments.length === 0) {
    throw new NotFoundError(
      input.locale === undefined
        ? `intent '${input.intentId}' not found`
        : `intent '${input.intentId}' has no experiment for locale '${input.locale}'`,
    );
  }
  const experimentIds = experiments.map((e) => e.id);
  const localeOf = new Map(experiments.map((e) => [e.id, e.locale]));
  const lane = input.includeSimulated ? "all" : "real";
  const wholeDays = (input.dateFrom?.dateOnly ?? true) && (input.dateTo?.dateOnly ?? true);
  const [variants, counts] = await Promise.all([
    listVariantsOf(ctx.db, projectId, experimentIds),
    wholeDays
      ? countsFromAggregates(ctx.db, {
          projectId,
          experimentIds,
          fromDay: input.dateFrom ? utcDay(input.dateFrom.ms) : undefined,
          toDay: input.dateTo ? utcDay(input.dateTo.ms) : undefined,
          lane,
        })
      : countsFromRaw(ctx.db, {
          projectId,
          experimentIds,
          fromMs: input.dateFrom?.ms,
          // A bare date as the upper bound includes that whole day.
          toMs: input.dateTo
            ? input.dateTo.dateOnly
              ? input.dateTo.ms + DAY_MS - 1
              : input.dateTo.ms
            : undefined,
          lane,
        }),
  ]);
  const byVariant = new Map<string, VariantCounts>(counts.map((c) => [c.variantId, c]));
  const analyses = await analyzeExperiments(
    ctx,
    projectId,
    experiments.map((e) => ({
      experiment: e,
      variants: variants.filter((v) => v.experimentId === e.id),
      counts: byVariant,
    })),
  );
  const armOf = new Map([...analyses.values()].flatMap((a) => a.arms.map((arm) => [arm.id, arm] as const)));
  const goalOf = new Map(experiments.map((e) => [e.id, e.goalMetric]));
  // The holdout is reported with its experiment, not as an arm: it is the baseline.
  const rows: VariantStats[] = variants
    .filter((v) => v.source !== "holdout")
    .map((v) => {
      const c = byVariant.get(v.id) ?? { impressions: 0, opens: 0, conversions: 0 };
      return {
        variant_id: v.id,
        text: v.text,
        impressions: c.impressions,
        opens: c.opens,
        open_rate: rate(c.opens, c.impressions),
        conversions: c.conversions,
        conversion_rate: rate(c.conversions, c.impressions),
        experiment_id: v.experimentId,
        locale: localeOf.get(v.experimentId) ?? "",
        source: v.source,
        status: v.status,
        statistics: statisticsOf(armOf.get(v.id), goalOf.get(v.experimentId) ?? "opened"),
      };
    });
  const experimentOutputs: ExperimentStatsOutput[] = experiments.map((e) => {
    const a = analyses.get(e.id);
    const holdoutRow = variants.find((v) => v.experimentId === e.id && v.source === "holdout");
    return {
      experiment_id: e.id,
      locale: e.locale,
      status: e.status,
      strategy: e.strategy,
      goal_metric: e.goalMetric,
      generation_status: e.generationStatus,
      generation_error: e.generationError,
      winner_variant_id: e.winnerVariantId,
      holdout:
        holdoutRow && a?.holdout
          ? {
              variant_id: holdoutRow.id,
              share: e.holdoutShare,
              impressions: a.holdout.impressions,
              successes: a.holdout.successes,
              rate: a.holdout.rate,
              ci95: { low: a.holdout.ci95.low, high: a.holdout.ci95.high },
            }
          : null,
      srm: a?.srm ? { chi2: a.srm.chi2, df: a.srm.df, p_value: a.srm.pValue, alarm: a.srm.alarm } : null,
      decision: a
        ? { status: a.decision.status, variant_id: a.decision.variantId, reason: a.decision.reason }
        : { status: "collecting", variant_id: null, reason: "no data yet" },
    };
  });
  const total = (f: (r: VariantStats) => number) => rows.reduce((s, r) => s + f(r), 0);
  const impressions = total((r) => r.impressions);
  const opens = total((r) => r.opens);
  const conversions = total((r) => r.conversions);
  return {
    intent_id: input.intentId,
    total_impressions: impressions,
    total_opens: opens,
    overall_open_rate: rate(opens, impressions),
    total_conversions: conversions,
    overall_conversion_rate: rate(conversions, impressions),
    variants: rows,
    locale: input.locale ?? null,
    date_from: input.dateFrom ? new Date(input.dateFrom.ms).toISOString() : null,
    date_to: input.dateTo ? new Date(input.dateTo.ms).toISOString() : null,
    experiments: experimentOutputs,
    decision: experimentOutputs.length === 1 ? (experimentOutputs[0]?.decision ?? null) : null,
  };
}

function statisticsOf(
  arm: ArmAnalysis | undefined,
  metric: "opened" | "conversion",
): VariantStatistics | null {
  if (!arm) return null;
  return {
    metric,
    rate: arm.rate,
    ci95: { low: arm.ci95.low, high: arm.ci95.high },
    vs_control: arm.vsControl
      ? {
          uplift: arm.vsControl.uplift,
          z: arm.vsControl.z,
          p_value: arm.vsControl.pValue,
          p_value_holm: arm.vsControl.pValueHolm,
          chance_to_beat: arm.vsControl.chanceToBeat,
        }
      : null,
    uplift_vs_holdout: arm.upliftVsHoldout,
    p_best: arm.pBest,
    expected_loss: arm.expectedLoss,
    guards_met: arm.guardsMet,
  };
}
