import { createRoute } from "@hono/zod-openapi";
import { getNotification } from "../../../services/notifications/get-notification";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { anyJson } from "../push/shared";
import { NotificationIdParam, notificationView } from "./schemas";

export const getNotificationRoute = createRoute({
  method: "get",
  path: "/v1/notifications/{notification_id}",
  operationId: "getNotification",
  "x-pushbunny-access": "read",
  tags: ["push"],
  summary: "A notification with its delivery stats",
  security: BEARER,
  request: { params: NotificationIdParam },
  responses: { 200: anyJson("The notification"), ...commonErrors, ...notFound },
});

export function registerGetNotification(app: App) {
  app.openapi(getNotificationRoute, async (c) => {
    const n = await getNotification({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { id: c.req.valid("param").notification_id },
    });
    return c.json(notificationView(n), 200);
  });
}
