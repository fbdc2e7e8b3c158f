import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../client";
import { type VapidKeyRow, vapidKeys } from "../../schema";

import { inJsonList } from "../in-list";

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
    .where(and(eq(vapidKeys.projectId, projectId), inJsonList(vapidKeys.id, [...new Set(ids)])));
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
