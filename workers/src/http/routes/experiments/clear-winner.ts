import { createRoute } from "@hono/zod-openapi";
import { clearWinner } from "../../../services/experiments/clear-winner";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ExperimentParams, emptyJsonIsEmptyObject, experimentResponse, ReasonBody } from "./schemas";
import { toExperimentView } from "./views";

const route = createRoute({
  method: "delete",
  path: "/v1/experiments/{experiment_id}/winner",
  operationId: "clearWinner",
  "x-pushbunny-access": "write",
  tags: ["experiments"],
  summary: "Clear the winner: every active arm is tested again",
  description:
    "Clearing when there is no winner changes nothing. The body (`{ reason }`) may be empty or left out.",
  security: BEARER,
  middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    params: ExperimentParams,
    body: { required: true, content: { "application/json": { schema: ReasonBody } } },
  },
  responses: {
    200: experimentResponse("The experiment, testing again"),
    ...commonErrors,
    ...notFound,
  },
});

/** DELETE /v1/experiments/{experiment_id}/winner */
export function registerClearWinner(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const experiment = await clearWinner({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { experimentId: experiment_id, reason: body.reason },
    });
    return c.json(toExperimentView(experiment), 200);
  });
}
