import { createRoute, z } from "@hono/zod-openapi";
import { listSuppressions } from "../../../services/contacts/list-suppressions";
import { BEARER, commonErrors, PageCursor } from "../../schemas";
import type { App } from "../../types";
import { SuppressionView, suppressionView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/suppressions",
  operationId: "listSuppressions",
  "x-pushbunny-access": "read",
  tags: ["contacts"],
  summary: "Suppressed addresses (never mailed, never resubscribed by an import), newest first",
  security: BEARER,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: PageCursor,
    }),
  },
  responses: {
    200: {
      description: "A page; next_cursor is null on the last one",
      content: {
        "application/json": {
          schema: z.object({ suppressions: z.array(SuppressionView), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...commonErrors,
  },
});

/** GET /v1/suppressions */
export function registerListSuppressions(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listSuppressions({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { limit: q.limit, cursor: q.cursor },
    });
    return c.json(
      { suppressions: page.suppressions.map(suppressionView), next_cursor: page.nextCursor },
      200,
    );
  });
}
