import { verifyTrackingToken } from "@pushbunny/core";
import type { AppContext } from "../../context";
import { RateLimitedError, ServiceUnavailableError, UnauthorizedError } from "../../errors";
import { metricsPolicy } from "../../infra/metrics-policy";
import type { ImpressionMessage } from "../../queue/messages";
import type { RateLimitRule } from "../../ratelimit/interface";
import { anonymousLimiter } from "../../ratelimit/middleware";
import { ingestEvents } from "../events/ingest-events";

export type MetricEvent = "sent" | "clicked";

export interface RecordMetricInput {
  variantId: string;
  eventType: MetricEvent;
  /** When the app says it happened (Unix ms), if it said. */
  at: number | null;
}

export type MetricOutcome = { recorded: true } | { recorded: false; reason: string };

/**
 * Per isolate. A token counts once per event type anyway: its limit only stops a loop from
 * turning one token into queue traffic. The variant's bounds what a pile of replayed tokens of
 * one copy can push through an isolate in a minute.
 */
export const METRIC_LIMITS = {
  perToken: { limit: 30, windowMs: 60_000 },
  perVariant: { limit: 6_000, windowMs: 60_000 },
} as const satisfies Record<string, RateLimitRule>;

const UNKNOWN =
  "unknown variant_id: send the variant_id POST /v1/resolve answered, unchanged (nothing was recorded)";

/**
 * POST /v1/metrics: the mobile SDKs' `sent` (the impression) and `clicked` (an open). The
 * variant id is the impression's signed tracking token, so the project, experiment, variant and
 * impression come from our own signature — never from what the caller states — and the request
 * needs no key. Each token is one impression and at most one open: `sent` repeated, or after
 * /v1/resolve already queued the impression, finds the same row; `clicked` without `sent`
 * creates its impression. Opens can therefore never exceed impressions.
 *
 * Anything that is not a token we signed is answered 200 with nothing stored, as the SDKs'
 * own tests expect; the answer says so (`recorded: false` and why).
 */
export async function recordMetric({
  ctx,
  callerProjectId,
  input,
}: {
  ctx: AppContext;
  /** The project of the API key the request carried, or null when it carried none. */
  callerProjectId: string | null;
  input: RecordMetricInput;
}): Promise<MetricOutcome> {
  if (input.variantId.startsWith("base_")) {
    return {
      recorded: false,
      reason: "this copy was served untracked (over the generation quota), so there is nothing to count",
    };
  }
  const checked = verifyTrackingToken(ctx.config.trackingSecret, input.variantId);
  if (!checked.ok) return { recorded: false, reason: UNKNOWN };
  const claims = checked.claims;
  if (callerProjectId !== null && callerProjectId !== claims.projectId) {
    return { recorded: false, reason: "variant_id belongs to another project than this API key" };
  }
  const policy = await metricsPolicy(ctx, claims.projectId);
  if (!policy.live) return { recorded: false, reason: "the project this variant_id belongs to was deleted" };
  if (policy.requireKey && callerProjectId === null) {
    throw new UnauthorizedError(
      "this project accepts metrics only with its API key: send 'Authorization: Bearer <api key>'",
    );
  }
  const now = ctx.now();
  for (const [bucket, rule] of [
    [`metrics:token:${claims.impressionId}`, METRIC_LIMITS.perToken],
    [`metrics:variant:${claims.variantId}`, METRIC_LIMITS.perVariant],
  ] as const) {
    const spent = await anonymousLimiter.limit(bucket, rule, now);
    if (!spent.success) {
      throw new RateLimitedError(
        `too many metrics for this variant; retry in ${Math.ceil(spent.retryAfterMs / 1000)} s`,
        spent.retryAfterMs / 1000,
      );
    }
  }

  if (input.eventType === "sent") {
    const impression: ImpressionMessage = {
      kind: "impression",
      id: claims.impressionId,
      projectId: claims.projectId,
      experimentId: claims.experimentId,
      variantId: claims.variantId,
      userId: null,
      createdAt: claims.issuedAt,
      allocation: null,
    };
    try {
      await ctx.queues.events.send(impression);
    } catch (err) {
      throw new ServiceUnavailableError("the metric could not be queued; retry the request", 5, {
        cause: err,
      });
    }
    return { recorded: true };
  }

  // A phone's clock may be off: the open is placed within [served, now] rather than refused,
  // as the SDKs cannot act on a refusal.
  const occurredAt = Math.min(Math.max(input.at ?? now, claims.issuedAt), now);
  const result = await ingestEvents({
    ctx,
    projectId: claims.projectId,
    input: [{ type: "opened", tracking_token: input.variantId, timestamp: occurredAt }],
  });
  const rejected = result.rejected[0];
  return rejected ? { recorded: false, reason: rejected.reason } : { recorded: true };
}
