import { createRoute } from "@hono/zod-openapi";
import { setExperimentStatus } from "../../../services/experiments";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ExperimentParams, emptyJsonIsEmptyObject, experimentResponse, ReasonBody } from "./schemas";

const statusRoute = (action: "pause" | "resume") =>
  createRoute({
    method: "post",
    path: `/v1/experiments/{experiment_id}/${action}`,
    operationId: action === "pause" ? "pauseExperiment" : "resumeExperiment",
    tags: ["experiments"],
    summary: action === "pause" ? "Pause: everyone gets the control" : "Resume testing",
    description:
      action === "pause"
        ? "While paused every message gets the base example (the holdout too). The body is optional."
        : "The arms (or a declared winner) serve again. The body is optional.",
    security: BEARER,
    middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
    request: {
      params: ExperimentParams,
      body: { required: false, content: { "application/json": { schema: ReasonBody } } },
    },
    responses: {
      200: experimentResponse("The experiment"),
      ...commonErrors,
      ...notFound,
    },
  });

/** POST /v1/experiments/{experiment_id}/pause and /resume */
export function registerSetStatus(app: App) {
  for (const action of ["pause", "resume"] as const) {
    app.openapi(statusRoute(action), async (c) => {
      const { experiment_id } = c.req.valid("param");
      const body = c.req.valid("json");
      const experiment = await setExperimentStatus({
        ctx: c.get("ctx"),
        projectId: c.get("owner").projectId,
        actor: c.get("actor"),
        input: {
          experimentId: experiment_id,
          status: action === "pause" ? "paused" : "running",
          reason: body.reason,
        },
      });
      return c.json(experiment, 200);
    });
  }
}
