import {
  inHoldout,
  newId,
  newTimeId,
  normalizeText,
  pickArm,
  renderTemplate,
  renderTemplateDropping,
  signTrackingToken,
} from "@pushbunny/core";
import { createExperimentWithControl, type KeyOwner } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ServiceUnavailableError } from "../../errors";
import { loadPool, type Pool, type PoolVariant, refreshPool } from "../../infra/pool";
import { enqueueBatched } from "../../infra/queue-batcher";
import type { ImpressionMessage } from "../../queue/messages";
import { requestFirstChallengers } from "../experiments/request-challengers";

export interface GetMessageInput {
  intentId: string;
  baseExample: string;
  /** Canonical BCP-47 tag, or null for the project's default. */
  locale: string | null;
  userId: string | null;
  context: Record<string, string>;
  /** /v1/resolve's free-text context (trimmed, at most 256 characters), kept on the impression. */
  note?: string | null;
  /** The generation hint of an experiment this request creates (a short label, or null). */
  hint?: string | null;
  /**
   * Asked before this request would create a new experiment; false serves the base example
   * untracked instead. True means the caller also spent the generation quota for it.
   */
  admitNew?: () => Promise<boolean>;
}

export interface GetMessageOutput {
  text: string;
  variantId: string;
  experimentId: string;
  trackingToken: string;
  locale: string;
}

/** What pickMessage serves: the tracked pick, or (over a quota admitNew enforces) the base example. */
export type PickedMessage =
  | ({ tracked: true } & GetMessageOutput)
  | { tracked: false; text: string; locale: string; reason: string };

/** Why a request was served untracked. */
export const UNTRACKED_OVER_QUOTA =
  "the project's hourly generation quota is spent, so no new experiment was created: this is the base message, not tracked";

/**
 * Picks the copy for one notification. Warm path: pool from memory or KV, a sequence number
 * from the isolate's leased block, an HMAC, and the impression handed to a queue — no D1.
 */
export async function getMessage(args: {
  ctx: AppContext;
  owner: KeyOwner;
  input: Omit<GetMessageInput, "admitNew">;
}): Promise<GetMessageOutput> {
  const picked = await pickMessage(args);
  // Without admitNew every request is admitted, so the pick is always tracked.
  if (!picked.tracked) throw new ServiceUnavailableError(picked.reason);
  return picked;
}

/** getMessage, with the choice (admitNew) to serve the base example untracked instead of creating an experiment. */
export async function pickMessage({
  ctx,
  owner,
  input,
}: {
  ctx: AppContext;
  owner: KeyOwner;
  input: GetMessageInput;
}): Promise<PickedMessage> {
  const locale = input.locale ?? owner.defaultLocale;
  const key = { projectId: owner.projectId, intentId: input.intentId, locale };
  let pool = await loadPool(ctx, key);
  if (!pool) {
    const admitted = input.admitNew ? await input.admitNew() : undefined;
    // Refused: a request elsewhere may have created it meanwhile (a burst of first requests
    // each asks); only when none did is the copy served untracked.
    if (admitted === false) pool = await refreshPool(ctx, key);
    if (admitted === false && !pool) {
      return {
        tracked: false,
        text: renderTemplateDropping(input.baseExample, input.context),
        locale,
        reason: UNTRACKED_OVER_QUOTA,
      };
    }
    pool ??= await createPool(ctx, owner, input, locale, admitted === true);
  }

  // The control and the holdout always show the app's own current copy: the base example is
  // the app's, may change between releases, and must never be another user's personalized text.
  let served = await choose(ctx, pool, input.userId);
  let allocation: number | null = pool.allocation;
  let text = renderTemplate(usesBaseExample(served) ? input.baseExample : served.text, input.context);
  if (text === null) {
    // The challenger needs context this request lacks: serve the control and count it as such,
    // outside the split (the sample-ratio test checks assignment, not this fallback).
    served = pool.control;
    allocation = null;
    text = renderTemplateDropping(input.baseExample, input.context);
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
    allocation,
  };
  // Set only for /v1/resolve: /v1/message's impression keeps its shape (no spread per request).
  if (input.note) impression.context = input.note;
  enqueueBatched(ctx.queues.events, impression, ctx.waitUntil, (err, count) =>
    // Not fatal for the counts: the event consumer re-creates impressions from tokens, so an
    // impression that earns an event is never missing from the denominator.
    ctx.logger.error("impression enqueue failed", { count, error: String(err) }),
  );
  return {
    tracked: true,
    text,
    variantId: served.id,
    experimentId: pool.experimentId,
    trackingToken,
    locale,
  };
}

const usesBaseExample = (v: PoolVariant) => v.source === "control" || v.source === "holdout";

/**
 * Picks the arm: the holdout first (an independent hash, so holdout membership says nothing
 * about the arm a user would get), then the strategy.
 */
async function choose(ctx: AppContext, pool: Pool, userId: string | null): Promise<PoolVariant> {
  const arms = pool.variants;
  const first = arms[0];
  if (!first) throw new ServiceUnavailableError("experiment has no active variants");
  const plan = {
    experimentId: pool.experimentId,
    weights: pool.weights,
    holdoutShare: pool.holdout?.share ?? 0,
  };
  if (pool.holdout && inHoldout(plan, userId, Math.random)) {
    return { id: pool.holdout.variantId, text: pool.control.text, source: "holdout", needs: [] };
  }
  if (arms.length === 1) return first;
  // Sticky without a user id falls back to the default strategy, round-robin.
  if (pool.strategy === "thompson" || (pool.strategy === "sticky" && userId !== null)) {
    return arms[pickArm(plan, userId, Math.random)] ?? first;
  }
  try {
    const seq = await ctx.rotation.next(pool.experimentId);
    return arms[seq % arms.length] ?? first;
  } catch (err) {
    // A rotation outage must not fail the send: a uniform random pick keeps the arms balanced
    // in expectation, so it still follows the split.
    ctx.logger.warn("rotation unavailable, random pick", {
      experimentId: pool.experimentId,
      error: String(err),
    });
    return arms[Math.floor(Math.random() * arms.length)] ?? first;
  }
}

async function createPool(
  ctx: AppContext,
  owner: KeyOwner,
  input: GetMessageInput,
  locale: string,
  quotaSpent: boolean,
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
    contextHint: input.hint ?? null,
    challengerCount: owner.challengerCount,
    historyId: newId("hst"),
    now,
  });
  const pool = await refreshPool(ctx, { projectId: owner.projectId, intentId: input.intentId, locale });
  if (!pool) throw new ServiceUnavailableError("experiment could not be created, retry shortly");
  // Only the request that created the experiment asks for challengers, after the response and
  // within the project's generation quota; a lost job is found by the generation sweep.
  if (pool.experimentId === experimentId && owner.challengerCount > 0) {
    ctx.waitUntil(requestFirstChallengers(ctx, { projectId: owner.projectId, experimentId }, { quotaSpent }));
  }
  return pool;
}
