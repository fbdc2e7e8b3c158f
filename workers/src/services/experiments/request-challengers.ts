import { applyExperimentChange, type ExperimentRow, markGeneration } from "@pushbunny/db";
import type { AppContext } from "../../context";
import type { GenerateJob } from "../../queue/messages";
import { tryQuota } from "../../ratelimit/quotas";
import { type Actor, historyEntry } from "./history-entry";

/**
 * Asks for new challengers (topping the pool up to the challenger count) through the jobs
 * queue, unless the project's hourly generation quota is spent: then generation is marked
 * failed with the reason and nothing is queued. True when a job was queued.
 */
export async function requestChallengers(
  ctx: AppContext,
  e: ExperimentRow,
  actor: Actor,
  reason: string,
): Promise<boolean> {
  const quota = await tryQuota(ctx, e.projectId, "generation");
  const now = ctx.now();
  if (!quota.allowed) {
    await markGeneration(ctx.db, {
      projectId: e.projectId,
      experimentId: e.id,
      status: "failed",
      error: quota.message,
      attempts: e.generationAttempts,
      now,
    });
    ctx.logger.info("generation quota spent, challengers not requested", { experimentId: e.id });
    return false;
  }
  await applyExperimentChange(ctx.db, {
    projectId: e.projectId,
    experimentId: e.id,
    set: {
      generationStatus: "pending",
      generationError: null,
      generationAttempts: 0,
      generationRequestedAt: now,
    },
    history: [historyEntry(ctx, e, actor, "challengers_requested", reason, null)],
    now,
  });
  const job: GenerateJob = { kind: "generate", projectId: e.projectId, experimentId: e.id };
  await ctx.queues.jobs.send(job);
  return true;
}

/**
 * The first generation of an experiment /v1/message just created. Runs after the response
 * (waitUntil), so the quota's round trip never delays a message. Beyond the project's hourly
 * generation quota the experiment keeps serving its control and no job is queued: a burst of
 * new intents cannot turn into a burst of LLM calls. Never throws.
 */
export async function requestFirstChallengers(
  ctx: AppContext,
  input: { projectId: string; experimentId: string },
  options: { quotaSpent?: boolean } = {},
): Promise<void> {
  try {
    // /v1/resolve spends the quota before it creates an experiment for an app-less intent.
    const quota = options.quotaSpent
      ? { allowed: true as const }
      : await tryQuota(ctx, input.projectId, "generation");
    if (!quota.allowed) {
      await markGeneration(ctx.db, {
        ...input,
        status: "failed",
        error: quota.message,
        attempts: 0,
        now: ctx.now(),
      });
      ctx.logger.info("generation quota spent, new experiment serves its control", input);
      return;
    }
    const job: GenerateJob = { kind: "generate", ...input };
    await ctx.queues.jobs.send(job);
  } catch (err) {
    // A lost job is found by the generation sweep (the experiment stays pending).
    ctx.logger.error("generation enqueue failed", { experimentId: input.experimentId, error: String(err) });
  }
}
