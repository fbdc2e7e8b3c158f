import { and, count, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { contacts, type SegmentRow, segments } from "../schema";
import { olderThan, type PageAnchor } from "./keyset";

// ---- segments --------------------------------------------------------------------------------

export async function insertSegment(db: Db, row: SegmentRow): Promise<void> {
  await db.insert(segments).values(row);
}

export async function findSegment(db: Db, projectId: string, id: string): Promise<SegmentRow | null> {
  const [row] = await db
    .select()
    .from(segments)
    .where(and(eq(segments.projectId, projectId), eq(segments.id, id)))
    .limit(1);
  return row ?? null;
}

export function listSegmentsPage(
  db: Db,
  projectId: string,
  filter: { limit: number; after?: PageAnchor },
): Promise<SegmentRow[]> {
  return db
    .select()
    .from(segments)
    .where(and(eq(segments.projectId, projectId), olderThan(segments.createdAt, segments.id, filter.after)))
    .orderBy(desc(segments.createdAt), desc(segments.id))
    .limit(filter.limit);
}

export async function updateSegmentRow(
  db: Db,
  projectId: string,
  id: string,
  set: Partial<Pick<SegmentRow, "name" | "filter" | "updatedAt">>,
): Promise<SegmentRow | null> {
  const [row] = await db
    .update(segments)
    .set(set)
    .where(and(eq(segments.projectId, projectId), eq(segments.id, id)))
    .returning();
  return row ?? null;
}

export async function deleteSegmentRow(db: Db, projectId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(segments)
    .where(and(eq(segments.projectId, projectId), eq(segments.id, id)))
    .returning({ id: segments.id });
  return rows.length > 0;
}

/** Contacts matching a compiled segment filter: all of them, and those still subscribed. */
export async function countContactsWhere(
  db: Db,
  projectId: string,
  where: SQL,
): Promise<{ total: number; subscribed: number }> {
  const [row] = await db
    .select({
      total: count(),
      subscribed: sql<number>`coalesce(sum(${contacts.status} = 'subscribed'), 0)`,
    })
    .from(contacts)
    .where(and(eq(contacts.projectId, projectId), where));
  return { total: row?.total ?? 0, subscribed: Number(row?.subscribed ?? 0) };
}
