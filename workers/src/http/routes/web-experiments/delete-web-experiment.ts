import { createRoute } from "@hono/zod-openapi";
import { deleteWebExperiment } from "../../../services/web-experiments/delete-web-experiment";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { conflict, WebKeyParams } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/v1/web-experiments/{key}",
  operationId: "deleteWebExperiment",
  "x-pushbunny-access": "write",
  tags: ["web-experiments"],
  summary: "Delete a draft or failed web experiment",
  description:
    "Its engine experiment goes too, so the key can be used again. Anything that served is finished instead.",
  security: BEARER,
  request: { params: WebKeyParams },
  responses: {
    204: { description: "Deleted" },
    ...commonErrors,
    ...notFound,
    ...conflict("It is implementing, in review, active or finished"),
  },
});

/** DELETE /v1/web-experiments/{key} */
export function registerDeleteWebExperiment(app: App) {
  app.openapi(route, async (c) => {
    await deleteWebExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { key: c.req.valid("param").key },
    });
    return c.body(null, 204);
  });
}
