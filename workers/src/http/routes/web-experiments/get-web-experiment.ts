import { createRoute } from "@hono/zod-openapi";
import { getWebExperiment } from "../../../services/web-experiments/get-web-experiment";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { WebKeyParams, webExperimentResponse } from "./schemas";
import { toWebExperimentView } from "./views";

const route = createRoute({
  method: "get",
  path: "/v1/web-experiments/{key}",
  operationId: "getWebExperiment",
  "x-pushbunny-access": "read",
  tags: ["web-experiments"],
  summary: "Read a web experiment",
  security: BEARER,
  request: { params: WebKeyParams },
  responses: { 200: webExperimentResponse("The web experiment"), ...commonErrors, ...notFound },
});

/** GET /v1/web-experiments/{key} */
export function registerGetWebExperiment(app: App) {
  app.openapi(route, async (c) => {
    const row = await getWebExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { key: c.req.valid("param").key },
    });
    return c.json(toWebExperimentView(row), 200);
  });
}
