import { deleteUnservedWebExperiment } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import { mustWebExperiment } from "./lib/lookup";

const DELETABLE = ["draft", "failed"] as const;

/**
 * Deletes a web experiment that never served (draft or failed) with its engine experiment, so
 * the key can be used again. Anything that served keeps its numbers: finish it instead.
 */
export async function deleteWebExperiment({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { key: string };
}): Promise<void> {
  const current = await mustWebExperiment(ctx, projectId, input);
  const refused = () =>
    new ConflictError(
      `web experiment '${current.key}' is ${current.status}: only a draft or failed one can be deleted`,
    );
  if (!(DELETABLE as readonly string[]).includes(current.status)) throw refused();
  const deleted = await deleteUnservedWebExperiment(ctx.db, {
    projectId,
    experimentId: current.experimentId,
    from: DELETABLE,
  });
  if (!deleted) throw refused();
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "web_experiment.deleted",
      targetType: "web_experiment",
      targetId: current.key,
      details: { experiment_id: current.experimentId },
    },
  });
}
