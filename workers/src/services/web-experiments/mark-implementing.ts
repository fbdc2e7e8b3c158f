import type { WebExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import type { WebExperimentRef } from "./lib/lookup";
import { transition } from "./lib/transition";

/** draft | failed → implementing: an implementation run was queued for it. */
export async function markImplementing({
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
  return transition(ctx, {
    projectId,
    actor,
    ref: input,
    from: ["draft", "failed"],
    to: "implementing",
    set: { branch: null, pullNumber: null, pullUrl: null },
    reason: input.reason ?? null,
    action: "web_experiment.implementing",
  });
}
