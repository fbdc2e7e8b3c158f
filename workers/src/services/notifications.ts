import { newId, signReceipt } from "@pushbunny/core";
import {
  claimStalePendingDeliveries,
  countNotifications,
  countTargets,
  createDeliveries,
  type DeliveryStatus,
  type DeliveryUpdate,
  deliveryCounts,
  dueNotifications,
  findNotification,
  findProject,
  insertNotification,
  listNotifications,
  loadDeliveryWork,
  type NotificationRow,
  type NotificationTarget,
  pendingDeliveryIds,
  recordDeliveryOutcomes,
  transitionNotification,
} from "@pushbunny/db";
import {
  buildPushRequest,
  classifyPushResponse,
  MAX_PAYLOAD_BYTES,
  type PushOutcome,
  payloadBytes,
} from "@pushbunny/webpush";
import type { AppContext } from "../context";
import { BadRequestError, ConflictError, NotFoundError, PayloadTooLargeError } from "../errors";
import type { PushBatchJob, PushDispatchJob } from "../queue/messages";
import { getMessage } from "./get-message";
import { signingKeys } from "./push";

const DISPATCH_SAFETY_DELAY_S = 60;

/** Deliveries per queue message: one consumer invocation's worth of encryption and fetches. */
export const PUSH_BATCH = 100;
/** Attempts per delivery before a retryable failure (5xx, network, 429) counts as failed. */
export const MAX_PUSH_ATTEMPTS = 5;
// Push requests in flight per batch; workerd runs six connections at a time per invocation.
const CONCURRENCY = 12;
// What the Worker adds to every payload (ids, receipt and tracking tokens), at most.
const ENVELOPE_BYTES = 480;

export interface NotificationContent {
  title?: string;
  body?: string;
  icon?: string;
  image?: string;
  badge?: string;
  url?: string;
  tag?: string;
  actions?: { action: string; title: string; icon?: string }[];
  data?: Record<string, unknown>;
  /** Optimised copy: each recipient gets the variant the message engine picks for them. */
  intent_id?: string;
  base_example?: string;
  locale?: string | null;
  context?: Record<string, string>;
}

export interface SendInput {
  type: "send" | "broadcast";
  target: NotificationTarget;
  content: NotificationContent;
  ttl: number;
  urgency?: "very-low" | "low" | "normal" | "high";
  topic?: string;
  scheduledAt?: number;
}

/** The payload a service worker receives (the body is the variant's text for optimised copy). */
function payloadFor(
  content: NotificationContent,
  extra: {
    notificationId: string;
    deliveryId: string;
    receipt: string;
    body?: string;
    trackingToken?: string;
    variantId?: string;
  },
): string {
  const { intent_id, base_example, locale, context, ...shown } = content;
  return JSON.stringify({
    ...shown,
    ...(extra.body !== undefined ? { body: extra.body } : {}),
    notification_id: extra.notificationId,
    delivery_id: extra.deliveryId,
    receipt: extra.receipt,
    ...(extra.trackingToken ? { tracking_token: extra.trackingToken, variant_id: extra.variantId } : {}),
  });
}

/** The largest payload a notification can produce, to refuse at the API what can never fit. */
function worstCaseBytes(content: NotificationContent): number {
  const body = content.intent_id
    ? "x".repeat(Math.max(content.base_example?.length ?? 0, 1000))
    : content.body;
  return (
    payloadBytes(
      payloadFor(content, {
        notificationId: "",
        deliveryId: "",
        receipt: "",
        ...(body !== undefined ? { body } : {}),
      }),
    ) + ENVELOPE_BYTES
  );
}

export function notificationView(
  row: NotificationRow,
  counts?: Record<DeliveryStatus, number> & { clicked: number },
) {
  const c = counts ?? { pending: 0, sent: 0, delivered: 0, failed: 0, expired: 0, clicked: 0 };
  const attempted = c.sent + c.delivered + c.failed + c.expired;
  return {
    notification_id: row.id,
    type: row.type,
    status: row.status,
    target: row.target,
    payload: row.payload,
    ttl: row.ttl,
    urgency: row.urgency,
    topic: row.topic,
    scheduled_at: row.scheduledAt === null ? null : new Date(row.scheduledAt).toISOString(),
    dispatched_at: row.dispatchedAt === null ? null : new Date(row.dispatchedAt).toISOString(),
    created_at: new Date(row.createdAt).toISOString(),
    recipients: row.recipients,
    deliveries: {
      ...c,
      // Push services accepted it (sent) or the browser confirmed it (delivered).
      accepted_rate: attempted > 0 ? (c.sent + c.delivered) / attempted : null,
      delivered_rate: attempted > 0 ? c.delivered / attempted : null,
      click_rate: c.delivered > 0 ? c.clicked / c.delivered : null,
    },
  };
}

/**
 * POST /v1/notifications/send and /broadcast: records the notification and hands it to the
 * jobs queue now, or at `scheduled_at` (the every-minute cron). A payload that can never fit
 * a push message (4,096 bytes encrypted) is a 413 here, before anything is queued.
 */
export async function sendNotification({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: SendInput;
}) {
  const c = input.content;
  if (c.intent_id !== undefined && c.base_example === undefined) {
    throw new BadRequestError("base_example is required with intent_id", [
      { path: "payload.base_example", message: "required" },
    ]);
  }
  if (c.intent_id === undefined && !c.title && !c.body) {
    throw new BadRequestError("payload needs a title or a body (or intent_id and base_example)", [
      { path: "payload", message: "empty notification" },
    ]);
  }
  const bytes = worstCaseBytes(c);
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(
      `the payload takes up to ${bytes} bytes with its tracking fields; a push message carries at most ${MAX_PAYLOAD_BYTES}`,
    );
  }
  const now = ctx.now();
  const scheduled = input.scheduledAt !== undefined && input.scheduledAt > now;
  const row: NotificationRow = {
    id: newId("ntf"),
    projectId,
    type: input.type,
    target: input.target,
    payload: c as Record<string, unknown>,
    ttl: input.ttl,
    urgency: input.urgency ?? null,
    topic: input.topic ?? null,
    status: scheduled ? "scheduled" : "queued",
    scheduledAt: scheduled ? (input.scheduledAt ?? null) : null,
    dispatchedAt: null,
    recipients: null,
    createdAt: now,
  };
  await insertNotification(ctx.db, row);
  if (!scheduled) {
    // Dispatched right after the response; the delayed job is the safety net if this isolate
    // dies first (the queued → dispatched claim lets only one of them run it).
    const job: PushDispatchJob = { kind: "push_dispatch", projectId, notificationId: row.id };
    await ctx.queues.jobs.send(job, { delaySeconds: DISPATCH_SAFETY_DELAY_S });
    ctx.waitUntil(
      dispatchNotification({ ctx, input: { projectId, notificationId: row.id } }).catch((err) =>
        ctx.logger.warn("immediate dispatch failed; the queued job will retry", {
          notificationId: row.id,
          error: String(err),
        }),
      ),
    );
  }
  return {
    ...notificationView(row),
    estimated_recipients: await countTargets(ctx.db, projectId, input.target),
  };
}

/**
 * Job: claims the notification (once), creates a pending delivery per recipient in one
 * statement, and queues them in batches of PUSH_BATCH.
 */
export async function dispatchNotification({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { projectId: string; notificationId: string };
}) {
  const now = ctx.now();
  const claimed = await transitionNotification(ctx.db, {
    projectId: input.projectId,
    id: input.notificationId,
    from: ["queued"],
    set: { status: "dispatched", dispatchedAt: now },
  });
  if (!claimed) return 0;
  const recipients = await createDeliveries(ctx.db, {
    projectId: input.projectId,
    notificationId: claimed.id,
    target: claimed.target,
    now,
  });
  await transitionNotification(ctx.db, {
    projectId: input.projectId,
    id: claimed.id,
    from: ["dispatched"],
    set: { recipients },
  });
  let after: string | null = null;
  for (;;) {
    const ids = await pendingDeliveryIds(ctx.db, {
      projectId: input.projectId,
      notificationId: input.notificationId,
      after,
      limit: PUSH_BATCH * 100,
    });
    if (ids.length === 0) break;
    const messages: { body: PushBatchJob }[] = [];
    for (let i = 0; i < ids.length; i += PUSH_BATCH) {
      messages.push({
        body: {
          kind: "push",
          projectId: input.projectId,
          notificationId: input.notificationId,
          deliveryIds: ids.slice(i, i + PUSH_BATCH),
        },
      });
    }
    // sendBatch takes at most 100 messages.
    for (let i = 0; i < messages.length; i += 100)
      await ctx.queues.jobs.sendBatch(messages.slice(i, i + 100));
    after = ids.at(-1) ?? null;
  }
  ctx.logger.info("notification dispatched", { ...input, recipients });
  return recipients;
}

/** Cron (every minute): scheduled notifications that are due go to the queue. */
export async function dispatchDueNotifications({ ctx }: { ctx: AppContext }): Promise<number> {
  const due = await dueNotifications(ctx.db, ctx.now(), 200);
  let queued = 0;
  for (const n of due) {
    const moved = await transitionNotification(ctx.db, {
      projectId: n.projectId,
      id: n.id,
      from: ["scheduled"],
      set: { status: "queued" },
    });
    if (!moved) continue;
    const job: PushDispatchJob = { kind: "push_dispatch", projectId: n.projectId, notificationId: n.id };
    await ctx.queues.jobs.send(job);
    queued++;
  }
  return queued;
}

/** Longer than any retry delay (at most an hour), so a retry in flight is never re-queued. */
const STALE_PENDING_MS = 2 * 3_600_000;

/**
 * Cron (every minute): pending deliveries whose queue message was lost are queued again, so
 * nothing accepted by the API is silently dropped.
 */
export async function requeueStaleDeliveries({ ctx }: { ctx: AppContext }): Promise<number> {
  const stale = await claimStalePendingDeliveries(ctx.db, {
    now: ctx.now(),
    olderThanMs: STALE_PENDING_MS,
    limit: 1000,
  });
  const groups = new Map<string, { projectId: string; notificationId: string; ids: string[] }>();
  for (const d of stale) {
    const g = groups.get(d.notificationId) ?? {
      projectId: d.projectId,
      notificationId: d.notificationId,
      ids: [],
    };
    g.ids.push(d.id);
    groups.set(d.notificationId, g);
  }
  const messages: { body: PushBatchJob }[] = [];
  for (const g of groups.values()) {
    for (let i = 0; i < g.ids.length; i += PUSH_BATCH) {
      messages.push({
        body: {
          kind: "push",
          projectId: g.projectId,
          notificationId: g.notificationId,
          deliveryIds: g.ids.slice(i, i + PUSH_BATCH),
        },
      });
    }
  }
  for (let i = 0; i < messages.length; i += 100) await ctx.queues.jobs.sendBatch(messages.slice(i, i + 100));
  if (stale.length > 0) ctx.logger.warn("re-queued stale push deliveries", { deliveries: stale.length });
  return stale.length;
}

interface Attempt {
  deliveryId: string;
  subscriptionId: string;
  outcome: PushOutcome | { kind: "no_key" } | { kind: "payload_error"; message: string };
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
        response = await fetch(request.url, request.init);
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

function failureReason(o: Attempt["outcome"]): string {
  switch (o.kind) {
    case "too_large":
      return "push service answered 413: payload too large";
    case "vapid_rejected":
      return o.status
        ? `push service answered ${o.status}: VAPID signature refused`
        : "not sent: batch stopped after a VAPID refusal";
    case "failed":
      return `push service answered ${o.status}`;
    case "retry":
      return `gave up after ${MAX_PUSH_ATTEMPTS} attempts: ${o.status ? `status ${o.status}` : "network error"}`;
    case "rate_limited":
      return `gave up after ${MAX_PUSH_ATTEMPTS} attempts: rate limited`;
    case "no_key":
      return "the subscription's VAPID key could not be opened";
    case "payload_error":
      return `could not build the message: ${o.message}`.slice(0, 300);
    default:
      return "unknown";
  }
}

/** GET /v1/notifications/history */
export async function notificationHistory({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { page: number; limit: number; type?: "send" | "broadcast"; status?: NotificationRow["status"] };
}) {
  const filter = {
    projectId,
    ...(input.type ? { type: input.type } : {}),
    ...(input.status ? { status: input.status } : {}),
  };
  const [rows, total] = await Promise.all([
    listNotifications(ctx.db, { ...filter, offset: (input.page - 1) * input.limit, limit: input.limit }),
    countNotifications(ctx.db, filter),
  ]);
  const counts = await deliveryCounts(
    ctx.db,
    projectId,
    rows.map((r) => r.id),
  );
  return {
    notifications: rows.map((r) => notificationView(r, counts.get(r.id))),
    page: input.page,
    limit: input.limit,
    total,
    pages: Math.ceil(total / input.limit),
  };
}

/** GET /v1/notifications/{id}: the notification with its delivery stats. */
export async function getNotification({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { id: string };
}) {
  const row = await findNotification(ctx.db, projectId, input.id);
  if (!row) throw new NotFoundError(`notification '${input.id}' not found`);
  const counts = await deliveryCounts(ctx.db, projectId, [row.id]);
  return notificationView(row, counts.get(row.id));
}

/** DELETE /v1/notifications/{id}: cancels a scheduled notification that has not gone out. */
export async function cancelNotification({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { id: string };
}) {
  const row = await findNotification(ctx.db, projectId, input.id);
  if (!row) throw new NotFoundError(`notification '${input.id}' not found`);
  const moved = await transitionNotification(ctx.db, {
    projectId,
    id: row.id,
    from: ["scheduled"],
    set: { status: "canceled" },
  });
  if (!moved) {
    throw new ConflictError(
      `notification '${row.id}' is ${row.status}: only a scheduled one can be canceled`,
    );
  }
  return notificationView(moved);
}
