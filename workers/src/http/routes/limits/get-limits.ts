import { createRoute } from "@hono/zod-openapi";
import { getLimits } from "../../../services/limits/get-limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ProjectIdParam } from "../projects/schemas";
import { LimitsView, toLimitsView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/projects/{project_id}/limits",
  operationId: "getProjectLimits",
  "x-pushbunny-access": "read",
  tags: ["projects"],
  summary: "The project's rate limits and quotas",
  description:
    "Request classes (message, events, notification, subscription, analytics, management, auth) are counted per API key or person and, separately, per client IP; quotas (generation, analysis) per project. `limits` is what applies; `overrides` what the project set; `defaults` the deployment's values; `maximums` the most the project may set.",
  security: BEARER,
  request: { params: ProjectIdParam },
  responses: {
    200: { description: "The limits", content: { "application/json": { schema: LimitsView } } },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/projects/{project_id}/limits */
export function registerGetLimits(app: App) {
  app.openapi(route, async (c) => {
    const limits = await getLimits({ ctx: c.get("ctx"), projectId: c.get("owner").projectId });
    return c.json(toLimitsView(limits), 200);
  });
}
