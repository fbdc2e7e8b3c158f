import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { experimentHistory, type HistoryAction, type HistoryRow } from "../schema";

export interface HistoryEntry {
  id: string;
  projectId: string;
  experimentId: string;
  at: number;
  /** `api_key:<key prefix>…` for API calls, `loop` for the optimization loop, `system` otherwise. */
  actor: string;
  action: HistoryAction;
  reason: string | null;
  detail: Record<string, unknown> | null;
}

/** The insert for one history entry, to put in the same batch as the change it records. */
export function historyInsert(db: Db, entry: HistoryEntry) {
  return db.insert(experimentHistory).values(entry);
}

/** An experiment's history, newest first. */
export function listHistory(
  db: Db,
  projectId: string,
  experimentId: string,
  limit = 200,
): Promise<HistoryRow[]> {
  return db
    .select()
    .from(experimentHistory)
    .where(and(eq(experimentHistory.projectId, projectId), eq(experimentHistory.experimentId, experimentId)))
    .orderBy(desc(experimentHistory.at), desc(experimentHistory.id))
    .limit(limit);
}
