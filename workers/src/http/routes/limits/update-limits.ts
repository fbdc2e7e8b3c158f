import { createRoute } from "@hono/zod-openapi";
import { updateLimits } from "../../../services/limits/update-limits";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ProjectIdParam } from "../projects/schemas";
import { LimitsUpdate, LimitsView, toLimitsView } from "./schemas";

const route = createRoute({
  method: "put",
  path: "/v1/projects/{project_id}/limits",
  operationId: "updateProjectLimits",
  "x-pushbunny-access": "admin",
  tags: ["projects"],
  summary: "Set the project's rate limits and quotas",
  description:
    'Replaces the project\'s overrides: `{ "message": "6000/minute", "notification": "50/hour" }`. Each value is `N/second`, `N/minute`, `N/hour` or `N/day`; names left out (or null) take the deployment\'s value, and `{}` resets them all. Request classes may be set up to `maximums`: over a shorter window at most the same rate, over a longer one at most the maximum\'s count (no bigger burst). The quotas on paid work (generation, analysis) keep the deployment\'s window and may only lower its count (`20/hour` under `100/hour`, not `2400/day` nor `5/minute`). Applies at once on this edge and within about two minutes everywhere. Audited as `project.limits_updated`.',
  security: BEARER,
  middleware: [limitBody(4 * 1024)] as const,
  request: {
    params: ProjectIdParam,
    body: { required: true, content: { "application/json": { schema: LimitsUpdate } } },
  },
  responses: {
    200: { description: "The limits as changed", content: { "application/json": { schema: LimitsView } } },
    ...commonErrors,
    ...notFound,
  },
});

/** PUT /v1/projects/{project_id}/limits */
export function registerUpdateLimits(app: App) {
  app.openapi(route, async (c) => {
    const limits = await updateLimits({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: c.req.valid("json"),
    });
    return c.json(toLimitsView(limits), 200);
  });
}
