import { createRoute } from "@hono/zod-openapi";
import { setExperimentStatus } from "../../../services/experiments/set-status";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ExperimentParams, emptyJsonIsEmptyObject, experimentResponse, ReasonBody } from "./schemas";
import { toExperimentView } from "./views";

const route = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/pause",
  operationId: "pauseExperiment",
  tags: ["experiments"],
  summary: "Pause: everyone gets the control",
  description:
    "While paused every message gets the base example (the holdout too). The body may be empty or left out.",
  security: BEARER,
  middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    params: ExperimentParams,
    body: { required: true, content: { "application/json": { schema: ReasonBody } } },
  },
  responses: {
    200: experimentResponse("The experiment, paused"),
    ...commonErrors,
    ...notFound,
  },
});

/** POST /v1/experiments/{experiment_id}/pause */
export function registerPauseExperiment(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const experiment = await setExperimentStatus({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { experimentId: experiment_id, status: "paused", reason: body.reason },
    });
    return c.json(toExperimentView(experiment), 200);
  });
}
