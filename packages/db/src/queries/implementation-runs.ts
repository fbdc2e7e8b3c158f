import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  type ImplementationRunRow,
  implementationRuns,
  type RunLogEntry,
  type RunPhase,
  type RunUsage,
} from "../schema";

/** The log keeps its latest entries: a run that loops on a tool must not grow a row without bound. */
export const RUN_LOG_CAP = 200;

export async function insertImplementationRun(
  db: Db,
  row: {
    id: string;
    projectId: string;
    experimentId: string;
    requestedBy: string;
    log: RunLogEntry[];
    now: number;
  },
): Promise<ImplementationRunRow> {
  const [out] = await db
    .insert(implementationRuns)
    .values({
      id: row.id,
      projectId: row.projectId,
      experimentId: row.experimentId,
      requestedBy: row.requestedBy,
      status: "queued",
      phase: "queued",
      log: row.log,
      createdAt: row.now,
      updatedAt: row.now,
    })
    .returning();
  if (!out) throw new Error("implementation run insert returned no row");
  return out;
}

export async function findImplementationRun(
  db: Db,
  projectId: string,
  id: string,
): Promise<ImplementationRunRow | null> {
  const [row] = await db
    .select()
    .from(implementationRuns)
    .where(and(eq(implementationRuns.projectId, projectId), eq(implementationRuns.id, id)))
    .limit(1);
  return row ?? null;
}

/** A run of the experiment that is queued or running, if any: one at a time per experiment. */
export async function findOpenImplementationRun(
  db: Db,
  projectId: string,
  experimentId: string,
): Promise<ImplementationRunRow | null> {
  const [row] = await db
    .select()
    .from(implementationRuns)
    .where(
      and(
        eq(implementationRuns.projectId, projectId),
        eq(implementationRuns.experimentId, experimentId),
        inArray(implementationRuns.status, ["queued", "running"]),
      ),
    )
    .limit(1);
  return row ?? null;
}

/**
 * Claims a run for one attempt of the job: queued, or running with a heartbeat older than
 * `staleBefore` (a Worker that died mid-run), becomes running with a fresh heartbeat and one more
 * attempt. Null when another attempt holds it or it has finished.
 */
export async function claimImplementationRun(
  db: Db,
  input: { projectId: string; id: string; now: number; staleBefore: number },
): Promise<ImplementationRunRow | null> {
  const [row] = await db
    .update(implementationRuns)
    .set({
      status: "running",
      attempts: sql`${implementationRuns.attempts} + 1`,
      heartbeatAt: input.now,
      startedAt: sql`coalesce(${implementationRuns.startedAt}, ${input.now})`,
      updatedAt: input.now,
    })
    .where(
      and(
        eq(implementationRuns.projectId, input.projectId),
        eq(implementationRuns.id, input.id),
        sql`(${implementationRuns.status} = 'queued' or (${implementationRuns.status} = 'running' and coalesce(${implementationRuns.heartbeatAt}, 0) < ${input.staleBefore}))`,
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * Puts a claimed run back in the queue for a retry (the message comes back with a delay). The
 * heartbeat is set to `resumeAt`, when the message is due: a run waiting out a rate limit is
 * alive, and the sweep (which fails runs whose heartbeat went quiet) must not take it for dead.
 */
export async function requeueImplementationRun(
  db: Db,
  input: { projectId: string; id: string; now: number; resumeAt?: number; log: RunLogEntry[] },
): Promise<boolean> {
  return updateWhileRunning(db, input, {
    status: "queued",
    phase: "queued",
    log: capLog(input.log),
    heartbeatAt: Math.max(input.now, input.resumeAt ?? input.now),
    updatedAt: input.now,
  });
}

/** The job's progress: phase, the whole (capped) log, and the heartbeat. Only while running. */
export async function updateImplementationRunProgress(
  db: Db,
  input: { projectId: string; id: string; now: number; phase: RunPhase; log: RunLogEntry[] },
): Promise<boolean> {
  return updateWhileRunning(db, input, {
    phase: input.phase,
    log: capLog(input.log),
    heartbeatAt: input.now,
    updatedAt: input.now,
  });
}

/** Writes `set` only while the run is `running` (a finished or requeued run is left alone). */
async function updateWhileRunning(
  db: Db,
  run: { projectId: string; id: string },
  set: Partial<typeof implementationRuns.$inferInsert>,
): Promise<boolean> {
  const rows = await db
    .update(implementationRuns)
    .set(set)
    .where(
      and(
        eq(implementationRuns.projectId, run.projectId),
        eq(implementationRuns.id, run.id),
        eq(implementationRuns.status, "running"),
      ),
    )
    .returning({ id: implementationRuns.id });
  return rows.length > 0;
}

export async function setImplementationRunDiff(
  db: Db,
  input: { projectId: string; id: string; now: number; diff: string; files: string[] },
): Promise<void> {
  await db
    .update(implementationRuns)
    .set({ diff: input.diff, files: input.files, heartbeatAt: input.now, updatedAt: input.now })
    .where(and(eq(implementationRuns.projectId, input.projectId), eq(implementationRuns.id, input.id)));
}

/**
 * Ends a run that is still queued or running (compare-and-set: the sweep and a late job cannot
 * both end it). False when it had ended already.
 */
export async function finishImplementationRun(
  db: Db,
  input: {
    projectId: string;
    id: string;
    now: number;
    status: "succeeded" | "failed";
    phase?: RunPhase;
    error?: string | null;
    log?: RunLogEntry[];
    usage?: RunUsage | null;
    branch?: string | null;
    pullNumber?: number | null;
    pullUrl?: string | null;
    diff?: string | null;
    files?: string[] | null;
  },
): Promise<boolean> {
  const rows = await db
    .update(implementationRuns)
    .set({
      status: input.status,
      ...(input.phase ? { phase: input.phase } : {}),
      ...(input.error !== undefined ? { error: input.error } : {}),
      ...(input.log ? { log: capLog(input.log) } : {}),
      ...(input.usage !== undefined ? { usage: input.usage } : {}),
      ...(input.branch !== undefined ? { branch: input.branch } : {}),
      ...(input.pullNumber !== undefined ? { pullNumber: input.pullNumber } : {}),
      ...(input.pullUrl !== undefined ? { pullUrl: input.pullUrl } : {}),
      ...(input.diff !== undefined && input.diff !== null ? { diff: input.diff } : {}),
      ...(input.files !== undefined && input.files !== null ? { files: input.files } : {}),
      finishedAt: input.now,
      updatedAt: input.now,
    })
    .where(
      and(
        eq(implementationRuns.projectId, input.projectId),
        eq(implementationRuns.id, input.id),
        inArray(implementationRuns.status, ["queued", "running"]),
      ),
    )
    .returning({ id: implementationRuns.id });
  return rows.length > 0;
}

/** Runs, of every project, queued or running whose heartbeat (or creation) is older than `before`. */
export function listStaleImplementationRuns(
  db: Db,
  before: number,
  limit: number,
): Promise<ImplementationRunRow[]> {
  return db
    .select()
    .from(implementationRuns)
    .where(
      and(
        inArray(implementationRuns.status, ["queued", "running"]),
        lt(sql`coalesce(${implementationRuns.heartbeatAt}, ${implementationRuns.createdAt})`, before),
      ),
    )
    .orderBy(asc(implementationRuns.createdAt))
    .limit(limit);
}

export function capLog(log: RunLogEntry[]): RunLogEntry[] {
  return log.length > RUN_LOG_CAP ? log.slice(log.length - RUN_LOG_CAP) : log;
}
