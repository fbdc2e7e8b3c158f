import { createRoute } from "@hono/zod-openapi";
import { getWebStatus } from "../../../services/web-experiments/get-web-status";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { WebKeyParams, WebStatus } from "./schemas";
import { toWebStatusView } from "./views";

const route = createRoute({
  method: "get",
  path: "/v1/web-experiments/{key}/status",
  operationId: "getWebExperimentStatus",
  "x-pushbunny-access": "read",
  tags: ["web-experiments"],
  summary: "Poll the status and the newest implementation run",
  security: BEARER,
  request: { params: WebKeyParams },
  responses: {
    200: {
      description: "Status, phase, log and run",
      content: { "application/json": { schema: WebStatus } },
    },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/web-experiments/{key}/status */
export function registerGetWebStatus(app: App) {
  app.openapi(route, async (c) => {
    const status = await getWebStatus({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { key: c.req.valid("param").key },
    });
    return c.json(toWebStatusView(status), 200);
  });
}
