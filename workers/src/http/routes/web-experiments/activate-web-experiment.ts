import { createRoute } from "@hono/zod-openapi";
import { activateWebExperiment } from "../../../services/web-experiments/activate-web-experiment";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { emptyJsonIsEmptyObject } from "../experiments/schemas";
import { conflict, ReasonRequest, WebKeyParams, webExperimentResponse } from "./schemas";
import { toWebExperimentView } from "./views";

const route = createRoute({
  method: "post",
  path: "/v1/web-experiments/{key}/activate",
  operationId: "activateWebExperiment",
  "x-pushbunny-access": "write",
  tags: ["web-experiments"],
  summary: "Start assigning segments (draft or pr_open → active)",
  description:
    "For code shipped by hand with the SDK; a merged pull request of the agent activates it by itself. The body may be empty or left out.",
  security: BEARER,
  middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    params: WebKeyParams,
    body: { required: true, content: { "application/json": { schema: ReasonRequest } } },
  },
  responses: {
    200: webExperimentResponse("The web experiment, active"),
    ...commonErrors,
    ...notFound,
    ...conflict("Not in draft or pr_open"),
  },
});

/** POST /v1/web-experiments/{key}/activate */
export function registerActivateWebExperiment(app: App) {
  app.openapi(route, async (c) => {
    const row = await activateWebExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { key: c.req.valid("param").key, reason: c.req.valid("json").reason ?? null },
    });
    return c.json(toWebExperimentView(row), 200);
  });
}
