import { z } from "@hono/zod-openapi";
import { AD_ALERT_KINDS, AD_ALERT_STATES } from "@pushbunny/db";
import { Channel } from "./schemas";

/** The shapes of /v1/ads/insights, /v1/ads/alerts and /v1/ads/alert-rules. */

export const AlertKind = z.enum(AD_ALERT_KINDS).openapi({ example: "spend_spike" });
export const AlertState = z.enum(AD_ALERT_STATES).openapi({ example: "open" });

export const AlertIdParams = z.object({
  alert_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "alert_id", in: "path" }, example: "alr_5f0c2a9e41d3b8c76a10" }),
});

export const AlertView = z
  .object({
    alert_id: z.string(),
    kind: AlertKind,
    channel: Channel,
    campaign_id: z.string(),
    campaign_name: z.string(),
    day: z.string().openapi({ description: "The last day of data the condition was found on" }),
    state: AlertState,
    observed: z.number().openapi({
      description:
        "spend_spike: mean daily spend of the last 7 days; roas_drop: their ROAS; conversions_stop: days with spend and no conversion",
    }),
    baseline: z.number().openapi({
      description:
        "spend_spike: median daily spend of the 28 days before; roas_drop: their ROAS; conversions_stop: their mean conversions per day",
    }),
    threshold: z.number().openapi({ description: "The rule's threshold when the alert last fired" }),
    message: z.string(),
    run_id: z.string().openapi({ description: "The sync run that last saw the condition" }),
    first_seen_at: z.string(),
    last_seen_at: z.string(),
    acknowledged_at: z.string().nullable(),
    resolved_at: z.string().nullable(),
    resolved_by: z.enum(["auto", "user"]).nullable().openapi({
      description: "auto: the condition cleared on a later sync; user: resolved through the API",
    }),
  })
  .openapi("AdAlert");

export const AlertRuleView = z
  .object({
    kind: AlertKind,
    enabled: z.boolean(),
    threshold: z.number(),
    min_baseline: z.number(),
    customized: z.boolean().openapi({ description: "false while the project uses the default" }),
  })
  .openapi("AdAlertRule");

export const AlertRules = z.object({ rules: z.array(AlertRuleView) }).openapi("AdAlertRules");

const RULE_HELP =
  "spend_spike: threshold = mean daily spend of the last 7 days ÷ the median daily spend of the 28 days before (default 2, 1.1–100), min_baseline = the smallest baseline median daily spend judged (default 10). " +
  "roas_drop: threshold = the fall of ROAS from the baseline (default 0.5 = halved, 0.05–0.99), min_baseline = the smallest baseline spend over the 28 days (default 100). " +
  "conversions_stop: threshold = consecutive days up to the last one with spend and no conversion (default 3, 1–7), min_baseline = the smallest baseline mean of conversions per day (default 2).";

export const AlertRulesUpdate = z
  .object({
    rules: z
      .array(
        z.object({
          kind: AlertKind,
          enabled: z.boolean().optional(),
          threshold: z.number().optional(),
          min_baseline: z.number().optional(),
        }),
      )
      .min(1)
      .max(AD_ALERT_KINDS.length),
  })
  .openapi("AdAlertRulesUpdate", { description: `Fields left out keep their value. ${RULE_HELP}` });

export const RULES_DESCRIPTION = RULE_HELP;

const WindowStats = z
  .object({
    days: z.number(),
    cost: z.number(),
    conversions: z.number(),
    conversion_value: z.number(),
    roas: z.number().nullable(),
    cpa: z.number().nullable(),
    daily_cost: z.number().nullable(),
  })
  .openapi("AdWindowStats");

const EntityStats = z
  .object({
    channel: z.string().openapi({ description: "A channel, or `all`" }),
    campaign_id: z.string().nullable(),
    campaign_name: z.string().nullable(),
    current: WindowStats,
    baseline: WindowStats,
    spend_change: z
      .number()
      .nullable()
      .openapi({ description: "Relative change of the daily spend: 0.25 = up 25%" }),
    roas_change: z.number().nullable(),
    cpa_change: z.number().nullable(),
  })
  .openapi("AdEntityStats");

export const InsightView = z
  .object({
    insight_id: z.string(),
    run_id: z.string(),
    as_of: z.string(),
    provider: z.enum(["offline", "gemini"]).openapi({ description: "Who wrote the narrative served" }),
    fallback_reason: z
      .string()
      .nullable()
      .openapi({ description: "Why a model's narrative was not used (the template was)" }),
    created_at: z.string(),
    summary: z.string(),
    insights: z.array(z.string()),
    recommendations: z.array(
      z.object({
        action: z.enum(["scale", "cut"]),
        channel: z.string(),
        campaign_id: z.string(),
        campaign_name: z.string().nullable(),
        rationale: z.string(),
      }),
    ),
    numbers: z
      .object({
        window: z.object({
          current_from: z.string(),
          current_to: z.string(),
          baseline_from: z.string(),
          baseline_to: z.string(),
        }),
        total: EntityStats,
        channels: z.array(EntityStats),
        campaigns: z.array(EntityStats),
        alerts: z.array(
          z.object({
            kind: AlertKind,
            channel: z.string(),
            campaign_id: z.string(),
            observed: z.number(),
            baseline: z.number(),
            threshold: z.number(),
          }),
        ),
        candidates: z.array(
          z.object({
            action: z.enum(["scale", "cut"]),
            channel: z.string(),
            campaign_id: z.string(),
            reason: z.string(),
          }),
        ),
      })
      .openapi({ description: "What code computed; the narrative may cite only these numbers" }),
  })
  .openapi("AdInsight");

export type AlertViewJson = z.infer<typeof AlertView>;
export type AlertRuleViewJson = z.infer<typeof AlertRuleView>;
export type InsightViewJson = z.infer<typeof InsightView>;
