import type { WebExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import type { WebExperimentRef } from "./lib/lookup";
import { transition } from "./lib/transition";

/**
 * implementing | pr_open → failed with a reason the status endpoint shows (the agent's run
 * failed or stalled, or its pull request was closed without merging). A failed experiment can
 * be edited and implemented again.
 */
export async function failWebExperiment({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: WebExperimentRef & { reason: string };
}): Promise<WebExperimentRow> {
  return transition(ctx, {
    projectId,
    actor,
    ref: input,
    from: ["implementing", "pr_open"],
    to: "failed",
    reason: input.reason.slice(0, 2_000),
    action: "web_experiment.failed",
  });
}
