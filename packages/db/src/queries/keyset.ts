import { type AnyColumn, and, eq, lt, or, type SQL } from "drizzle-orm";

/** The last row of a page, as its cursor names it. */
export interface PageAnchor {
  createdAt: number;
  id: string;
}

/**
 * Rows after `after` in newest-first order (`ORDER BY created_at DESC, id DESC`): every list's
 * next page. Undefined for the first page, so it drops out of `and(…)`.
 */
export function olderThan(
  createdAt: AnyColumn,
  id: AnyColumn,
  after: PageAnchor | undefined,
): SQL | undefined {
  if (!after) return undefined;
  return or(lt(createdAt, after.createdAt), and(eq(createdAt, after.createdAt), lt(id, after.id)));
}
