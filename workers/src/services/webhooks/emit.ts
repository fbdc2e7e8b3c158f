import { enabledWebhookEndpoints, insertWebhookDeliveries, type WebhookEventType } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { describeError } from "../../logger";
import type { WebhookDeliverJob } from "../../queue/messages";
import { newDeliveryId } from "./lib/ids";

export type { WebhookEventType } from "@pushbunny/db";

/** One event to publish: `data` is the event's wire object (snake_case, ISO times). */
export interface WebhookEvent {
  type: WebhookEventType;
  data: Record<string, unknown>;
}

/**
 * Deliveries per jobs-queue message: each may wait its full timeout, and the jobs queue is shared
 * with every project's campaign and push batches, so one tenant's slow receivers hold a job for
 * at most a few timeouts.
 */
const DELIVERIES_PER_JOB = 10;

/**
 * Publishes events to the project's enabled endpoints that listen to them. With no endpoint it
 * costs one indexed query. Deliveries are written first and then queued, so a failed queue send
 * loses nothing: the every-minute sweep sends any due row. Never throws into the caller (a
 * webhook problem must not fail a send, a receipt or a winner): failures are logged.
 */
export async function emitWebhookEvents(
  ctx: AppContext,
  projectId: string,
  events: readonly WebhookEvent[],
): Promise<void> {
  if (events.length === 0) return;
  try {
    const endpoints = await enabledWebhookEndpoints(ctx.db, projectId);
    if (endpoints.length === 0) return;
    const now = ctx.now();
    const timestamp = new Date(now).toISOString();
    const rows = [];
    for (const event of events) {
      const listeners = endpoints.filter((e) => e.events.includes(event.type));
      if (listeners.length === 0) continue;
      const payload = JSON.stringify({ type: event.type, timestamp, data: event.data });
      for (const endpoint of listeners) {
        rows.push({
          id: newDeliveryId(now),
          projectId,
          endpointId: endpoint.id,
          eventType: event.type,
          payload,
          nextAttemptAt: now,
          createdAt: now,
        });
      }
    }
    if (rows.length === 0) return;
    await insertWebhookDeliveries(ctx.db, rows);
    await enqueueDeliveries(
      ctx,
      projectId,
      rows.map((r) => r.id),
    );
  } catch (err) {
    ctx.logger.error("webhook emission failed", { projectId, events: events.length, ...describeError(err) });
  }
}

/** Queues delivery jobs; a failed send is logged and left to the sweep (the rows are due). */
export async function enqueueDeliveries(
  ctx: AppContext,
  projectId: string,
  deliveryIds: readonly string[],
): Promise<void> {
  const jobs: WebhookDeliverJob[] = [];
  for (let i = 0; i < deliveryIds.length; i += DELIVERIES_PER_JOB) {
    jobs.push({
      kind: "webhook_deliver",
      projectId,
      deliveryIds: deliveryIds.slice(i, i + DELIVERIES_PER_JOB),
    });
  }
  try {
    for (let i = 0; i < jobs.length; i += 100) {
      await ctx.queues.jobs.sendBatch(jobs.slice(i, i + 100).map((body) => ({ body })));
    }
  } catch (err) {
    ctx.logger.warn("webhook delivery enqueue failed, the sweep will send", {
      projectId,
      deliveries: deliveryIds.length,
      ...describeError(err),
    });
  }
}
