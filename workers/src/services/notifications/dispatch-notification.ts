import { createDeliveries, pendingDeliveryIds, transitionNotification } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { batchMessages, enqueueBatches, PUSH_BATCH } from "../../push/batches";

/**
 * Job: claims the notification (once), creates a pending delivery per recipient in one
 * statement, and queues them in batches of PUSH_BATCH. Returns the number of recipients.
 */
export async function dispatchNotification({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { projectId: string; notificationId: string };
}): Promise<number> {
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
    await enqueueBatches(ctx, batchMessages(input.projectId, input.notificationId, ids));
    after = ids.at(-1) ?? null;
  }
  ctx.logger.info("notification dispatched", { ...input, recipients });
  return recipients;
}
