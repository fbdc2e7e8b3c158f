import { createRoute, z } from "@hono/zod-openapi";
import { type InstantBound, parseIsoInstant } from "@pushbunny/core";
import { getStats, type Stats } from "../../../services/stats/get-stats";
import { BEARER, commonErrors, Instant, LocaleTag, notFound } from "../../schemas";
import type { App } from "../../types";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A range bound: a whole UTC day (`YYYY-MM-DD`, read from the daily aggregates) or an instant
 * through the shared `Instant` input (ISO 8601 with a zone, or Unix milliseconds; a query
 * string carries the milliseconds as digits).
 */
const RangeBound = z
  .string()
  .optional()
  .transform((value, ctx): InstantBound | undefined => {
    if (value === undefined || value === "") return undefined;
    if (DAY.test(value)) {
      const day = parseIsoInstant(value);
      if (day) return day;
      ctx.addIssue({ code: "custom", message: `'${value}' is not a calendar day` });
      return z.NEVER;
    }
    const instant = Instant.safeParse(/^\d+$/.test(value) ? Number(value) : value);
    if (instant.success) return { ms: instant.data, dateOnly: false };
    ctx.addIssue({
      code: "custom",
      message: "must be a day (YYYY-MM-DD), an ISO 8601 date-time with a zone, or Unix milliseconds",
    });
    return z.NEVER;
  })
  .openapi({
    type: "string",
    description:
      "A UTC day (`2026-11-01`, the whole day), an ISO 8601 date-time with a zone, or Unix milliseconds",
    example: "2026-11-01",
  });

export const StatsQuery = z.object({
  intent_id: z.string().trim().min(1, "is required").max(128).openapi({ example: "cart_abandonment" }),
  locale: LocaleTag.optional().openapi({ type: "string", example: "en-US" }),
  date_from: RangeBound,
  date_to: RangeBound,
  include_simulated: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => v === "true" || v === "1")
    .openapi({
      type: "string",
      enum: ["true", "false"],
      description: "Also count traffic injected by POST /v1/experiments/{id}/simulate (default false)",
    }),
});

const Interval = z.object({ low: z.number(), high: z.number() });

const VariantStatistics = z
  .object({
    metric: z.enum(["opened", "conversion"]),
    rate: z.number(),
    ci95: Interval.openapi({ description: "Wilson 95% interval" }),
    vs_control: z
      .object({
        uplift: z.number().nullable(),
        z: z.number(),
        p_value: z.number(),
        p_value_holm: z.number(),
        chance_to_beat: z.number(),
      })
      .nullable(),
    uplift_vs_holdout: z.number().nullable(),
    p_best: z.number(),
    expected_loss: z.number(),
    guards_met: z.boolean(),
  })
  .openapi("VariantStatistics");

const Decision = z
  .object({
    status: z.enum(["collecting", "underpowered", "srm_alarm", "winner", "no_difference"]),
    variant_id: z.string().nullable(),
    reason: z.string(),
  })
  .openapi("Decision");

const VariantStats = z.object({
  variant_id: z.string(),
  text: z.string(),
  impressions: z.number().int(),
  opens: z.number().int(),
  open_rate: z.number(),
  conversions: z.number().int(),
  conversion_rate: z.number(),
  experiment_id: z.string(),
  locale: z.string(),
  source: z.string(),
  status: z.string(),
  statistics: VariantStatistics.nullable(),
});

export const StatsResponse = z
  .object({
    intent_id: z.string(),
    total_impressions: z.number().int(),
    total_opens: z.number().int(),
    overall_open_rate: z.number(),
    total_conversions: z.number().int(),
    overall_conversion_rate: z.number(),
    variants: z.array(VariantStats),
    locale: z.string().nullable(),
    date_from: z.string().nullable(),
    date_to: z.string().nullable(),
    experiments: z.array(
      z.object({
        experiment_id: z.string(),
        locale: z.string(),
        status: z.string(),
        strategy: z.string(),
        goal_metric: z.string(),
        generation_status: z.string(),
        generation_error: z.string().nullable(),
        winner_variant_id: z.string().nullable(),
        holdout: z
          .object({
            variant_id: z.string(),
            share: z.number(),
            impressions: z.number().int(),
            successes: z.number().int(),
            rate: z.number(),
            ci95: Interval,
          })
          .nullable(),
        srm: z
          .object({ chi2: z.number().nullable(), df: z.number(), p_value: z.number(), alarm: z.boolean() })
          .nullable(),
        decision: Decision,
      }),
    ),
    decision: Decision.nullable().openapi({
      description: "The experiment's decision when the response covers one experiment (filter by locale)",
    }),
  })
  .openapi("Stats");

const route = createRoute({
  method: "get",
  path: "/v1/stats",
  operationId: "getStats",
  "x-pushbunny-access": "read",
  tags: ["stats"],
  summary: "Per-variant impressions, opens, conversions and rates",
  description:
    "Upstream PushBunny contract (UPSTREAM.md §A) plus `locale`, per-variant experiment/locale/source/status, generation state, and the statistics (Wilson intervals, Holm-corrected z-tests, chance to beat control, P(best), expected loss, holdout, SRM) with a decision. Dates are UTC; a range selects impressions and the events those impressions earned, so rates never exceed 1.",
  security: BEARER,
  request: { query: StatsQuery },
  responses: {
    200: { description: "Statistics", content: { "application/json": { schema: StatsResponse } } },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/stats */
export function registerGetStats(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const stats = await getStats({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        intentId: q.intent_id,
        locale: q.locale,
        dateFrom: q.date_from,
        dateTo: q.date_to,
        includeSimulated: q.include_simulated,
      },
    });
    return c.json(toStatsView(stats), 200);
  });
}

export type StatsView = z.infer<typeof StatsResponse>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The wire shape of the statistics (upstream field names first, then ours). */
export function toStatsView(s: Stats): StatsView {
  return {
    intent_id: s.intentId,
    total_impressions: s.impressions,
    total_opens: s.opens,
    overall_open_rate: s.openRate,
    total_conversions: s.conversions,
    overall_conversion_rate: s.conversionRate,
    variants: s.variants.map((v) => ({
      variant_id: v.variant.id,
      text: v.variant.text,
      impressions: v.impressions,
      opens: v.opens,
      open_rate: v.openRate,
      conversions: v.conversions,
      conversion_rate: v.conversionRate,
      experiment_id: v.variant.experimentId,
      locale: v.locale,
      source: v.variant.source,
      status: v.variant.status,
      statistics: v.statistics && {
        metric: v.metric,
        rate: v.statistics.rate,
        ci95: { low: v.statistics.ci95.low, high: v.statistics.ci95.high },
        vs_control: v.statistics.vsControl && {
          uplift: v.statistics.vsControl.uplift,
          z: v.statistics.vsControl.z,
          p_value: v.statistics.vsControl.pValue,
          p_value_holm: v.statistics.vsControl.pValueHolm,
          chance_to_beat: v.statistics.vsControl.chanceToBeat,
        },
        uplift_vs_holdout: v.statistics.upliftVsHoldout,
        p_best: v.statistics.pBest,
        expected_loss: v.statistics.expectedLoss,
        guards_met: v.statistics.guardsMet,
      },
    })),
    locale: s.locale,
    date_from: iso(s.dateFrom),
    date_to: iso(s.dateTo),
    experiments: s.experiments.map(({ experiment: e, holdout, srm, decision }) => ({
      experiment_id: e.id,
      locale: e.locale,
      status: e.status,
      strategy: e.strategy,
      goal_metric: e.goalMetric,
      generation_status: e.generationStatus,
      generation_error: e.generationError,
      winner_variant_id: e.winnerVariantId,
      holdout: holdout && {
        variant_id: holdout.variantId,
        share: e.holdoutShare,
        impressions: holdout.impressions,
        successes: holdout.successes,
        rate: holdout.rate,
        ci95: holdout.ci95,
      },
      srm: srm && { chi2: srm.chi2, df: srm.df, p_value: srm.pValue, alarm: srm.alarm },
      decision: decisionView(decision),
    })),
    decision: s.decision && decisionView(s.decision),
  };
}

function decisionView(d: Stats["experiments"][number]["decision"]) {
  return { status: d.status, variant_id: d.variantId, reason: d.reason };
}
