import type { WebExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import type { WebExperimentRef } from "./lib/lookup";
import { transition } from "./lib/transition";

/** implementing → pr_open: the agent pushed its branch and opened a draft pull request. */
export async function markPrOpen({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: WebExperimentRef & { branch: string; pullNumber: number; pullUrl: string; reason?: string | null };
}): Promise<WebExperimentRow> {
  return transition(ctx, {
    projectId,
    actor,
    ref: input,
    from: ["implementing"],
    to: "pr_open",
    set: { branch: input.branch, pullNumber: input.pullNumber, pullUrl: input.pullUrl },
    reason: input.reason ?? null,
    action: "web_experiment.pr_opened",
  });
}
