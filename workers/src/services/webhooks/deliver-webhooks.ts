import type { AppContext } from "../../context";
import type { WebhookDeliverJob } from "../../queue/messages";
import { type AttemptOutcome, attemptDelivery } from "./attempt-delivery";

/** Receivers contacted at once by one job: each may hold a connection for up to 10 s. */
const CONCURRENCY = 10;

/**
 * The jobs-queue verb: attempts each delivery of the message, then queues one delayed message
 * per delivery that is to be retried (the schedule's longest wait, 10 h, is within the queue's
 * 12-hour delay). Outcomes are in D1 before anything is queued, so a lost message only delays a
 * retry until the every-minute sweep finds the row due.
 */
export async function deliverWebhooks({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: WebhookDeliverJob;
}): Promise<AttemptOutcome[]> {
  const outcomes = await runLimited(input.deliveryIds, CONCURRENCY, (deliveryId) =>
    attemptDelivery({ ctx, projectId: input.projectId, input: { deliveryId } }),
  );
  const now = ctx.now();
  const retries = outcomes.filter((o) => o.status === "pending" && o.nextAttemptAt !== null);
  if (retries.length > 0) {
    try {
      await ctx.queues.jobs.sendBatch(
        retries.map((o) => ({
          body: {
            kind: "webhook_deliver",
            projectId: input.projectId,
            deliveryIds: [o.deliveryId],
          } satisfies WebhookDeliverJob,
          delaySeconds: Math.min(Math.max(1, Math.ceil(((o.nextAttemptAt ?? now) - now) / 1000)), 43_200),
        })),
      );
    } catch (err) {
      ctx.logger.warn("webhook retry enqueue failed, the sweep will retry", {
        projectId: input.projectId,
        deliveries: retries.length,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return outcomes;
}

/** Maps `items` through `fn` with at most `limit` calls in flight, keeping order. */
export async function runLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
