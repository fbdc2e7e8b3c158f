import { countNotifications, deliveryCounts, listNotifications, type NotificationRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { type Notification, toNotification } from "../../push/notifications";

/** Notifications, newest first, a page at a time, with their delivery counts. */
export async function notificationHistory({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { page: number; limit: number; type?: "send" | "broadcast"; status?: NotificationRow["status"] };
}): Promise<{ notifications: Notification[]; page: number; limit: number; total: number; pages: number }> {
  const filter = {
    projectId,
    ...(input.type ? { type: input.type } : {}),
    ...(input.status ? { status: input.status } : {}),
  };
  const [rows, total] = await Promise.all([
    listNotifications(ctx.db, { ...filter, offset: (input.page - 1) * input.limit, limit: input.limit }),
    countNotifications(ctx.db, filter),
  ]);
  const counts = await deliveryCounts(
    ctx.db,
    projectId,
    rows.map((r) => r.id),
  );
  return {
    notifications: rows.map((r) => toNotification(r, counts.get(r.id))),
    page: input.page,
    limit: input.limit,
    total,
    pages: Math.ceil(total / input.limit),
  };
}
