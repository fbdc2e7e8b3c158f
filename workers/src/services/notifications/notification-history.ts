import { encodeCursor } from "@pushbunny/core";
import { countNotifications, deliveryCounts, listNotifications, type NotificationRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { readCursor } from "../../infra/cursor";
import { type Notification, toNotification } from "../../push/notifications";

/** Notifications, newest first, a page at a time (cursor), with their delivery counts. */
export async function notificationHistory({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: {
    cursor?: string | undefined;
    limit: number;
    type?: "send" | "broadcast" | undefined;
    status?: NotificationRow["status"] | undefined;
  };
}): Promise<{ notifications: Notification[]; nextCursor: string | null; total: number }> {
  const filter = {
    projectId,
    ...(input.type ? { type: input.type } : {}),
    ...(input.status ? { status: input.status } : {}),
  };
  const decoded = readCursor(input.cursor, ["number", "string"]);
  const after = decoded && { createdAt: decoded[0], id: decoded[1] };
  // One row more than the page tells whether another page follows.
  const [rows, total] = await Promise.all([
    listNotifications(ctx.db, { ...filter, after, limit: input.limit + 1 }),
    countNotifications(ctx.db, filter),
  ]);
  const page = rows.slice(0, input.limit);
  const counts = await deliveryCounts(
    ctx.db,
    projectId,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    notifications: page.map((r) => toNotification(r, counts.get(r.id))),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
    total,
  };
}
