import { createRoute } from "@hono/zod-openapi";
import { cancelNotification } from "../../../services/notifications/cancel-notification";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { anyJson, conflict } from "../push/shared";
import { NotificationIdParam, notificationView } from "./schemas";

export const cancelNotificationRoute = createRoute({
  method: "delete",
  path: "/v1/notifications/{notification_id}",
  operationId: "cancelNotification",
  "x-pushbunny-access": "write",
  tags: ["push"],
  summary: "Cancel a scheduled notification",
  security: BEARER,
  request: { params: NotificationIdParam },
  responses: {
    200: anyJson("Canceled"),
    ...commonErrors,
    ...notFound,
    ...conflict("It has already gone out"),
  },
});

export function registerCancelNotification(app: App) {
  app.openapi(cancelNotificationRoute, async (c) => {
    const n = await cancelNotification({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { id: c.req.valid("param").notification_id },
    });
    return c.json(notificationView(n), 200);
  });
}
