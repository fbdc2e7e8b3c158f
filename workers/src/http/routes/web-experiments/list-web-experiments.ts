import { createRoute } from "@hono/zod-openapi";
import { listWebExperiments } from "../../../services/web-experiments/list-web-experiments";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { ListWebExperimentsQuery, WebExperimentList } from "./schemas";
import { toWebExperimentView } from "./views";

const route = createRoute({
  method: "get",
  path: "/v1/web-experiments",
  operationId: "listWebExperiments",
  "x-pushbunny-access": "read",
  tags: ["web-experiments"],
  summary: "List web experiments, newest first",
  security: BEARER,
  request: { query: ListWebExperimentsQuery },
  responses: {
    200: { description: "A page", content: { "application/json": { schema: WebExperimentList } } },
    ...commonErrors,
  },
});

/** GET /v1/web-experiments */
export function registerListWebExperiments(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listWebExperiments({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { status: q.status, limit: q.limit, cursor: q.cursor },
    });
    return c.json(
      { experiments: page.experiments.map(toWebExperimentView), next_cursor: page.nextCursor },
      200,
    );
  });
}
