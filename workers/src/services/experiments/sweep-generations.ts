import { findStaleGenerations, markGeneration } from "@pushbunny/db";
import type { AppContext } from "../../context";
import type { GenerateJob } from "../../queue/messages";

/** A job quieter than this is presumed lost (queue retries with backoff finish well within it). */
export const STALE_GENERATION_MS = 15 * 60_000;
/** Times the sweep re-queues one experiment's generation before marking it failed. */
export const MAX_SWEEPS = 3;

/** Finds generation jobs that never finished and re-queues them, or gives up on them. */
export async function sweepGenerations({
  ctx,
}: {
  ctx: AppContext;
}): Promise<{ requeued: number; failed: number }> {
  const now = ctx.now();
  const stale = await findStaleGenerations(ctx.db, now - STALE_GENERATION_MS);
  let requeued = 0;
  let failed = 0;
  for (const e of stale) {
    const base = { projectId: e.projectId, experimentId: e.id, now };
    if (e.generationAttempts >= MAX_SWEEPS) {
      await markGeneration(ctx.db, {
        ...base,
        status: "failed",
        error: `generation did not finish after ${MAX_SWEEPS} re-queues${e.generationError ? `; last error: ${e.generationError}` : ""}`,
        attempts: e.generationAttempts,
      });
      failed++;
      continue;
    }
    await markGeneration(ctx.db, {
      ...base,
      status: "pending",
      error: e.generationError,
      attempts: e.generationAttempts + 1,
      requestedAt: now,
    });
    const job: GenerateJob = { kind: "generate", projectId: e.projectId, experimentId: e.id };
    await ctx.queues.jobs.send(job);
    requeued++;
  }
  if (requeued + failed > 0) ctx.logger.info("generation sweep", { requeued, failed });
  return { requeued, failed };
}
