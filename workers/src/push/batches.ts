import type { AppContext } from "../context";
import type { PushBatchJob } from "../queue/messages";

/** Deliveries per queue message: one consumer invocation's worth of encryption and fetches. */
export const PUSH_BATCH = 100;

/** Queue messages for a notification's deliveries, PUSH_BATCH ids each. */
export function batchMessages(
  projectId: string,
  notificationId: string,
  ids: string[],
): { body: PushBatchJob }[] {
  const messages: { body: PushBatchJob }[] = [];
  for (let i = 0; i < ids.length; i += PUSH_BATCH) {
    messages.push({
      body: { kind: "push", projectId, notificationId, deliveryIds: ids.slice(i, i + PUSH_BATCH) },
    });
  }
  return messages;
}

/** Sends the messages to the jobs queue (sendBatch takes at most 100 at a time). */
export async function enqueueBatches(ctx: AppContext, messages: { body: PushBatchJob }[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 100) await ctx.queues.jobs.sendBatch(messages.slice(i, i + 100));
}
