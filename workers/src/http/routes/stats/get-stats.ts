import { createRoute, z } from "@hono/zod-openapi";
import { parseIsoInstant } from "@pushbunny/core";
import { BadRequestError } from "../../../errors";
import { getStats } from "../../../services/get-stats";
import { BEARER, commonErrors, LocaleTag, notFound } from "../../schemas";
import type { App } from "../../types";

const isoInstant = (field: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return undefined;
      const parsed = parseIsoInstant(value);
      if (!parsed) {
        ctx.addIssue({
          code: "custom",
          message: `${field} must be an ISO-8601 date or date-time (UTC when no zone)`,
        });
        return z.NEVER;
      }
      return parsed;
    })
    .openapi({ type: "string", example: "2026-11-01" });

export const StatsQuery = z.object({
  intent_id: z.string().trim().min(1, "is required").max(128).openapi({ example: "cart_abandonment" }),
  locale: LocaleTag.optional().openapi({ type: "string", example: "en-US" }),
  date_from: isoInstant("date_from"),
  date_to: isoInstant("date_to"),
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
    if (q.date_from && q.date_to && q.date_from.ms > q.date_to.ms) {
      throw new BadRequestError("date_from must not be after date_to", [
        { path: "date_from", message: "after date_to" },
      ]);
    }
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
    return c.json(stats, 200);
  });
}

export type StatsView = z.infer<typeof StatsResponse>;
