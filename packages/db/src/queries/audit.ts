import type { Db } from "../client";
import { auditLog } from "../schema";

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
