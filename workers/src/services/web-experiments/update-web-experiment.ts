import { updateWebExperimentRow, type WebExperimentChange, type WebExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import {
  type SegmentInput,
  validateDefinition,
  validateDelivery,
  type WebDefinition,
  type WebDelivery,
} from "./lib/definition";
import { shapeEngineExperiment } from "./lib/engine";
import { mustWebExperiment } from "./lib/lookup";

/** What defines the test can change only before it is built or served. */
const DEFINITION_EDITABLE = ["draft", "failed"] as const;
/** Where the code lives can change until the experiment is finished. */
const DELIVERY_EDITABLE = ["draft", "implementing", "pr_open", "active", "failed"] as const;

/**
 * Changes a web experiment. Hypothesis, target, segments and metrics only in draft or failed
 * (new segments reshape the engine experiment, whose variants then get new ids); preview URL,
 * repository and base branch any time before it is finished.
 */
export async function updateWebExperiment({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { key: string } & Partial<WebDefinition> & WebDelivery;
}): Promise<WebExperimentRow> {
  const current = await mustWebExperiment(ctx, projectId, input);
  const definitionFields = (
    ["hypothesis", "targetType", "target", "segments", "primaryMetric", "secondaryMetrics"] as const
  ).filter((f) => input[f] !== undefined);
  const deliveryFields = (["previewUrl", "repository", "baseBranch"] as const).filter(
    (f) => input[f] !== undefined,
  );
  if (definitionFields.length === 0 && deliveryFields.length === 0) {
    throw new BadRequestError("nothing to change: send at least one field");
  }
  const from: readonly WebExperimentRow["status"][] =
    definitionFields.length > 0 ? DEFINITION_EDITABLE : DELIVERY_EDITABLE;
  if (!from.includes(current.status)) {
    throw new ConflictError(
      definitionFields.length > 0
        ? `web experiment '${current.key}' is ${current.status}: hypothesis, target, segments and metrics change only in draft or failed`
        : `web experiment '${current.key}' is finished: nothing changes any more`,
    );
  }
  const merged: WebDefinition = {
    hypothesis: input.hypothesis ?? current.hypothesis,
    targetType: input.targetType ?? current.targetType,
    target: input.target ?? current.target,
    segments:
      input.segments ??
      current.segments.map(
        (s): SegmentInput => ({
          key: s.key,
          name: s.name,
          trafficPercent: s.trafficPercent,
          description: s.description,
        }),
      ),
    primaryMetric: input.primaryMetric ?? current.primaryMetric,
    secondaryMetrics: input.secondaryMetrics ?? current.secondaryMetrics,
  };
  if (definitionFields.length > 0) validateDefinition(merged);
  validateDelivery(input);
  const set: WebExperimentChange = {};
  if (definitionFields.length > 0) {
    set.hypothesis = merged.hypothesis.trim();
    set.targetType = merged.targetType;
    set.target = merged.target.trim();
    set.primaryMetric = merged.primaryMetric;
    set.secondaryMetrics = merged.secondaryMetrics;
  }
  if (input.segments !== undefined) {
    set.segments = await shapeEngineExperiment(ctx, {
      projectId,
      experimentId: current.experimentId,
      segments: input.segments,
    });
  }
  if (input.previewUrl !== undefined) set.previewUrl = input.previewUrl;
  if (input.repository !== undefined) set.repository = input.repository;
  if (input.baseBranch !== undefined) set.baseBranch = input.baseBranch;
  const row = await updateWebExperimentRow(ctx.db, {
    projectId,
    experimentId: current.experimentId,
    from,
    set,
    now: ctx.now(),
  });
  if (!row)
    throw new ConflictError(`web experiment '${current.key}' changed status meanwhile; read it and retry`);
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "web_experiment.updated",
      targetType: "web_experiment",
      targetId: row.key,
      details: { experiment_id: row.experimentId, fields: [...definitionFields, ...deliveryFields] },
    },
  });
  return row;
}
