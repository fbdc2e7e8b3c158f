import { createRoute } from "@hono/zod-openapi";
import { setExperimentStatus } from "../../../services/experiments/set-status";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ExperimentParams, emptyJsonIsEmptyObject, experimentResponse, ReasonBody } from "./schemas";
import { toExperimentView } from "./views";

const route = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/resume",
  operationId: "resumeExperiment",
  tags: ["experiments"],
  summary: "Resume testing",
  description: "The arms (or a declared winner) serve again. The body may be empty or left out.",
  security: BEARER,
  middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    params: ExperimentParams,
    body: { required: true, content: { "application/json": { schema: ReasonBody } } },
  },
  responses: {
    200: experimentResponse("The experiment, running"),
    ...commonErrors,
    ...notFound,
  },
});

/** POST /v1/experiments/{experiment_id}/resume */
export function registerResumeExperiment(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const experiment = await setExperimentStatus({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { experimentId: experiment_id, status: "running", reason: body.reason },
    });
    return c.json(toExperimentView(experiment), 200);
  });
}
