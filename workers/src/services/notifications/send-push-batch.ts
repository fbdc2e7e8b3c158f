import { signReceipt } from "@pushbunny/core";
import {
  type DeliveryUpdate,
  findNotification,
  findProject,
  loadDeliveryWork,
  recordDeliveryOutcomes,
} from "@pushbunny/db";
import { buildPushRequest, classifyPushResponse } from "@pushbunny/webpush";
import type { AppContext } from "../../context";
import { type AttemptOutcome, failureReason, MAX_PUSH_ATTEMPTS } from "../../push/failure-reason";
import { type NotificationContent, payloadFor } from "../../push/payload";
import { signingKeys } from "../../push/vapid-keys";
import type { PushBatchJob } from "../../queue/messages";
import { getMessage } from "../message/get-message";

// Push requests in flight per batch; workerd runs six connections at a time per invocation.
const CONCURRENCY = 12;

interface Attempt {
  deliveryId: string;
  subscriptionId: string;
  outcome: AttemptOutcome;
  variantId: string | null;
  status: number | null;
}

/**
 * Job: sends one batch. Each push service answer moves its delivery: 201 → sent; 404/410 →
 * expired (and the subscription with it); 413 → failed, subscription kept; 429 → retried after
 * Retry-After; 5xx/network → retried with backoff, then failed; 401/403 → the VAPID signature
 * is refused: logged as an alert and the rest of the batch is not sent.
 */
export async function sendPushBatch({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: PushBatchJob;
}): Promise<{ sent: number; retry: number; failed: number; expired: number }> {
  const notification = await findNotification(ctx.db, input.projectId, input.notificationId);
  if (!notification) return { sent: 0, retry: 0, failed: 0, expired: 0 };
  const work = await loadDeliveryWork(ctx.db, input.projectId, input.deliveryIds);
  const keys = await signingKeys(
    ctx,
    input.projectId,
    work.map((w) => w.subscription.vapidKeyId),
  );
  const content = notification.payload as NotificationContent;
  const owner = content.intent_id ? await findProject(ctx.db, input.projectId) : null;
  const subject = ctx.config.push.vapidSubject;
  const attempts: Attempt[] = [];
  let stopped = false;

  const sendOne = async (w: (typeof work)[number]): Promise<void> => {
    const base = { deliveryId: w.delivery.id, subscriptionId: w.subscription.id };
    if (stopped) {
      attempts.push({
        ...base,
        outcome: { kind: "vapid_rejected", status: 0 },
        variantId: null,
        status: null,
      });
      return;
    }
    const pair = keys.get(w.subscription.vapidKeyId);
    if (!pair) {
      attempts.push({ ...base, outcome: { kind: "no_key" }, variantId: null, status: null });
      return;
    }
    let variantId: string | null = null;
    let payload: string;
    try {
      const receipt = await signReceipt(ctx.config.trackingSecret, input.projectId, w.delivery.id);
      if (content.intent_id && owner) {
        const picked = await getMessage({
          ctx,
          owner,
          input: {
            intentId: content.intent_id,
            baseExample: content.base_example ?? "",
            locale: content.locale ?? null,
            userId: w.subscription.userId,
            context: content.context ?? {},
          },
        });
        variantId = picked.variantId;
        payload = payloadFor(content, {
          notificationId: notification.id,
          deliveryId: w.delivery.id,
          receipt,
          body: picked.text,
          trackingToken: picked.trackingToken,
          variantId: picked.variantId,
        });
      } else {
        payload = payloadFor(content, {
          notificationId: notification.id,
          deliveryId: w.delivery.id,
          receipt,
        });
      }
      const request = await buildPushRequest(
        {
          endpoint: w.subscription.endpoint,
          keys: { p256dh: w.subscription.p256dh, auth: w.subscription.auth },
        },
        payload,
        {
          ttl: notification.ttl,
          ...(notification.urgency ? { urgency: notification.urgency as "normal" } : {}),
          ...(notification.topic ? { topic: notification.topic } : {}),
        },
        { subject, ...pair },
        // Checked by subscriptionProblems when the subscription was stored.
        { keysChecked: true },
      );
      let response: Response;
      try {
        // Never follow a redirect: it would carry the VAPID header to a host nobody vetted.
        response = await fetch(request.url, { ...request.init, redirect: "manual" });
      } catch {
        attempts.push({ ...base, outcome: { kind: "retry", status: null }, variantId, status: null });
        return;
      }
      // The body is not needed; cancelling frees the connection for the next push.
      await response.body?.cancel();
      const outcome = classifyPushResponse(response.status, response.headers, ctx.now());
      if (outcome.kind === "vapid_rejected") stopped = true;
      attempts.push({ ...base, outcome, variantId, status: response.status });
    } catch (err) {
      attempts.push({
        ...base,
        outcome: { kind: "payload_error", message: err instanceof Error ? err.message : String(err) },
        variantId,
        status: null,
      });
    }
  };

  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, work.length) }, async () => {
      while (next < work.length) {
        const w = work[next++];
        if (w) await sendOne(w);
      }
    }),
  );

  const now = ctx.now();
  const byId = new Map(work.map((w) => [w.delivery.id, w.delivery]));
  const updates: DeliveryUpdate[] = [];
  const retryIds: string[] = [];
  let retryAfterMs = 0;
  let transient = false;
  const expired: string[] = [];
  const sentSubs: string[] = [];
  const tally = { sent: 0, retry: 0, failed: 0, expired: 0 };
  for (const a of attempts) {
    const tries = (byId.get(a.deliveryId)?.attempts ?? 0) + 1;
    const base = { id: a.deliveryId, attempts: tries, lastStatus: a.status, variantId: a.variantId };
    const o = a.outcome;
    if (o.kind === "sent") {
      updates.push({ ...base, status: "sent", error: null, sentAt: now });
      sentSubs.push(a.subscriptionId);
      tally.sent++;
    } else if (o.kind === "expired") {
      updates.push({
        ...base,
        status: "expired",
        error: `push service answered ${o.status}: subscription gone`,
      });
      expired.push(a.subscriptionId);
      tally.expired++;
    } else if ((o.kind === "retry" || o.kind === "rate_limited") && tries < MAX_PUSH_ATTEMPTS) {
      // Stays pending; the attempt is counted so the retry budget holds across redeliveries.
      updates.push({
        ...base,
        status: "pending",
        error: o.kind === "rate_limited" ? "rate limited" : "push service unavailable",
      });
      retryIds.push(a.deliveryId);
      if (o.kind === "rate_limited") retryAfterMs = Math.max(retryAfterMs, o.retryAfterMs);
      else transient = true;
      tally.retry++;
    } else {
      updates.push({ ...base, status: "failed", error: failureReason(o) });
      tally.failed++;
    }
  }
  await recordDeliveryOutcomes(ctx.db, {
    projectId: input.projectId,
    updates,
    expiredSubscriptionIds: expired,
    sentSubscriptionIds: sentSubs,
    now,
  });
  if (stopped) {
    ctx.logger.error("ALERT: push service refused the VAPID signature; batch stopped", {
      projectId: input.projectId,
      notificationId: input.notificationId,
      statuses: [...new Set(attempts.map((a) => a.status))],
    });
  }
  if (retryIds.length > 0) {
    const attempt = (input.attempt ?? 1) + 1;
    // 429: when the push service says; 5xx or network: 2, 4, 8, 16 s (the budget is 5 tries).
    const backoff = transient ? Math.min(2 ** (attempt - 1), 600) : 0;
    const delaySeconds = Math.min(Math.max(backoff, Math.ceil(retryAfterMs / 1000), 1), 3600);
    await ctx.queues.jobs.send({ ...input, deliveryIds: retryIds, attempt } satisfies PushBatchJob, {
      delaySeconds,
    });
  }
  return tally;
}
