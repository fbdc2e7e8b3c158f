import { createRoute, z } from "@hono/zod-openapi";
import { updateSegment } from "../../../services/segments/update-segment";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { SegmentFilter, SegmentIdParam, SegmentName, segmentResponse, segmentView } from "./schemas";

export const UpdateSegmentRequest = z
  .strictObject({ name: SegmentName.optional(), filter: SegmentFilter.optional() })
  .refine((b) => b.name !== undefined || b.filter !== undefined, { message: "send name or filter to change" })
  .openapi("UpdateSegmentRequest");

const route = createRoute({
  method: "patch",
  path: "/v1/segments/{segment_id}",
  operationId: "updateSegment",
  "x-pushbunny-access": "write",
  tags: ["segments"],
  summary: "Rename a segment or replace its filter",
  security: BEARER,
  middleware: [limitBody(32 * 1024)] as const,
  request: {
    params: SegmentIdParam,
    body: { required: true, content: { "application/json": { schema: UpdateSegmentRequest } } },
  },
  responses: { 200: segmentResponse("The segment"), ...commonErrors, ...notFound },
});

/** PATCH /v1/segments/{segment_id} */
export function registerUpdateSegment(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const segment = await updateSegment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { segmentId: c.req.valid("param").segment_id, name: b.name, filter: b.filter },
    });
    return c.json(segmentView(segment), 200);
  });
}
