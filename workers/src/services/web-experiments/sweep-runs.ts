import {
  findImplementationRun,
  finishImplementationRun,
  listStaleImplementationRuns,
  type RunLogEntry,
} from "@pushbunny/db";
import type { AppContext } from "../../context";
import { failExperiment } from "./run-implementation";

/** A run whose heartbeat went quiet this long is dead: the job logs at least every model call. */
export const STALE_RUN_MS = 15 * 60_000;
const BATCH = 50;
export const STALE_RUN_REASON = "the implementation stopped: the Worker restarted or the queue gave up";

/**
 * Fails implementation runs that are queued or running with a heartbeat (or, never started, a
 * creation) older than 15 minutes, and their experiments (implementing → failed), so nothing
 * waits forever on a job that died. Runs from a cron and for dead-lettered `web_implement` jobs.
 */
export async function sweepImplementationRuns({
  ctx,
  olderThanMs = STALE_RUN_MS,
}: {
  ctx: AppContext;
  olderThanMs?: number;
}): Promise<number> {
  const stale = await listStaleImplementationRuns(ctx.db, ctx.now() - olderThanMs, BATCH);
  let failed = 0;
  for (const run of stale) {
    if (await failRun(ctx, run.projectId, run.id, run.experimentId, run.log, STALE_RUN_REASON)) failed++;
  }
  if (failed > 0) ctx.logger.warn("stale implementation runs failed", { failed });
  return failed;
}

/** A `web_implement` job the queue gave up on: its run fails now rather than after the sweep's wait. */
export async function failDeadLetteredRun({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { projectId: string; runId: string };
}): Promise<void> {
  const run = await findImplementationRun(ctx.db, input.projectId, input.runId);
  if (!run || (run.status !== "queued" && run.status !== "running")) return;
  await failRun(ctx, run.projectId, run.id, run.experimentId, run.log, STALE_RUN_REASON);
}

async function failRun(
  ctx: AppContext,
  projectId: string,
  id: string,
  experimentId: string,
  log: RunLogEntry[],
  reason: string,
): Promise<boolean> {
  const ended = await finishImplementationRun(ctx.db, {
    projectId,
    id,
    now: ctx.now(),
    status: "failed",
    error: reason,
    log: [...log, { at: ctx.now(), phase: log.at(-1)?.phase ?? "queued", message: `failed: ${reason}` }],
  });
  if (ended) await failExperiment(ctx, projectId, experimentId, reason);
  return ended;
}
