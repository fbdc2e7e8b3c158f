import { createRoute } from "@hono/zod-openapi";
import { sendNotification } from "../../../services/notifications/send-notification";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { anyJson, tooLarge } from "../push/shared";
import { BroadcastBody, notificationView, sendInput } from "./schemas";

export const broadcastNotificationRoute = createRoute({
  method: "post",
  path: "/v1/notifications/broadcast",
  operationId: "broadcastNotification",
  "x-pushbunny-access": "write",
  tags: ["push"],
  summary: "Send (or schedule) a notification to every active subscription",
  security: BEARER,
  middleware: [limitBody(64 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: BroadcastBody } } } },
  responses: { 202: anyJson("Queued or scheduled"), ...commonErrors, ...tooLarge },
});

export function registerBroadcastNotification(app: App) {
  app.openapi(broadcastNotificationRoute, async (c) => {
    const b = c.req.valid("json");
    const { notification, estimatedRecipients } = await sendNotification({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: sendInput("broadcast", { all: true }, b.payload, b.options),
    });
    return c.json({ ...notificationView(notification), estimated_recipients: estimatedRecipients }, 202);
  });
}
