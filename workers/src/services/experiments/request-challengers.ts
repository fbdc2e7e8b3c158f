import { applyExperimentChange, type ExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import type { GenerateJob } from "../../queue/messages";
import { type Actor, historyEntry } from "./history-entry";

/** Asks for new challengers (topping the pool up to the challenger count) through the jobs queue. */
export async function requestChallengers(
  ctx: AppContext,
  e: ExperimentRow,
  actor: Actor,
  reason: string,
): Promise<void> {
  const now = ctx.now();
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
}
