import { z } from "@hono/zod-openapi";
import {
  GOAL_METRICS,
  HISTORY_ACTIONS,
  ON_WINNER,
  STRATEGIES,
  VARIANT_SOURCES,
  VARIANT_STATUSES,
} from "@pushbunny/db";
import { createMiddleware } from "hono/factory";
import { ErrorEnvelope } from "../../schemas";
import type { AppEnv } from "../../types";

/** Shared by every experiment route: the request and response shapes, snake_case. */

export const Strategy = z.enum(STRATEGIES).openapi({
  description:
    "round_robin: equal turns; sticky: a user keeps their arm; thompson: traffic follows the evidence",
  example: "thompson",
});
export const GoalMetric = z.enum(GOAL_METRICS).openapi({ example: "opened" });
export const OnWinner = z.enum(ON_WINNER).openapi({
  description: "What the optimization loop does once an arm wins: report it, or serve it to everyone",
  example: "keep_testing",
});

export const ExperimentParams = z.object({
  experiment_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "experiment_id", in: "path" }, example: "exp_0a1b2c3d4e5f60718293" }),
});

export const VariantParams = ExperimentParams.extend({
  variant_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "variant_id", in: "path" }, example: "var_3f9a1c2b7d4e" }),
});

export const Reason = z
  .string()
  .trim()
  .max(500)
  .openapi({ description: "Why, for the experiment's history", example: "holiday campaign copy" });

/** An optional `{ reason }` body: pause, resume, retire and clearing a winner take nothing else. */
export const ReasonBody = z.strictObject({ reason: Reason.optional() }).openapi("ReasonRequest");

const Decision = z
  .object({
    status: z.string().openapi({ example: "collecting" }),
    variant_id: z.string().nullable(),
    reason: z.string(),
  })
  .openapi("ExperimentDecision", { description: "The optimization loop's last verdict" });

export const ExperimentSummary = z
  .object({
    experiment_id: z.string().openapi({ example: "exp_0a1b2c3d4e5f60718293" }),
    intent_id: z.string().openapi({ example: "cart_abandonment" }),
    locale: z.string().openapi({ example: "en-US" }),
    status: z.enum(["running", "paused"]),
    strategy: Strategy,
    goal_metric: GoalMetric,
    holdout_share: z.number().openapi({ example: 0.1 }),
    min_sample: z.number().int().openapi({ example: 100 }),
    traffic_floor: z.number().openapi({ example: 0.01 }),
    retire_below: z.number().openapi({ example: 0.01 }),
    on_winner: OnWinner,
    challenger_count: z.number().int().openapi({ example: 3 }),
    winner_variant_id: z.string().nullable().openapi({ example: null }),
    generation_status: z.enum(["pending", "ready", "failed"]),
    generation_error: z.string().nullable(),
    decision: Decision.nullable(),
    variants_active: z
      .number()
      .int()
      .openapi({ description: "Arms not retired (holdout excluded)", example: 4 }),
    variants_total: z.number().int().openapi({ example: 5 }),
    impressions: z.number().int().openapi({ example: 1200 }),
    opens: z.number().int().openapi({ example: 96 }),
    conversions: z.number().int().openapi({ example: 12 }),
    created_at: z.string().openapi({ example: "2026-11-01T09:30:00.000Z" }),
    updated_at: z.string().openapi({ example: "2026-11-02T10:00:00.000Z" }),
    analyzed_at: z.string().nullable().openapi({ example: null }),
  })
  .openapi("ExperimentSummary");

export const Variant = z
  .object({
    variant_id: z.string().openapi({ example: "var_3f9a1c2b7d4e" }),
    text: z.string().openapi({ example: "Your cart misses you: finish checking out" }),
    source: z.enum(VARIANT_SOURCES).openapi({
      description:
        "control: the base example; holdout: the base example, counted apart; llm or manual: challengers",
    }),
    status: z.enum(VARIANT_STATUSES),
    created_at: z.string().openapi({ example: "2026-11-01T09:30:00.000Z" }),
  })
  .openapi("Variant");

export const HistoryEntry = z
  .object({
    at: z.string().openapi({ example: "2026-11-02T10:00:00.000Z" }),
    actor: z
      .string()
      .openapi({ description: "`api_key:<prefix>…`, `loop` or `system`", example: "api_key:pb_live_3f9a…" }),
    action: z.enum(HISTORY_ACTIONS),
    reason: z.string().nullable().openapi({ example: "holiday campaign copy" }),
    detail: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ example: { holdout_share: { from: 0, to: 0.1 } } }),
  })
  .openapi("ExperimentHistoryEntry");

export const Experiment = ExperimentSummary.extend({
  base_example: z.string().openapi({ example: "You left items in your cart" }),
  variants: z.array(Variant).openapi({ description: "Oldest first; the control comes first" }),
  history: z.array(HistoryEntry).openapi({ description: "Newest first" }),
}).openapi("Experiment");

export const experimentResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: Experiment } },
});

/** The 409 a change can meet (duplicate text, retiring the control, a retired winner). */
export const conflict = (description: string) =>
  ({ 409: { description, content: { "application/json": { schema: ErrorEnvelope } } } }) as const;

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * For routes whose body is optional: `Content-Type: application/json` with no body reads as
 * `{}` (Hono would reject it as malformed JSON), so clients that always send the header work.
 */
export const emptyJsonIsEmptyObject = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header("content-type");
  if (type && JSON_TYPE.test(type) && c.req.raw.body !== null) {
    const text = await c.req.raw.clone().text();
    if (text.trim() === "") {
      const headers = new Headers(c.req.raw.headers);
      headers.delete("content-length");
      c.req.raw = new Request(c.req.raw.url, { method: c.req.raw.method, headers, body: "{}" });
    }
  }
  await next();
});
