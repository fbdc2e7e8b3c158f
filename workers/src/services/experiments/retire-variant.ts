import { applyExperimentChange } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError } from "../../errors";
import { type Actor, historyEntry } from "./history-entry";
import { mustFind, mustVariant } from "./lookup";
import { republish } from "./republish";
import type { ExperimentDetail } from "./summaries";

/** Takes a variant out of rotation for good (its counts stay in the statistics). */
export async function retireVariant({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: Actor;
  input: { experimentId: string; variantId: string; reason?: string };
}): Promise<ExperimentDetail> {
  const found = await mustFind(ctx, projectId, input.experimentId);
  const v = mustVariant(found, input.variantId);
  if (v.source === "control") {
    throw new ConflictError(
      "the control cannot be retired: it is the baseline; pause the experiment instead",
    );
  }
  if (v.status === "retired") throw new ConflictError(`variant '${v.id}' is already retired`);
  const e = found.experiment;
  await applyExperimentChange(ctx.db, {
    projectId,
    experimentId: e.id,
    set: e.winnerVariantId === v.id ? { winnerVariantId: null } : {},
    variantStatus: [{ id: v.id, status: "retired" }],
    history: [
      historyEntry(ctx, e, actor, "variant_retired", input.reason ?? null, {
        variant_id: v.id,
        text: v.text,
      }),
    ],
    now: ctx.now(),
  });
  return republish(ctx, projectId, e.id);
}
