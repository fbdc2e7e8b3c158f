import { and, desc, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../client";
import { type SubscriptionRow, subscriptions } from "../../schema";
import { olderThan } from "../keyset";

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
        olderThan(subscriptions.createdAt, subscriptions.id, after),
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
