import { newId, newTimeId, normalizeText, renderTemplate, signTrackingToken } from "@pushbunny/core";
import { createExperimentWithControl, type KeyOwner } from "@pushbunny/db";
import type { AppContext } from "../context";
import { ServiceUnavailableError } from "../errors";
import type { GenerateJob, ImpressionMessage } from "../queue/messages";
import { loadPool, type Pool, type PoolVariant, refreshPool } from "./pool";
import { enqueueBatched } from "./queue-batcher";

export interface GetMessageInput {
  intentId: string;
  baseExample: string;
  /** Canonical BCP-47 tag, or null for the project's default. */
  locale: string | null;
  userId: string | null;
  context: Record<string, string>;
}

export interface GetMessageOutput {
  text: string;
  variantId: string;
  experimentId: string;
  trackingToken: string;
  locale: string;
}

/**
 * Picks the copy for one notification. Warm path: pool from memory or KV, a sequence number
 * from the isolate's leased block, an HMAC, and the impression handed to a queue — no D1.
 */
export async function getMessage({
  ctx,
  owner,
  input,
}: {
  ctx: AppContext;
  owner: KeyOwner;
  input: GetMessageInput;
}): Promise<GetMessageOutput> {
  const locale = input.locale ?? owner.defaultLocale;
  const key = { projectId: owner.projectId, intentId: input.intentId, locale };
  const pool = (await loadPool(ctx, key)) ?? (await createPool(ctx, owner, input, locale));

  const variant = await choose(ctx, pool);
  // The control arm always shows the app's own current copy: the base example is the app's,
  // may change between releases, and must never be another user's personalised text.
  let served: PoolVariant = variant;
  let text = renderTemplate(variant.source === "control" ? input.baseExample : variant.text, input.context);
  if (text === null) {
    // The challenger needs context this request lacks: serve the control and count it as such.
    served = pool.variants.find((v) => v.source === "control") ?? variant;
    text = renderTemplate(input.baseExample, input.context) ?? input.baseExample;
  }

  const issuedAt = ctx.now();
  const impressionId = newTimeId("imp", issuedAt);
  const trackingToken = signTrackingToken(ctx.config.trackingSecret, {
    projectId: owner.projectId,
    experimentId: pool.experimentId,
    variantId: served.id,
    impressionId,
    issuedAt,
  });
  const impression: ImpressionMessage = {
    kind: "impression",
    id: impressionId,
    projectId: owner.projectId,
    experimentId: pool.experimentId,
    variantId: served.id,
    userId: input.userId,
    createdAt: issuedAt,
  };
  enqueueBatched(ctx.queues.events, impression, ctx.waitUntil, (err, count) =>
    // Not fatal for the counts: the event consumer re-creates impressions from tokens, so an
    // impression that earns an event is never missing from the denominator.
    ctx.logger.error("impression enqueue failed", { count, error: String(err) }),
  );
  return { text, variantId: served.id, experimentId: pool.experimentId, trackingToken, locale };
}

async function choose(ctx: AppContext, pool: Pool): Promise<PoolVariant> {
  const active = pool.variants;
  const control = active.find((v) => v.source === "control");
  if (active.length === 0 || !control) throw new ServiceUnavailableError("experiment has no active variants");
  if (pool.status === "paused" || active.length === 1) return control;
  try {
    const seq = await ctx.rotation.next(pool.experimentId);
    return active[seq % active.length] ?? control;
  } catch (err) {
    // A rotation outage must not fail the send: fall back to a uniform random pick, which
    // keeps the arms balanced in expectation.
    ctx.logger.warn("rotation unavailable, random pick", {
      experimentId: pool.experimentId,
      error: String(err),
    });
    return active[Math.floor(Math.random() * active.length)] ?? control;
  }
}

async function createPool(
  ctx: AppContext,
  owner: KeyOwner,
  input: GetMessageInput,
  locale: string,
): Promise<Pool> {
  const experimentId = newId("exp");
  const now = ctx.now();
  await createExperimentWithControl(ctx.db, {
    experimentId,
    controlVariantId: newId("var"),
    projectId: owner.projectId,
    intentId: input.intentId,
    locale,
    baseExample: input.baseExample,
    normalizedBase: normalizeText(input.baseExample),
    contextKeys: Object.keys(input.context).sort(),
    challengerCount: owner.challengerCount,
    now,
  });
  const pool = await refreshPool(ctx, { projectId: owner.projectId, intentId: input.intentId, locale });
  if (!pool) throw new ServiceUnavailableError("experiment could not be created, retry shortly");
  // Only the request that created the experiment asks for challengers; a lost job is found
  // by the generation sweep.
  if (pool.experimentId === experimentId && owner.challengerCount > 0) {
    const job: GenerateJob = { kind: "generate", projectId: owner.projectId, experimentId };
    ctx.waitUntil(
      ctx.queues.jobs
        .send(job)
        .catch((err: unknown) =>
          ctx.logger.error("generation enqueue failed", { experimentId, error: String(err) }),
        ),
    );
  }
  return pool;
}
