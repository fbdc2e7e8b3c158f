import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../../client";
import {
  type DeliveryStatus,
  deliveries,
  type NotificationRow,
  type NotificationStatus,
  notifications,
} from "../../schema";
import { olderThan } from "../keyset";

export async function insertNotification(db: Db, row: NotificationRow): Promise<void> {
  await db.insert(notifications).values(row);
}

export async function findNotification(
  db: Db,
  projectId: string,
  id: string,
): Promise<NotificationRow | null> {
  const [row] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.projectId, projectId), eq(notifications.id, id)));
  return row ?? null;
}

/** Moves a notification between statuses if it is still in `from`; false when it was not. */
export async function transitionNotification(
  db: Db,
  input: { projectId: string; id: string; from: NotificationStatus[]; set: Partial<NotificationRow> },
): Promise<NotificationRow | null> {
  const [row] = await db
    .update(notifications)
    .set(input.set)
    .where(
      and(
        eq(notifications.projectId, input.projectId),
        eq(notifications.id, input.id),
        inArray(notifications.status, input.from),
      ),
    )
    .returning();
  return row ?? null;
}

/** Scheduled notifications that are due, across projects (the every-minute cron). */
export function dueNotifications(db: Db, now: number, limit: number): Promise<NotificationRow[]> {
  return db
    .select()
    .from(notifications)
    .where(and(eq(notifications.status, "scheduled"), lt(notifications.scheduledAt, now + 1)))
    .orderBy(notifications.scheduledAt)
    .limit(limit);
}

/** Notifications newest first, after a keyset position (the last row of the previous page). */
export function listNotifications(
  db: Db,
  input: {
    projectId: string;
    type?: "send" | "broadcast";
    status?: NotificationStatus;
    after?: { createdAt: number; id: string } | undefined;
    limit: number;
  },
): Promise<NotificationRow[]> {
  const after = input.after;
  return db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.projectId, input.projectId),
        input.type ? eq(notifications.type, input.type) : undefined,
        input.status ? eq(notifications.status, input.status) : undefined,
        olderThan(notifications.createdAt, notifications.id, after),
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(input.limit);
}

export async function countNotifications(
  db: Db,
  input: { projectId: string; type?: "send" | "broadcast"; status?: NotificationStatus },
): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(notifications)
    .where(
      and(
        eq(notifications.projectId, input.projectId),
        input.type ? eq(notifications.type, input.type) : undefined,
        input.status ? eq(notifications.status, input.status) : undefined,
      ),
    );
  return row?.n ?? 0;
}

/** Delivery counts by status per notification. */
export async function deliveryCounts(
  db: Db,
  projectId: string,
  notificationIds: string[],
): Promise<Map<string, Record<DeliveryStatus, number> & { clicked: number }>> {
  const out = new Map<string, Record<DeliveryStatus, number> & { clicked: number }>();
  if (notificationIds.length === 0) return out;
  const rows = await db
    .select({
      notificationId: deliveries.notificationId,
      status: deliveries.status,
      n: sql<number>`count(*)`.mapWith(Number),
      clicked: sql<number>`sum(${deliveries.clickedAt} IS NOT NULL)`.mapWith(Number),
    })
    .from(deliveries)
    .where(
      and(
        // Through the (notification, subscription) index, not the project's whole history.
        sql`${deliveries.notificationId} IN (SELECT value FROM json_each(${JSON.stringify(notificationIds)}))`,
        sql`+${deliveries.projectId} = ${projectId}`,
      ),
    )
    .groupBy(deliveries.notificationId, deliveries.status);
  for (const r of rows) {
    const c = out.get(r.notificationId) ?? {
      pending: 0,
      sent: 0,
      delivered: 0,
      failed: 0,
      expired: 0,
      clicked: 0,
    };
    c[r.status] = r.n;
    c.clicked += r.clicked;
    out.set(r.notificationId, c);
  }
  return out;
}
