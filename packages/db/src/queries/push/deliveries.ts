import { and, eq, sql } from "drizzle-orm";
import { chunk, type Db } from "../../client";
import {
  type DeliveryRow,
  type DeliveryStatus,
  deliveries,
  type NotificationTarget,
  type SubscriptionRow,
  subscriptions,
} from "../../schema";

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
