import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type AuditRow, auditLog } from "../schema";

export interface AuditEntryInput {
  id: string;
  projectId: string;
  at: number;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

export async function insertAuditEntry(db: Db, entry: AuditEntryInput): Promise<void> {
  await db.insert(auditLog).values({ ...entry, details: entry.details ?? {} });
}

/**
 * A page of a project's audit log, newest first. Ids sort by time (newTimeId), so the id alone
 * is the cursor and the (project_id, id) index serves the whole query.
 */
export async function listAuditPage(
  db: Db,
  projectId: string,
  opts: {
    limit: number;
    beforeId?: string;
    /** One action (`api_key.revoked`) or, ending in a dot, a family (`api_key.`). */
    action?: string;
  },
): Promise<AuditRow[]> {
  const action = opts.action;
  return db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.projectId, projectId),
        opts.beforeId ? lt(auditLog.id, opts.beforeId) : undefined,
        action === undefined
          ? undefined
          : action.endsWith(".")
            ? // substr, not LIKE: `_` in action names is a LIKE wildcard.
              sql`substr(${auditLog.action}, 1, ${action.length}) = ${action}`
            : eq(auditLog.action, action),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(opts.limit);
}
