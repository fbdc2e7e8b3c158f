import { createRoute } from "@hono/zod-openapi";
import { setExperimentStatus } from "../../../services/experiments/set-status";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ExperimentParams, emptyJsonIsEmptyObject, experimentResponse, ReasonBody } from "./schemas";
import { toExperimentView } from "./views";

// Pause and resume are one verb (setExperimentStatus) with two addresses.
const ACTIONS = {
  pause: {
    status: "paused",
    operationId: "pauseExperiment",
    summary: "Pause: everyone gets the control",
    description:
      "While paused every message gets the base example (the holdout too). The body may be empty or left out.",
    response: "The experiment, paused",
  },
  resume: {
    status: "running",
    operationId: "resumeExperiment",
    summary: "Resume testing",
    description: "The arms (or a declared winner) serve again. The body may be empty or left out.",
    response: "The experiment, running",
  },
} as const;

function statusRoute(action: keyof typeof ACTIONS) {
  const a = ACTIONS[action];
  return createRoute({
    method: "post",
    path: `/v1/experiments/{experiment_id}/${action}`,
    operationId: a.operationId,
    "x-pushbunny-access": "write",
    tags: ["experiments"],
    summary: a.summary,
    description: a.description,
    security: BEARER,
    middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
    request: {
      params: ExperimentParams,
      body: { required: true, content: { "application/json": { schema: ReasonBody } } },
    },
    responses: {
      200: experimentResponse(a.response),
      ...commonErrors,
      ...notFound,
    },
  });
}

/** POST /v1/experiments/{experiment_id}/pause and …/resume */
export function registerSetStatus(app: App) {
  for (const action of ["pause", "resume"] as const) {
    app.openapi(statusRoute(action), async (c) => {
      const { experiment_id } = c.req.valid("param");
      const body = c.req.valid("json");
      const experiment = await setExperimentStatus({
        ctx: c.get("ctx"),
        projectId: c.get("owner").projectId,
        actor: c.get("actor"),
        input: { experimentId: experiment_id, status: ACTIONS[action].status, reason: body.reason },
      });
      return c.json(toExperimentView(experiment), 200);
    });
  }
}
