import { createRoute, z } from "@hono/zod-openapi";
import { countSegment } from "../../../services/segments/count-segment";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ContactView, contactView } from "../contacts/schemas";
import { SegmentIdParam } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/segments/{segment_id}/count",
  operationId: "countSegment",
  "x-pushbunny-access": "read",
  tags: ["segments"],
  summary: "How many contacts the segment matches now, and the newest of them",
  security: BEARER,
  request: {
    params: SegmentIdParam,
    query: z.object({
      preview: z.coerce
        .number()
        .int()
        .min(0)
        .max(50)
        .default(10)
        .openapi({ description: "Contacts to show (0-50)" }),
    }),
  },
  responses: {
    200: {
      description: "Live counts",
      content: {
        "application/json": {
          schema: z.object({
            count: z.number().int(),
            subscribed: z
              .number()
              .int()
              .openapi({ description: "Of those, still subscribed (what a send reaches)" }),
            preview: z.array(ContactView),
          }),
        },
      },
    },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/segments/{segment_id}/count */
export function registerCountSegment(app: App) {
  app.openapi(route, async (c) => {
    const result = await countSegment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { segmentId: c.req.valid("param").segment_id, preview: c.req.valid("query").preview },
    });
    return c.json(
      { count: result.total, subscribed: result.subscribed, preview: result.preview.map(contactView) },
      200,
    );
  });
}
