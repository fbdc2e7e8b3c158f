import { applyExperimentChange } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { type Actor, historyEntry } from "./history-entry";
import { mustFind } from "./lookup";
import { republish } from "./republish";
import type { ExperimentDetail } from "./summaries";

/** Pause (everyone gets the control) or resume; setting the status it already has changes nothing. */
export async function setExperimentStatus({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; status: "running" | "paused"; reason?: string };
}): Promise<ExperimentDetail> {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const e = found.experiment;
  if (e.status !== input.status) {
    await applyExperimentChange(ctx.db, {
      projectId,
      experimentId: e.id,
      set: { status: input.status },
      history: [
        historyEntry(
          ctx,
          e,
          actor,
          input.status === "paused" ? "paused" : "resumed",
          input.reason ?? null,
          null,
        ),
      ],
      now: ctx.now(),
    });
  }
  return republish(ctx, projectId, e.id);
}
