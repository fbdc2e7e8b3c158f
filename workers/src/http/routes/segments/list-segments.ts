import { createRoute, z } from "@hono/zod-openapi";
import { listSegments } from "../../../services/segments/list-segments";
import { BEARER, commonErrors, PageCursor } from "../../schemas";
import type { App } from "../../types";
import { SegmentView, segmentView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/segments",
  operationId: "listSegments",
  "x-pushbunny-access": "read",
  tags: ["segments"],
  summary: "Segments, newest first",
  security: BEARER,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(50),
      cursor: PageCursor,
    }),
  },
  responses: {
    200: {
      description: "A page; next_cursor is null on the last one",
      content: {
        "application/json": {
          schema: z.object({ segments: z.array(SegmentView), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...commonErrors,
  },
});

/** GET /v1/segments */
export function registerListSegments(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listSegments({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { limit: q.limit, cursor: q.cursor },
    });
    return c.json({ segments: page.segments.map(segmentView), next_cursor: page.nextCursor }, 200);
  });
}
