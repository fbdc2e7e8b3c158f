import { DAY_MS, type InstantBound, utcDay } from "@pushbunny/core";
import {
  countsFromAggregates,
  countsFromRaw,
  listExperimentsForIntent,
  listVariantsOf,
  type VariantCounts,
} from "@pushbunny/db";
import type { AppContext } from "../context";
import { NotFoundError } from "../errors";

export interface GetStatsInput {
  intentId: string;
  locale?: string;
  dateFrom?: InstantBound;
  dateTo?: InstantBound;
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
  experiments: {
    experiment_id: string;
    locale: string;
    status: string;
    generation_status: string;
    generation_error: string | null;
  }[];
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
  const wholeDays = (input.dateFrom?.dateOnly ?? true) && (input.dateTo?.dateOnly ?? true);
  const [variants, counts] = await Promise.all([
    listVariantsOf(ctx.db, projectId, experimentIds),
    wholeDays
      ? countsFromAggregates(ctx.db, {
          projectId,
          experimentIds,
          fromDay: input.dateFrom ? utcDay(input.dateFrom.ms) : undefined,
          toDay: input.dateTo ? utcDay(input.dateTo.ms) : undefined,
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
        }),
  ]);
  const byVariant = new Map<string, VariantCounts>(counts.map((c) => [c.variantId, c]));
  const rows: VariantStats[] = variants.map((v) => {
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
    experiments: experiments.map((e) => ({
      experiment_id: e.id,
      locale: e.locale,
      status: e.status,
      generation_status: e.generationStatus,
      generation_error: e.generationError,
    })),
  };
}
