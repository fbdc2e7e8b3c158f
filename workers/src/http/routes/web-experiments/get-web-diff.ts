import { createRoute, z } from "@hono/zod-openapi";
import { getWebDiff } from "../../../services/web-experiments/get-web-status";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { WebKeyParams } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/web-experiments/{key}/diff",
  operationId: "getWebExperimentDiff",
  "x-pushbunny-access": "read",
  tags: ["web-experiments"],
  summary: "The newest implementation run's unified diff",
  security: BEARER,
  request: { params: WebKeyParams },
  responses: {
    200: { description: "A unified diff", content: { "text/plain": { schema: z.string() } } },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/web-experiments/{key}/diff */
export function registerGetWebDiff(app: App) {
  app.openapi(route, async (c) => {
    const diff = await getWebDiff({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { key: c.req.valid("param").key },
    });
    return c.text(diff, 200, { "content-type": "text/plain; charset=utf-8" });
  });
}
