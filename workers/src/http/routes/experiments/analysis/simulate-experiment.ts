import { createRoute, z } from "@hono/zod-openapi";
import { SIMULATION_LIMITS, simulateExperiment } from "../../../../services/analysis/simulate-experiment";
import { limitBody } from "../../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { conflict, ExperimentParams, emptyJsonIsEmptyObject } from "../schemas";
import { Simulation } from "./schemas";
import { toSimulationView } from "./views";

const Rates = z
  .record(z.string().min(1).max(128), z.number().min(0).max(1))
  .refine((r) => Object.keys(r).length <= 30, "at most 30 arms")
  .default({});

export const SimulateRequest = z
  .strictObject({
    users: z.int().min(SIMULATION_LIMITS.minUsers).max(SIMULATION_LIMITS.maxUsers).default(2_000),
    days: z.int().min(1).max(SIMULATION_LIMITS.maxDays).default(7),
    seed: z.string().trim().min(1).max(64).default("pushbunny"),
    open_rates: Rates.openapi({
      description: "True open rate per arm (variant id or label: Control, B, C …); 0.05 when absent",
      example: { Control: 0.05, B: 0.08 },
    }),
    conversion_rates: Rates.openapi({
      description: "True conversion rate per impression per arm (≤ its open rate); 0 when absent",
      example: { Control: 0.01, B: 0.02 },
    }),
    weights: z
      .record(z.string().min(1).max(128), z.number().min(0).max(1_000_000))
      .default({})
      .openapi({
        description: "Assignment weights per arm; equal when absent",
        example: { Control: 1, B: 1 },
      }),
  })
  .openapi("SimulateRequest");

const route = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/simulate",
  operationId: "simulateExperiment",
  "x-pushbunny-access": "write",
  tags: ["analysis"],
  summary: "Inject synthetic traffic and analyze it",
  description:
    "N users assigned by a stable weighted hash, impressions spread over the past `days`, opens and conversions drawn from the true rates; every event is signed like a real one and goes through ingest verification and the consumer's writer. Simulated rows are marked (`sim_` impression ids) and excluded from real statistics unless `include_simulated=true`; a new simulation replaces the previous one. Every field has a default: the body may be `{}`, empty or left out.",
  security: BEARER,
  middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    params: ExperimentParams,
    body: { required: true, content: { "application/json": { schema: SimulateRequest } } },
  },
  responses: {
    200: {
      description: "What was injected and its analysis",
      content: { "application/json": { schema: Simulation } },
    },
    ...commonErrors,
    ...notFound,
    ...conflict("The experiment has no arm to simulate"),
  },
});

/** POST /v1/experiments/{experiment_id}/simulate */
export function registerSimulateExperiment(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const result = await simulateExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        experimentId: experiment_id,
        users: body.users,
        days: body.days,
        seed: body.seed,
        openRates: body.open_rates,
        conversionRates: body.conversion_rates,
        weights: body.weights,
      },
    });
    return c.json(toSimulationView(result), 200);
  });
}
