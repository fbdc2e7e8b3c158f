import { createRoute, z } from "@hono/zod-openapi";
import { LIST_LIMIT, listExperiments } from "../../../services/experiments/list-experiments";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { ExperimentSummary, Strategy } from "./schemas";
import { toSummaryView } from "./views";

export const ListExperimentsQuery = z.object({
  status: z.enum(["running", "paused"]).optional().openapi({ example: "running" }),
  strategy: Strategy.optional(),
  intent_id: z.string().trim().min(1).max(128).optional().openapi({ example: "cart_abandonment" }),
  limit: z.coerce.number().int().min(LIST_LIMIT.min).max(LIST_LIMIT.max).default(20).openapi({ example: 20 }),
  cursor: z.string().max(200).optional().openapi({
    description: "`next_cursor` of the previous page; anything else is a 400",
    example: "WzE3OTY1NDc2MDAwMDAsImV4cF8wYTFiIl0",
  }),
});

export const ExperimentList = z
  .object({
    experiments: z.array(ExperimentSummary),
    next_cursor: z.string().nullable().openapi({ description: "null on the last page", example: null }),
  })
  .openapi("ExperimentList");

const route = createRoute({
  method: "get",
  path: "/v1/experiments",
  operationId: "listExperiments",
  "x-pushbunny-access": "read",
  tags: ["experiments"],
  summary: "List the project's experiments, newest first",
  description: "One experiment per (intent, locale), with all-time totals. Page with `limit` and `cursor`.",
  security: BEARER,
  request: { query: ListExperimentsQuery },
  responses: {
    200: {
      description: "A page of experiments",
      content: { "application/json": { schema: ExperimentList } },
    },
    ...commonErrors,
  },
});

/** GET /v1/experiments */
export function registerListExperiments(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listExperiments({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        status: q.status,
        strategy: q.strategy,
        intentId: q.intent_id,
        limit: q.limit,
        cursor: q.cursor,
      },
    });
    return c.json({ experiments: page.experiments.map(toSummaryView), next_cursor: page.nextCursor }, 200);
  });
}

export type ExperimentListView = z.infer<typeof ExperimentList>;
