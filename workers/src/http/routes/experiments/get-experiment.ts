import { createRoute } from "@hono/zod-openapi";
import { getExperiment } from "../../../services/experiments/get-experiment";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ExperimentParams, experimentResponse } from "./schemas";
import { toExperimentView } from "./views";

const route = createRoute({
  method: "get",
  path: "/v1/experiments/{experiment_id}",
  operationId: "getExperiment",
  "x-pushbunny-access": "read",
  tags: ["experiments"],
  summary: "One experiment with its base example, variants and history",
  security: BEARER,
  request: { params: ExperimentParams },
  responses: {
    200: experimentResponse("The experiment"),
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/experiments/{experiment_id} */
export function registerGetExperiment(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const experiment = await getExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { experimentId: experiment_id },
    });
    return c.json(toExperimentView(experiment), 200);
  });
}
