import { createRoute } from "@hono/zod-openapi";
import { deleteSegment } from "../../../services/segments/delete-segment";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { SegmentIdParam } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/v1/segments/{segment_id}",
  operationId: "deleteSegment",
  "x-pushbunny-access": "write",
  tags: ["segments"],
  summary: "Delete a segment (its contacts stay)",
  security: BEARER,
  request: { params: SegmentIdParam },
  responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFound },
});

/** DELETE /v1/segments/{segment_id} */
export function registerDeleteSegment(app: App) {
  app.openapi(route, async (c) => {
    await deleteSegment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { segmentId: c.req.valid("param").segment_id },
    });
    return c.body(null, 204);
  });
}
