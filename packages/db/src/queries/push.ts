import { and, desc, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { chunk, type Db } from "../client";
import {
  type DeliveryRow,
  type DeliveryStatus,
  deliveries,
  type NotificationRow,
  type NotificationStatus,
  type NotificationTarget,
  notifications,
  type PushSettingsRow,
  pushSettings,
  type SubscriptionRow,
  subscriptions,
  type VapidKeyRow,
  vapidKeys,
} from "../schema";

// ---------------------------------------------------------------------------------------------
// VAPID keys

/** The newest unretired key of a project: what browsers subscribe with. */
export async function currentVapidKey(db: Db, projectId: string): Promise<VapidKeyRow | null> {
  const [row] = await db
    .select()
    .from(vapidKeys)
    .where(and(eq(vapidKeys.projectId, projectId), isNull(vapidKeys.retiredAt)))
    .orderBy(desc(vapidKeys.createdAt), desc(vapidKeys.id))
    .limit(1);
  return row ?? null;
}

export async function vapidKeysByIds(db: Db, projectId: string, ids: string[]): Promise<VapidKeyRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(vapidKeys)
    .where(and(eq(vapidKeys.projectId, projectId), inArray(vapidKeys.id, [...new Set(ids)].slice(0, 90))));
}

/**
 * Adds a key and retires the others in one batch (rotation). Retired keys still sign for the
 * subscriptions made with them.
 */
export async function insertVapidKey(
  db: Db,
  row: VapidKeyRow,
  opts: { retireOthers: boolean },
): Promise<void> {
  await db.batch([
    db.insert(vapidKeys).values(row),
    ...(opts.retireOthers
      ? [
          db
            .update(vapidKeys)
            .set({ retiredAt: row.createdAt })
            .where(
              and(
                eq(vapidKeys.projectId, row.projectId),
                isNull(vapidKeys.retiredAt),
                sql`${vapidKeys.id} != ${row.id}`,
              ),
            ),
        ]
      : []),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Subscriptions

type NewSubscription = Omit<
  SubscriptionRow,
  "expiredAt" | "deletedAt" | "lastSentAt" | "enabled" | "topics" | "userId" | "managedAt"
> & {
  /** Undefined: a new row gets none, an existing one keeps its own. */
  topics: string[] | undefined;
  userId: string | null | undefined;
};

const newRow = (row: NewSubscription, managedAt: number | null) => ({
  ...row,
  topics: row.topics ?? [],
  userId: row.userId ?? null,
  enabled: true,
  expiredAt: null,
  deletedAt: null,
  lastSentAt: null,
  managedAt,
});

/**
 * The tenant's write (API key): creates a subscription or refreshes the one with the same
 * endpoint (it gets its old id back, enabled again and un-deleted), and marks it managed.
 */
export async function upsertSubscription(
  db: Db,
  row: NewSubscription,
): Promise<{ row: SubscriptionRow; created: boolean }> {
  const [saved] = await db
    .insert(subscriptions)
    .values(newRow(row, row.updatedAt))
    .onConflictDoUpdate({
      target: [subscriptions.projectId, subscriptions.endpoint],
      set: {
        p256dh: row.p256dh,
        auth: row.auth,
        ...(row.topics !== undefined ? { topics: row.topics } : {}),
        ...(row.userId !== undefined ? { userId: row.userId } : {}),
        vapidKeyId: row.vapidKeyId,
        enabled: true,
        expiredAt: null,
        deletedAt: null,
        managedAt: row.updatedAt,
        updatedAt: row.updatedAt,
      },
    })
    .returning();
  if (!saved) throw new Error("subscription upsert returned nothing");
  return { row: saved, created: saved.id === row.id };
}

/**
 * A browser's write (no API key): creates an unmanaged subscription, or refreshes keys, topics
 * and user of one with the same endpoint only while the tenant has never touched it and it is
 * neither deleted nor expired. Never changes enabled, deleted or expired. `changed` is false when
 * the stored row was left as it was.
 */
export async function upsertSubscriptionAnonymously(
  db: Db,
  row: NewSubscription,
): Promise<{ row: SubscriptionRow; created: boolean; changed: boolean }> {
  const [saved] = await db
    .insert(subscriptions)
    .values(newRow(row, null))
    .onConflictDoUpdate({
      target: [subscriptions.projectId, subscriptions.endpoint],
      set: {
        p256dh: row.p256dh,
        auth: row.auth,
        ...(row.topics !== undefined ? { topics: row.topics } : {}),
        ...(row.userId !== undefined ? { userId: row.userId } : {}),
        vapidKeyId: row.vapidKeyId,
        updatedAt: row.updatedAt,
      },
      setWhere: and(
        isNull(subscriptions.managedAt),
        isNull(subscriptions.deletedAt),
        isNull(subscriptions.expiredAt),
      ),
    })
    .returning();
  if (saved) return { row: saved, created: saved.id === row.id, changed: true };
  const [kept] = await db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.projectId, row.projectId), eq(subscriptions.endpoint, row.endpoint)));
  if (!kept) throw new Error("subscription upsert returned nothing and the row is gone");
  return { row: kept, created: false, changed: false };
}

export const SUBSCRIPTION_STATUSES = ["active", "disabled", "expired", "deleted"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

const STATUS_WHERE: Record<SubscriptionStatus, SQL> = {
  deleted: sql`${subscriptions.deletedAt} IS NOT NULL`,
  expired: sql`${subscriptions.deletedAt} IS NULL AND ${subscriptions.expiredAt} IS NOT NULL`,
  active: sql`${subscriptions.deletedAt} IS NULL AND ${subscriptions.expiredAt} IS NULL AND ${subscriptions.enabled} = 1`,
  disabled: sql`${subscriptions.deletedAt} IS NULL AND ${subscriptions.expiredAt} IS NULL AND ${subscriptions.enabled} = 0`,
};

/**
 * A page of a project's subscriptions, newest first (keyset on created_at, id), filtered by
 * topic, user and status. `after` is the last row of the previous page.
 */
export function listSubscriptions(
  db: Db,
  input: {
    projectId: string;
    topic?: string;
    userId?: string;
    status?: SubscriptionStatus;
    after?: { createdAt: number; id: string };
    limit: number;
  },
): Promise<SubscriptionRow[]> {
  const after = input.after;
  return db
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.projectId, input.projectId),
        input.userId !== undefined ? eq(subscriptions.userId, input.userId) : undefined,
        input.topic !== undefined
          ? sql`EXISTS (SELECT 1 FROM json_each(${subscriptions.topics}) t WHERE t.value = ${input.topic})`
          : undefined,
        input.status ? STATUS_WHERE[input.status] : undefined,
        after
          ? or(
              lt(subscriptions.createdAt, after.createdAt),
              and(eq(subscriptions.createdAt, after.createdAt), lt(subscriptions.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
    .limit(input.limit);
}

export async function findSubscription(
  db: Db,
  projectId: string,
  id: string,
): Promise<SubscriptionRow | null> {
  const [row] = await db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.projectId, projectId), eq(subscriptions.id, id)));
  return row ?? null;
}

export async function updateSubscription(
  db: Db,
  projectId: string,
  id: string,
  set: Partial<
    Pick<SubscriptionRow, "topics" | "enabled" | "userId" | "deletedAt" | "updatedAt" | "managedAt">
  >,
): Promise<SubscriptionRow | null> {
  const [row] = await db
    .update(subscriptions)
    .set(set)
    .where(and(eq(subscriptions.projectId, projectId), eq(subscriptions.id, id)))
    .returning();
  return row ?? null;
}

// ---------------------------------------------------------------------------------------------
// Push settings

export async function findPushSettings(db: Db, projectId: string): Promise<PushSettingsRow | null> {
  const [row] = await db.select().from(pushSettings).where(eq(pushSettings.projectId, projectId));
  return row ?? null;
}

/** Creates the project's settings row or changes the given columns of it. */
export async function savePushSettings(
  db: Db,
  projectId: string,
  set: Partial<Omit<PushSettingsRow, "projectId">> & { updatedAt: number },
): Promise<PushSettingsRow> {
  const [row] = await db
    .insert(pushSettings)
    .values({ projectId, ...set })
    .onConflictDoUpdate({ target: pushSettings.projectId, set })
    .returning();
  if (!row) throw new Error("push settings upsert returned nothing");
  return row;
}

// A recipient: enabled, not deleted, not expired.
const ACTIVE = "s.enabled = 1 AND s.deleted_at IS NULL AND s.expired_at IS NULL";

/** SQL selecting the active subscriptions a target names (lists bound as JSON arrays). */
function targetFilter(target: NotificationTarget): { where: string; binds: string[] } {
  if (target.all) return { where: ACTIVE, binds: [] };
  const parts: string[] = [];
  const binds: string[] = [];
  // Parameters ?2.. follow ?1 (the project id).
  const param = (v: unknown) => {
    binds.push(JSON.stringify(v));
    return `?${binds.length + 1}`;
  };
  if (target.subscriptionIds?.length)
    parts.push(`s.id IN (SELECT value FROM json_each(${param(target.subscriptionIds)}))`);
  if (target.userIds?.length)
    parts.push(`s.user_id IN (SELECT value FROM json_each(${param(target.userIds)}))`);
  if (target.topics?.length) {
    parts.push(
      `EXISTS (SELECT 1 FROM json_each(s.topics) t WHERE t.value IN (SELECT value FROM json_each(${param(target.topics)})))`,
    );
  }
  return { where: `${ACTIVE} AND (${parts.length > 0 ? parts.join(" OR ") : "0"})`, binds };
}

/** How many active subscriptions a target reaches now. */
export async function countTargets(db: Db, projectId: string, target: NotificationTarget): Promise<number> {
  const f = targetFilter(target);
  const row = await db.$client
    .prepare(`SELECT count(*) AS n FROM subscriptions s WHERE s.project_id = ?1 AND ${f.where}`)
    .bind(projectId, ...f.binds)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * Creates one pending delivery per recipient in one statement (INSERT … SELECT), idempotently:
 * (notification, subscription) is unique, so a redelivered dispatch job adds nothing.
 */
export async function createDeliveries(
  db: Db,
  input: { projectId: string; notificationId: string; target: NotificationTarget; now: number },
): Promise<number> {
  const f = targetFilter(input.target);
  const n = input.target.all ? 0 : f.binds.length;
  const at = `?${n + 2}`;
  const ntf = `?${n + 3}`;
  const result = await db.$client
    .prepare(
      `INSERT OR IGNORE INTO deliveries (id, project_id, notification_id, subscription_id, status, attempts, created_at, updated_at)
       SELECT 'dlv_' || lower(hex(randomblob(10))), s.project_id, ${ntf}, s.id, 'pending', 0, ${at}, ${at}
       FROM subscriptions s WHERE s.project_id = ?1 AND ${f.where}`,
    )
    .bind(input.projectId, ...f.binds, input.now, input.notificationId)
    .run();
  return result.meta.changes ?? 0;
}

/** Pending delivery ids of a notification, in pages (keyset on id). */
export async function pendingDeliveryIds(
  db: Db,
  input: { projectId: string; notificationId: string; after: string | null; limit: number },
): Promise<string[]> {
  const rows = await db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.notificationId, input.notificationId),
        sql`+${deliveries.projectId} = ${input.projectId}`,
        eq(deliveries.status, "pending"),
        input.after ? sql`${deliveries.id} > ${input.after}` : undefined,
      ),
    )
    .orderBy(deliveries.id)
    .limit(input.limit);
  return rows.map((r) => r.id);
}

export interface DeliveryWork {
  delivery: DeliveryRow;
  subscription: SubscriptionRow;
}

/** The deliveries of a batch that are still pending, with their subscriptions. */
export async function loadDeliveryWork(db: Db, projectId: string, ids: string[]): Promise<DeliveryWork[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ delivery: deliveries, subscription: subscriptions })
    .from(deliveries)
    .innerJoin(subscriptions, eq(subscriptions.id, deliveries.subscriptionId))
    .where(
      and(
        // Ids as one JSON value (D1 binds at most 100 parameters), looked up by primary key:
        // the unary + keeps SQLite from walking the project's whole delivery history instead.
        sql`${deliveries.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
        sql`+${deliveries.projectId} = ${projectId}`,
        sql`+${subscriptions.projectId} = ${projectId}`,
        eq(deliveries.status, "pending"),
      ),
    );
  return rows;
}

export interface DeliveryUpdate {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  error: string | null;
  variantId?: string | null;
  sentAt?: number | null;
}

/**
 * The statements each push batch runs, exported so a test can hold their query plans to
 * primary-key lookups: ids arrive as one JSON value (D1 binds at most 100 parameters), and the
 * unary + on project_id keeps SQLite from walking the project's whole index instead.
 */
export const PUSH_BATCH_SQL = {
  updateDeliveries: `UPDATE deliveries SET
    status = u.value ->> 1, attempts = u.value ->> 2, last_status = u.value ->> 3, error = u.value ->> 4,
    variant_id = coalesce(u.value ->> 5, deliveries.variant_id), sent_at = coalesce(u.value ->> 6, deliveries.sent_at),
    updated_at = ?2
  FROM json_each(?3) AS u
  WHERE deliveries.id = u.value ->> 0 AND +deliveries.project_id = ?1 AND deliveries.status = 'pending'`,
  expireSubscriptions:
    "UPDATE subscriptions SET expired_at = ?2, updated_at = ?2 WHERE id IN (SELECT value FROM json_each(?3)) AND +project_id = ?1 AND expired_at IS NULL",
  markSubscriptionsSent:
    "UPDATE subscriptions SET last_sent_at = ?2 WHERE id IN (SELECT value FROM json_each(?3)) AND +project_id = ?1",
} as const;

/**
 * Records the outcomes of a batch in one atomic D1 batch: delivery statuses, and the
 * subscriptions the push service said are gone (404/410) marked expired.
 */
export async function recordDeliveryOutcomes(
  db: Db,
  input: {
    projectId: string;
    updates: DeliveryUpdate[];
    expiredSubscriptionIds: string[];
    sentSubscriptionIds: string[];
    now: number;
  },
): Promise<void> {
  const d1 = db.$client;
  const statements = chunk(input.updates, 400).map((part) =>
    d1
      .prepare(PUSH_BATCH_SQL.updateDeliveries)
      .bind(
        input.projectId,
        input.now,
        JSON.stringify(
          part.map((u) => [
            u.id,
            u.status,
            u.attempts,
            u.lastStatus,
            u.error,
            u.variantId ?? null,
            u.sentAt ?? null,
          ]),
        ),
      ),
  );
  if (input.expiredSubscriptionIds.length > 0) {
    statements.push(
      d1
        .prepare(PUSH_BATCH_SQL.expireSubscriptions)
        .bind(input.projectId, input.now, JSON.stringify(input.expiredSubscriptionIds)),
    );
  }
  if (input.sentSubscriptionIds.length > 0) {
    statements.push(
      d1
        .prepare(PUSH_BATCH_SQL.markSubscriptionsSent)
        .bind(input.projectId, input.now, JSON.stringify(input.sentSubscriptionIds)),
    );
  }
  if (statements.length > 0) await d1.batch(statements);
}

/** The service worker's receipt: sent → delivered (displayed), and clicked once. */
export async function markDelivery(
  db: Db,
  input: { projectId: string; deliveryId: string; event: "displayed" | "clicked"; now: number },
): Promise<DeliveryRow | null> {
  const [row] = await db
    .update(deliveries)
    .set({
      status: sql`CASE WHEN ${deliveries.status} IN ('sent', 'pending') THEN 'delivered' ELSE ${deliveries.status} END`,
      deliveredAt: sql`coalesce(${deliveries.deliveredAt}, ${input.now})`,
      ...(input.event === "clicked"
        ? { clickedAt: sql`coalesce(${deliveries.clickedAt}, ${input.now})` }
        : {}),
      updatedAt: input.now,
    })
    .where(and(eq(deliveries.projectId, input.projectId), eq(deliveries.id, input.deliveryId)))
    .returning();
  return row ?? null;
}

// ---------------------------------------------------------------------------------------------
// Notifications

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

export function listNotifications(
  db: Db,
  input: {
    projectId: string;
    type?: "send" | "broadcast";
    status?: NotificationStatus;
    offset: number;
    limit: number;
  },
): Promise<NotificationRow[]> {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.projectId, input.projectId),
        input.type ? eq(notifications.type, input.type) : undefined,
        input.status ? eq(notifications.status, input.status) : undefined,
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(input.limit)
    .offset(input.offset);
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

// ---------------------------------------------------------------------------------------------
// Analytics

const dayOf = (column: string) => `strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`;

/** Subscriptions created / expired / deleted per UTC day in [from, to], and active now. */
export async function subscriptionAnalytics(
  db: Db,
  input: { projectId: string; fromMs: number; toMs: number },
) {
  const d1 = db.$client;
  const byDay = (column: string) =>
    d1
      .prepare(
        `SELECT ${dayOf(column)} AS day, count(*) AS n FROM subscriptions WHERE project_id = ?1 AND ${column} BETWEEN ?2 AND ?3 GROUP BY day ORDER BY day`,
      )
      .bind(input.projectId, input.fromMs, input.toMs);
  const [created, expired, deleted, active] = await d1.batch<{ day: string; n: number }>([
    byDay("created_at"),
    byDay("expired_at"),
    byDay("deleted_at"),
    d1
      .prepare(
        "SELECT 'now' AS day, count(*) AS n FROM subscriptions WHERE project_id = ?1 AND enabled = 1 AND deleted_at IS NULL AND expired_at IS NULL",
      )
      .bind(input.projectId),
  ]);
  return {
    created: created?.results ?? [],
    expired: expired?.results ?? [],
    deleted: deleted?.results ?? [],
    active: active?.results[0]?.n ?? 0,
  };
}

/** Deliveries by UTC day of creation and status in [from, to], and clicks. */
export async function deliveryAnalytics(db: Db, input: { projectId: string; fromMs: number; toMs: number }) {
  const { results } = await db.$client
    .prepare(
      `SELECT ${dayOf("created_at")} AS day, status, count(*) AS n, sum(clicked_at IS NOT NULL) AS clicked
       FROM deliveries WHERE project_id = ?1 AND created_at BETWEEN ?2 AND ?3 GROUP BY day, status ORDER BY day`,
    )
    .bind(input.projectId, input.fromMs, input.toMs)
    .all<{ day: string; status: DeliveryStatus; n: number; clicked: number }>();
  return results;
}

/** Deliveries by status across all projects, for /metrics. */
export async function deliveryTotalsByStatus(db: Db): Promise<{ status: string; n: number }[]> {
  const { results } = await db.$client
    .prepare("SELECT status, count(*) AS n FROM deliveries GROUP BY status")
    .all<{ status: string; n: number }>();
  return results;
}

/**
 * Pending deliveries nobody has touched for `olderThanMs` (their queue message was lost, e.g.
 * a dispatch that died between claiming and queueing): claimed by bumping `updated_at`, so two
 * sweeps never re-queue the same ones.
 */
export async function claimStalePendingDeliveries(
  db: Db,
  input: { now: number; olderThanMs: number; limit: number },
): Promise<{ id: string; projectId: string; notificationId: string }[]> {
  const { results } = await db.$client
    .prepare(
      `UPDATE deliveries SET updated_at = ?1
       WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND updated_at < ?2 ORDER BY updated_at LIMIT ?3)
       RETURNING id, project_id AS projectId, notification_id AS notificationId`,
    )
    .bind(input.now, input.now - input.olderThanMs, input.limit)
    .all<{ id: string; projectId: string; notificationId: string }>();
  return results;
}
