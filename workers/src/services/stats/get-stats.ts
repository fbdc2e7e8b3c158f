import { type ArmAnalysis, DAY_MS, type InstantBound, utcDay } from "@pushbunny/core";
import {
  countsFromAggregates,
  countsFromRaw,
  type ExperimentRow,
  type GoalMetric,
  listExperimentsForIntent,
  listVariantsOf,
  type VariantCounts,
  type VariantRow,
} from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, NotFoundError } from "../../errors";
import { analyzeExperiments } from "../analysis/statistics";

export interface GetStatsInput {
  intentId: string;
  locale?: string;
  dateFrom?: InstantBound;
  dateTo?: InstantBound;
  /** Count simulated traffic too (it is excluded unless asked). */
  includeSimulated?: boolean;
}

/** One arm's counts, with its statistics on the experiment's goal metric. */
export interface VariantStats {
  variant: VariantRow;
  locale: string;
  impressions: number;
  opens: number;
  openRate: number;
  conversions: number;
  conversionRate: number;
  metric: GoalMetric;
  /** Null for variants outside the comparison (retired challengers). */
  statistics: ArmAnalysis | null;
}

export interface Decision {
  status: "collecting" | "underpowered" | "srm_alarm" | "winner" | "no_difference";
  variantId: string | null;
  reason: string;
}

export interface ExperimentStats {
  experiment: ExperimentRow;
  /** The holdout group's counts: the baseline, reported apart from the arms. */
  holdout: {
    variantId: string;
    impressions: number;
    successes: number;
    rate: number;
    ci95: { low: number; high: number };
  } | null;
  srm: { chi2: number | null; df: number; pValue: number; alarm: boolean } | null;
  decision: Decision;
}

export interface Stats {
  intentId: string;
  locale: string | null;
  dateFrom: number | null;
  dateTo: number | null;
  impressions: number;
  opens: number;
  openRate: number;
  conversions: number;
  conversionRate: number;
  variants: VariantStats[];
  experiments: ExperimentStats[];
  /** The decision when the stats cover one experiment; null across several locales. */
  decision: Decision | null;
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
}): Promise<Stats> {
  if (input.dateFrom && input.dateTo && input.dateFrom.ms > input.dateTo.ms) {
    throw BadRequestError.fromIssues([{ path: "date_from", message: "must not be after date_to" }]);
  }
  const experiments = await listExperimentsForIntent(ctx.db, projectId, input.intentId, input.locale);
  if (experiments.length === 0) {
    throw new NotFoundError(
      input.locale === undefined
        ? `intent '${input.intentId}' not found`
        : `intent '${input.intentId}' has no experiment for locale '${input.locale}'`,
    );
  }
  // Read alongside the counts, not before them.
  const variants = listVariantsOf(
    ctx.db,
    projectId,
    experiments.map((e) => e.id),
  );
  return statsOf(ctx, projectId, experiments, variants, input);
}

/**
 * The stats of one experiment already read with its variants (the experiment page has them from
 * getExperiment): what getStats answers for its intent and locale, without reading them again.
 * `daily`, when given, is the experiment's real-traffic rows of dailyCounts (the page reads them
 * for its charts): their sums per variant are the all-time counts the aggregate query would return.
 */
export async function getExperimentStats({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { experiment: ExperimentRow; variants: VariantRow[]; daily?: readonly VariantCounts[] };
}): Promise<Stats> {
  return statsOf(
    ctx,
    projectId,
    [input.experiment],
    input.variants,
    { intentId: input.experiment.intentId, locale: input.experiment.locale },
    input.daily ? sumByVariant(input.daily) : undefined,
  );
}

function sumByVariant(rows: readonly VariantCounts[]): VariantCounts[] {
  const out = new Map<string, VariantCounts>();
  for (const r of rows) {
    const c = out.get(r.variantId);
    if (c) {
      c.impressions += r.impressions;
      c.opens += r.opens;
      c.conversions += r.conversions;
    } else {
      out.set(r.variantId, {
        variantId: r.variantId,
        impressions: r.impressions,
        opens: r.opens,
        conversions: r.conversions,
      });
    }
  }
  return [...out.values()];
}

/** Counts, statistics and decisions of `experiments`, given all their variants (oldest first). */
async function statsOf(
  ctx: AppContext,
  projectId: string,
  experiments: ExperimentRow[],
  variantsRead: VariantRow[] | Promise<VariantRow[]>,
  input: GetStatsInput,
  /** All-time real-traffic counts already summed by the caller. */
  known?: VariantCounts[],
): Promise<Stats> {
  const experimentIds = experiments.map((e) => e.id);
  const lane = input.includeSimulated ? "all" : "real";
  const wholeDays = (input.dateFrom?.dateOnly ?? true) && (input.dateTo?.dateOnly ?? true);
  const [variants, counts] = await Promise.all([
    variantsRead,
    known ??
      (wholeDays
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
          })),
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
  const byId = new Map(experiments.map((e) => [e.id, e]));
  // The holdout is reported with its experiment, not as an arm: it is the baseline.
  const rows: VariantStats[] = variants
    .filter((v) => v.source !== "holdout")
    .map((v) => {
      const c = byVariant.get(v.id) ?? { impressions: 0, opens: 0, conversions: 0 };
      return {
        variant: v,
        locale: byId.get(v.experimentId)?.locale ?? "",
        impressions: c.impressions,
        opens: c.opens,
        openRate: rate(c.opens, c.impressions),
        conversions: c.conversions,
        conversionRate: rate(c.conversions, c.impressions),
        metric: byId.get(v.experimentId)?.goalMetric ?? "opened",
        statistics: armOf.get(v.id) ?? null,
      };
    });
  const perExperiment: ExperimentStats[] = experiments.map((e) => {
    const a = analyses.get(e.id);
    const holdoutRow = variants.find((v) => v.experimentId === e.id && v.source === "holdout");
    return {
      experiment: e,
      holdout:
        holdoutRow && a?.holdout
          ? {
              variantId: holdoutRow.id,
              impressions: a.holdout.impressions,
              successes: a.holdout.successes,
              rate: a.holdout.rate,
              ci95: { low: a.holdout.ci95.low, high: a.holdout.ci95.high },
            }
          : null,
      srm: a?.srm ? { chi2: a.srm.chi2, df: a.srm.df, pValue: a.srm.pValue, alarm: a.srm.alarm } : null,
      decision: a
        ? { status: a.decision.status, variantId: a.decision.variantId, reason: a.decision.reason }
        : { status: "collecting", variantId: null, reason: "no data yet" },
    };
  });
  const total = (f: (r: VariantStats) => number) => rows.reduce((s, r) => s + f(r), 0);
  const impressions = total((r) => r.impressions);
  const opens = total((r) => r.opens);
  const conversions = total((r) => r.conversions);
  return {
    intentId: input.intentId,
    locale: input.locale ?? null,
    dateFrom: input.dateFrom?.ms ?? null,
    dateTo: input.dateTo?.ms ?? null,
    impressions,
    opens,
    openRate: rate(opens, impressions),
    conversions,
    conversionRate: rate(conversions, impressions),
    variants: rows,
    experiments: perExperiment,
    decision: perExperiment.length === 1 ? (perExperiment[0]?.decision ?? null) : null,
  };
}
