import { assignSegment, sha256Hex, signTrackingToken } from "@pushbunny/core";
import { findWebExperiment } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError, NotFoundError, ServiceUnavailableError } from "../../errors";
import type { ImpressionMessage } from "../../queue/messages";
import { loadRuntimeConfig, type RuntimeExperiment, reloadRuntimeConfig } from "./runtime-config";

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
export const MAX_ANONYMOUS_ID = 128;

export interface WebExposure {
  experiment: string;
  segment: string;
  trackingToken: string;
}

/**
 * The impression id of a visitor's exposure to an experiment: the same for every repeat, so
 * the impressions insert finds the row it made the first time and nothing is counted twice.
 */
export async function exposureImpressionId(experimentId: string, anonymousId: string): Promise<string> {
  return `imp_${(await sha256Hex(`${experimentId}\u0000${anonymousId}`)).slice(0, 40)}`;
}

/**
 * Records that a visitor saw an active web experiment. The segment is computed here with the
 * same sticky hash as the SDK, never taken from the caller; the answer's tracking token is what
 * the visitor's metric events are counted against.
 */
export async function recordWebExposure({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { experiment: string; anonymousId: string };
}): Promise<WebExposure> {
  const anonymousId = input.anonymousId;
  if (
    anonymousId.length === 0 ||
    anonymousId.length > MAX_ANONYMOUS_ID ||
    CONTROL_CHARS.test(anonymousId) ||
    LONE_SURROGATE.test(anonymousId)
  ) {
    throw BadRequestError.fromIssues([
      { path: "anonymous_id", message: `must be 1 to ${MAX_ANONYMOUS_ID} printable characters` },
    ]);
  }
  const experiment = await activeExperiment(ctx, projectId, input.experiment);
  const segment = assignSegment(experiment.key, anonymousId, experiment.segments);
  const variantId = experiment.segments.find((s) => s.key === segment)?.variantId;
  if (!variantId) throw new ConflictError(`web experiment '${experiment.key}' has no segment '${segment}'`);
  const now = ctx.now();
  const impressionId = await exposureImpressionId(experiment.experimentId, anonymousId);
  const message: ImpressionMessage = {
    kind: "impression",
    id: impressionId,
    projectId,
    experimentId: experiment.experimentId,
    variantId,
    userId: anonymousId,
    createdAt: now,
    allocation: experiment.allocation,
  };
  try {
    await ctx.queues.events.send(message);
  } catch (err) {
    throw new ServiceUnavailableError("the exposure could not be queued; retry the request", 5, {
      cause: err,
    });
  }
  const trackingToken = signTrackingToken(ctx.config.trackingSecret, {
    projectId,
    experimentId: experiment.experimentId,
    variantId,
    impressionId,
    issuedAt: now,
  });
  return { experiment: experiment.key, segment, trackingToken };
}

/**
 * The experiment from the runtime config (no D1 read when warm). Only a key the config does not
 * list reads D1: to tell unknown (404) from not active (409), and to pick up an activation this
 * isolate has not seen yet.
 */
async function activeExperiment(ctx: AppContext, projectId: string, key: string): Promise<RuntimeExperiment> {
  const config = await loadRuntimeConfig(ctx, projectId);
  const hit = config.experiments.find((e) => e.key === key);
  if (hit) return hit;
  const row = await findWebExperiment(ctx.db, projectId, key.slice(0, 200));
  if (!row) throw new NotFoundError(`web experiment '${key.slice(0, 100)}' not found`);
  if (row.status !== "active") {
    throw new ConflictError(
      `web experiment '${row.key}' is ${row.status}: exposures are recorded only while it is active`,
    );
  }
  // This isolate's copy is older than the activation: D1's, for this isolate only (never to KV).
  const fresh = (await reloadRuntimeConfig(ctx, projectId)).experiments.find((e) => e.key === key);
  if (!fresh) throw new ConflictError(`web experiment '${row.key}' is not active`);
  return fresh;
}
