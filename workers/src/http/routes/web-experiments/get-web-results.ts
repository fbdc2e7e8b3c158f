import { createRoute } from "@hono/zod-openapi";
import { getWebResults } from "../../../services/web-experiments/get-web-results";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { WebKeyParams, WebResults } from "./schemas";
import { toWebResultsView } from "./views";

const route = createRoute({
  method: "get",
  path: "/v1/web-experiments/{key}/results",
  operationId: "getWebExperimentResults",
  "x-pushbunny-access": "read",
  tags: ["web-experiments"],
  summary: "Per-segment exposures, conversions, secondary metrics and the sample-ratio check",
  description:
    "experiment_id is the engine experiment: /v1/experiments/{experiment_id}/analysis, …/simulate and …/iterate work on it too.",
  security: BEARER,
  request: { params: WebKeyParams },
  responses: {
    200: { description: "Results", content: { "application/json": { schema: WebResults } } },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/web-experiments/{key}/results */
export function registerGetWebResults(app: App) {
  app.openapi(route, async (c) => {
    const results = await getWebResults({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { key: c.req.valid("param").key },
    });
    return c.json(toWebResultsView(results), 200);
  });
}
