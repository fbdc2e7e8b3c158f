import type { WebExperimentRow } from "@pushbunny/db";
import { findWebExperiment, insertWebExperiment } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import {
  SLUG,
  validateDefinition,
  validateDelivery,
  type WebDefinition,
  type WebDelivery,
} from "./lib/definition";
import { createEngineExperiment } from "./lib/engine";

/**
 * Creates a web experiment in draft, riding on a new engine experiment of kind `web` (intent
 * `web:<key>`, sticky, goal `conversion`, no challengers): the control variant is segment 0,
 * one manual variant per other segment, and the allocation's weights are the segments' traffic.
 */
export async function createWebExperiment({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: WebDefinition & WebDelivery & { key: string };
}): Promise<WebExperimentRow> {
  if (typeof input.key !== "string" || !SLUG.test(input.key)) {
    throw BadRequestError.fromIssues([
      {
        path: "key",
        message:
          "must be a slug: lowercase letters, digits and '-', starting with a letter or digit, at most 63",
      },
    ]);
  }
  validateDefinition(input);
  validateDelivery(input);
  const duplicate = () => new ConflictError(`a web experiment with key '${input.key}' already exists`);
  if (await findWebExperiment(ctx.db, projectId, input.key)) throw duplicate();
  const engine = await createEngineExperiment(ctx, { projectId, key: input.key, segments: input.segments });
  const now = ctx.now();
  const row = await insertWebExperiment(ctx.db, {
    experimentId: engine.experimentId,
    projectId,
    key: input.key,
    hypothesis: input.hypothesis.trim(),
    targetType: input.targetType,
    target: input.target.trim(),
    segments: engine.segments,
    primaryMetric: input.primaryMetric,
    secondaryMetrics: input.secondaryMetrics,
    previewUrl: input.previewUrl ?? null,
    status: "draft",
    repository: input.repository ?? null,
    baseBranch: input.baseBranch ?? null,
    createdAt: now,
    updatedAt: now,
  });
  if (!row) throw duplicate();
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "web_experiment.created",
      targetType: "web_experiment",
      targetId: row.key,
      details: { experiment_id: row.experimentId, segments: row.segments.map((s) => s.key) },
    },
  });
  return row;
}
