import { createRoute } from "@hono/zod-openapi";
import { getSegment } from "../../../services/segments/get-segment";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { SegmentIdParam, segmentResponse, segmentView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/segments/{segment_id}",
  operationId: "getSegment",
  "x-pushbunny-access": "read",
  tags: ["segments"],
  summary: "Read a segment",
  security: BEARER,
  request: { params: SegmentIdParam },
  responses: { 200: segmentResponse("The segment"), ...commonErrors, ...notFound },
});

/** GET /v1/segments/{segment_id} */
export function registerGetSegment(app: App) {
  app.openapi(route, async (c) => {
    const segment = await getSegment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { segmentId: c.req.valid("param").segment_id },
    });
    return c.json(segmentView(segment), 200);
  });
}
