import { createRoute } from "@hono/zod-openapi";
import { createWebExperiment } from "../../../services/web-experiments/create-web-experiment";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { CreateWebExperimentRequest, conflict, webExperimentResponse } from "./schemas";
import { toWebExperimentView } from "./views";

const route = createRoute({
  method: "post",
  path: "/v1/web-experiments",
  operationId: "createWebExperiment",
  "x-pushbunny-access": "write",
  tags: ["web-experiments"],
  summary: "Create a web experiment (draft)",
  description:
    "Code variants (segments) of a page or component. 2 to 8 segments, the first is the control; traffic_percent adds up to 100. Creates the engine experiment (kind web, intent `web:<key>`, sticky, goal conversion) with one variant per segment.",
  security: BEARER,
  middleware: [limitBody(64 * 1024)] as const,
  request: {
    body: { required: true, content: { "application/json": { schema: CreateWebExperimentRequest } } },
  },
  responses: {
    201: webExperimentResponse("Created, in draft"),
    ...commonErrors,
    ...conflict("A web experiment with this key exists"),
  },
});

/** POST /v1/web-experiments */
export function registerCreateWebExperiment(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const row = await createWebExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        key: b.key,
        hypothesis: b.hypothesis,
        targetType: b.target_type,
        target: b.target,
        segments: b.segments.map((s) => ({
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
    return c.json(toWebExperimentView(row), 201);
  });
}
