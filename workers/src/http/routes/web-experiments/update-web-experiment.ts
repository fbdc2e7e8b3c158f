import { createRoute } from "@hono/zod-openapi";
import { updateWebExperiment } from "../../../services/web-experiments/update-web-experiment";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { conflict, UpdateWebExperimentRequest, WebKeyParams, webExperimentResponse } from "./schemas";
import { toWebExperimentView } from "./views";

const route = createRoute({
  method: "patch",
  path: "/v1/web-experiments/{key}",
  operationId: "updateWebExperiment",
  "x-pushbunny-access": "write",
  tags: ["web-experiments"],
  summary: "Change a web experiment",
  description:
    "Hypothesis, target, segments and metrics only in draft or failed; preview_url, repository and base_branch any time before it is finished.",
  security: BEARER,
  middleware: [limitBody(64 * 1024)] as const,
  request: {
    params: WebKeyParams,
    body: { required: true, content: { "application/json": { schema: UpdateWebExperimentRequest } } },
  },
  responses: {
    200: webExperimentResponse("The web experiment, changed"),
    ...commonErrors,
    ...notFound,
    ...conflict("Its status does not allow the change"),
  },
});

/** PATCH /v1/web-experiments/{key} */
export function registerUpdateWebExperiment(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const row = await updateWebExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        key: c.req.valid("param").key,
        hypothesis: b.hypothesis,
        targetType: b.target_type,
        target: b.target,
        segments: b.segments?.map((s) => ({
          key: s.key,
          name: s.name,
          trafficPercent: s.traffic_percent,
          description: s.description,
        })),
        primaryMetric: b.primary_metric,
        secondaryMetrics: b.secondary_metrics,
        previewUrl: b.preview_url,
        repository: b.repository,
        baseBranch: b.base_branch,
      },
    });
    return c.json(toWebExperimentView(row), 200);
  });
}
