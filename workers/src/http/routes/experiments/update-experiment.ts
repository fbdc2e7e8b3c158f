import { createRoute, z } from "@hono/zod-openapi";
import { type ExperimentSettings, SETTING_LIMITS } from "../../../services/experiments/settings";
import { updateExperiment } from "../../../services/experiments/update-experiment";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ExperimentParams, experimentResponse, GoalMetric, OnWinner, Reason, Strategy } from "./schemas";
import { toExperimentView } from "./views";

const between = (limit: { min: number; max: number; integer: boolean }) => {
  const n = z.number().min(limit.min).max(limit.max);
  return limit.integer ? n.int() : n;
};

export const UpdateExperimentRequest = z
  .strictObject({
    strategy: Strategy.optional(),
    goal_metric: GoalMetric.optional(),
    holdout_share: between(SETTING_LIMITS.holdoutShare).optional().openapi({
      description: "Share of users who always get the base example, counted apart",
      example: 0.1,
    }),
    min_sample: between(SETTING_LIMITS.minSample)
      .optional()
      .openapi({ description: "Impressions per arm before it leaves burn-in or can win", example: 500 }),
    traffic_floor: between(SETTING_LIMITS.trafficFloor).optional().openapi({
      description: "Thompson: least share any arm keeps; floor × arms must stay below 1",
      example: 0.02,
    }),
    retire_below: between(SETTING_LIMITS.retireBelow)
      .optional()
      .openapi({ description: "The loop retires arms whose P(best) stays below this", example: 0.01 }),
    on_winner: OnWinner.optional(),
    challenger_count: between(SETTING_LIMITS.challengerCount)
      .optional()
      .openapi({ description: "LLM challengers to keep in the pool", example: 3 }),
    reason: Reason.optional(),
  })
  .refine((body) => Object.entries(body).some(([key, value]) => key !== "reason" && value !== undefined), {
    message: "send at least one setting to change",
  })
  .openapi("UpdateExperimentRequest", {
    example: { strategy: "thompson", holdout_share: 0.1, reason: "enough traffic for a bandit" },
  });

const route = createRoute({
  method: "patch",
  path: "/v1/experiments/{experiment_id}",
  operationId: "updateExperiment",
  "x-pushbunny-access": "write",
  tags: ["experiments"],
  summary: "Change an experiment's settings",
  description:
    "Every field is optional; unknown fields are rejected. The first `holdout_share` above zero creates the holdout group. The change is recorded in the history and the serving pool is republished at once.",
  security: BEARER,
  middleware: [limitBody(16 * 1024)] as const,
  request: {
    params: ExperimentParams,
    body: { required: true, content: { "application/json": { schema: UpdateExperimentRequest } } },
  },
  responses: {
    200: experimentResponse("The experiment after the change"),
    ...commonErrors,
    ...notFound,
  },
});

/** PATCH /v1/experiments/{experiment_id} */
export function registerUpdateExperiment(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const settings: ExperimentSettings = {
      strategy: body.strategy,
      goalMetric: body.goal_metric,
      holdoutShare: body.holdout_share,
      minSample: body.min_sample,
      trafficFloor: body.traffic_floor,
      retireBelow: body.retire_below,
      onWinner: body.on_winner,
      challengerCount: body.challenger_count,
    };
    const experiment = await updateExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { experimentId: experiment_id, settings, reason: body.reason },
    });
    return c.json(toExperimentView(experiment), 200);
  });
}
