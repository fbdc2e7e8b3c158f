import { createRoute } from "@hono/zod-openapi";
import { sendNotification } from "../../../services/notifications/send-notification";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { anyJson, tooLarge } from "../push/shared";
import {
  FlatSendBody,
  notificationView,
  SendBody,
  StructuredSendBody,
  sendInput,
  targetInput,
} from "./schemas";

export const sendNotificationRoute = createRoute({
  method: "post",
  path: "/v1/notifications/send",
  operationId: "sendNotification",
  "x-pushbunny-access": "write",
  tags: ["push"],
  summary: "Send (or schedule) a notification to subscriptions, users or topics",
  description:
    "Structured `{ payload, target, options }`, or the flat shape the seed push service's client sends (`{ title, body, url, topics }`: payload fields, recipients and options side by side). Either way a body naming no recipient (subscription_ids, user_ids, topics, or all: true) is a 400.",
  security: BEARER,
  middleware: [limitBody(64 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: SendBody } } } },
  responses: { 202: anyJson("Queued or scheduled"), ...commonErrors, ...tooLarge },
});

export function registerSendNotification(app: App) {
  // Both shapes named in the document's components (the body validates as the structured one).
  app.openAPIRegistry.register("SendNotification", StructuredSendBody);
  app.openAPIRegistry.register("SendNotificationFlat", FlatSendBody);
  app.openapi(sendNotificationRoute, async (c) => {
    const b = c.req.valid("json");
    const { notification, estimatedRecipients } = await sendNotification({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: sendInput("send", targetInput(b.target), b.payload, b.options),
    });
    return c.json({ ...notificationView(notification), estimated_recipients: estimatedRecipients }, 202);
  });
}
