import { claimStalePendingDeliveries } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { batchMessages, enqueueBatches } from "../../push/batches";

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
  await enqueueBatches(
    ctx,
    [...groups.values()].flatMap((g) => batchMessages(g.projectId, g.notificationId, g.ids)),
  );
  if (stale.length > 0) ctx.logger.warn("re-queued stale push deliveries", { deliveries: stale.length });
  return stale.length;
}
