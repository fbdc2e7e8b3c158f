import type { WebExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { recordTrafficSplit } from "./lib/engine";
import { mustWebExperiment, type WebExperimentRef } from "./lib/lookup";
import { transition } from "./lib/transition";

/**
 * draft | pr_open → active: by hand (POST …/activate, the code shipped without the agent) or
 * when the agent's pull request is merged. The runtime config is rewritten, so the SDK starts
 * assigning segments at its next refresh.
 */
export async function activateWebExperiment({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: WebExperimentRef & { reason?: string | null };
}): Promise<WebExperimentRow> {
  const current = await mustWebExperiment(ctx, projectId, input);
  const from = ["draft", "pr_open"] as const;
  // The split exposures are recorded under must be the segments' traffic from the first one.
  // (A wrong status is left to the transition's 409, with nothing written before it.)
  if ((from as readonly string[]).includes(current.status)) {
    await recordTrafficSplit(ctx, projectId, current.experimentId, current.segments);
  }
  return transition(ctx, {
    projectId,
    actor,
    ref: { experimentId: current.experimentId },
    from,
    to: "active",
    set: { activatedAt: ctx.now() },
    reason: input.reason ?? null,
    action: "web_experiment.activated",
  });
}
