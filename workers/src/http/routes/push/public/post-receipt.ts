import { createRoute, z } from "@hono/zod-openapi";
import { rateLimit } from "../../../../ratelimit/middleware";
import { recordReceipt } from "../../../../services/push/record-receipt";
import { limitBody } from "../../../middleware/limits";
import { notFound } from "../../../schemas";
import type { App } from "../../../types";
import { NO_AUTH, publicErrors } from "../shared";
import { LIMITS } from "./limits";

const ReceiptBody = z
  .strictObject({
    receipt: z.string().min(1).max(200),
    event: z.enum(["displayed", "clicked"]),
    tracking_token: z.string().min(1).max(400).optional(),
  })
  .openapi("PushReceipt");

export const postReceiptRoute = createRoute({
  method: "post",
  path: "/push/receipts",
  operationId: "recordPushReceipt",
  tags: ["push-browser"],
  summary:
    "The service worker reports a delivery displayed or clicked (each receipt is signed for one delivery)",
  security: NO_AUTH,
  middleware: [rateLimit("receipt", LIMITS.receipt), limitBody(4 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: ReceiptBody } } } },
  responses: {
    200: {
      description: "Recorded",
      content: {
        "application/json": {
          schema: z.object({ delivery_id: z.string(), status: z.string(), opened: z.boolean() }),
        },
      },
    },
    ...publicErrors,
    ...notFound,
  },
});

export function registerPostReceipt(app: App) {
  app.openapi(postReceiptRoute, async (c) => {
    const b = c.req.valid("json");
    const r = await recordReceipt({
      ctx: c.get("ctx"),
      input: { receipt: b.receipt, event: b.event, trackingToken: b.tracking_token },
    });
    return c.json({ delivery_id: r.deliveryId, status: r.status, opened: r.opened }, 200);
  });
}
