import { newId, normalizeText } from "@pushbunny/core";
import {
  createExperimentWithControl,
  findExperiment,
  findExperimentByIntent,
  findProject,
  insertAllocation,
  latestAllocation,
  replaceWebVariants,
  type WebSegment,
} from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { ConflictError, NotFoundError } from "../../../errors";
import { publishPool } from "../../../infra/pool";
import { type SegmentInput, segmentVariantText, trafficWeights, webIntent } from "./definition";

const SAME_WEIGHT = 1e-9;

/**
 * Creates (or, after a create that stopped half-way, reuses) the engine experiment of kind
 * `web` for `key`, shaped to the segments. Returns its id and the segments with variant ids.
 */
export async function createEngineExperiment(
  ctx: AppContext,
  input: { projectId: string; key: string; segments: SegmentInput[] },
): Promise<{ experimentId: string; segments: WebSegment[] }> {
  const project = await findProject(ctx.db, input.projectId);
  if (!project) throw new NotFoundError(`project '${input.projectId}' not found`);
  const intent = {
    projectId: input.projectId,
    intentId: webIntent(input.key),
    locale: project.defaultLocale,
  };
  const control = input.segments[0];
  if (!control) throw new ConflictError("a web experiment needs a control segment");
  const controlText = segmentVariantText(control);
  await createExperimentWithControl(ctx.db, {
    experimentId: newId("exp"),
    controlVariantId: newId("var"),
    projectId: input.projectId,
    intentId: intent.intentId,
    kind: "web",
    locale: intent.locale,
    baseExample: controlText,
    normalizedBase: normalizeText(controlText),
    contextKeys: [],
    contextHint: null,
    challengerCount: 0,
    historyId: newId("hst"),
    now: ctx.now(),
  });
  const found = await findExperimentByIntent(ctx.db, intent);
  if (!found) throw new ConflictError("the web experiment's engine experiment could not be created");
  if (found.experiment.kind !== "web") {
    throw new ConflictError(
      `intent '${intent.intentId}' is already used by a ${found.experiment.kind} experiment`,
    );
  }
  const segments = await shapeEngineExperiment(ctx, {
    projectId: input.projectId,
    experimentId: found.experiment.id,
    segments: input.segments,
  });
  return { experimentId: found.experiment.id, segments };
}

/**
 * Makes the engine experiment's variants the segments (control = segment 0, one manual
 * variant per other segment) and records an allocation whose weights are the segments'
 * traffic, then publishes the pool. Only for experiments that never served: other variants
 * are replaced, so their ids change.
 */
export async function shapeEngineExperiment(
  ctx: AppContext,
  input: { projectId: string; experimentId: string; segments: SegmentInput[] },
): Promise<WebSegment[]> {
  const found = await findExperiment(ctx.db, input.projectId, input.experimentId);
  const controlRow = found?.variants.find((v) => v.source === "control");
  if (!found || !controlRow) throw new NotFoundError(`experiment '${input.experimentId}' not found`);
  const [first, ...rest] = input.segments;
  if (!first) throw new ConflictError("a web experiment needs a control segment");
  const segments: WebSegment[] = [
    { ...first, variantId: controlRow.id },
    ...rest.map((s) => ({ ...s, variantId: newId("var") })),
  ];
  const texted = segments.map((s) => {
    const text = segmentVariantText(s);
    return { id: s.variantId, text, normalized: normalizeText(text) };
  });
  const [controlText, ...others] = texted;
  if (!controlText) throw new ConflictError("a web experiment needs a control segment");
  const now = ctx.now();
  await replaceWebVariants(ctx.db, {
    projectId: input.projectId,
    experimentId: input.experimentId,
    control: controlText,
    others,
    now,
  });
  await recordTrafficSplit(ctx, input.projectId, input.experimentId, segments);
  return segments;
}

/**
 * Records the segments' traffic as the experiment's allocation (unless the newest already is
 * that split) and republishes the pool, which keeps it: the pool reads a web experiment's
 * weights from its newest allocation instead of computing them.
 */
export async function recordTrafficSplit(
  ctx: AppContext,
  projectId: string,
  experimentId: string,
  segments: { variantId: string; trafficPercent: number }[],
): Promise<number> {
  const weights = trafficWeights(segments);
  const same = (period: { strategy: string; weights: Record<string, number> }) =>
    period.strategy === "sticky" &&
    Object.keys(period.weights).length === Object.keys(weights).length &&
    Object.entries(weights).every(([id, w]) => Math.abs((period.weights[id] ?? -1) - w) < SAME_WEIGHT);
  const latest = await latestAllocation(ctx.db, projectId, experimentId);
  const version =
    latest && same(latest)
      ? latest.version
      : await insertAllocation(ctx.db, {
          projectId,
          experimentId,
          strategy: "sticky",
          weights,
          now: ctx.now(),
          after: latest?.version ?? null,
          sameAs: same,
        });
  const found = await findExperiment(ctx.db, projectId, experimentId);
  if (found) await publishPool(ctx, found);
  return version;
}
