import { createRoute, z } from "@hono/zod-openapi";
import { createSegment } from "../../../services/segments/create-segment";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { SegmentFilter, SegmentName, segmentResponse, segmentView } from "./schemas";

export const CreateSegmentRequest = z
  .strictObject({ name: SegmentName, filter: SegmentFilter })
  .openapi("CreateSegmentRequest");

const route = createRoute({
  method: "post",
  path: "/v1/segments",
  operationId: "createSegment",
  "x-pushbunny-access": "write",
  tags: ["segments"],
  summary: "Save a filter over contacts (fields and attributes: equals, contains, in, exists, ranges)",
  security: BEARER,
  middleware: [limitBody(32 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateSegmentRequest } } } },
  responses: { 201: segmentResponse("Created"), ...commonErrors },
});

/** POST /v1/segments */
export function registerCreateSegment(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const segment = await createSegment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { name: b.name, filter: b.filter },
    });
    return c.json(segmentView(segment), 201);
  });
}
