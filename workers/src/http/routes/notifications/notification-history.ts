import { createRoute, z } from "@hono/zod-openapi";
import { NOTIFICATION_STATUSES } from "@pushbunny/db";
import { notificationHistory } from "../../../services/notifications/notification-history";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { anyJson } from "../push/shared";
import { notificationView } from "./schemas";

export const notificationHistoryRoute = createRoute({
  method: "get",
  path: "/v1/notifications/history",
  operationId: "notificationHistory",
  "x-pushbunny-access": "read",
  tags: ["push"],
  summary: "Notifications, newest first, with delivery counts (cursor pages)",
  security: BEARER,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().max(200).optional().openapi({ description: "`next_cursor` of the previous page" }),
      type: z.enum(["send", "broadcast"]).optional(),
      status: z.enum(NOTIFICATION_STATUSES).optional(),
    }),
  },
  responses: { 200: anyJson("A page"), ...commonErrors },
});

export function registerNotificationHistory(app: App) {
  app.openapi(notificationHistoryRoute, async (c) => {
    const h = await notificationHistory({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: c.req.valid("query"),
    });
    return c.json(
      { notifications: h.notifications.map(notificationView), next_cursor: h.nextCursor, total: h.total },
      200,
    );
  });
}
