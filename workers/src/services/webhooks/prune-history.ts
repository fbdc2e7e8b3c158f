import { pruneWebhookHistory } from "@pushbunny/db";
import type { AppContext } from "../../context";

/** How long the delivery log and the provider-event receipts are kept. */
export const WEBHOOK_HISTORY_DAYS = 30;
// Rows one hourly pass deletes from each table at most; a backlog shrinks over the next hours.
const PRUNE_LIMIT = 20_000;

/**
 * The hourly retention pass: settled deliveries (succeeded or failed) and Resend event receipts
 * older than 30 days go. A Resend retry never comes that late, and waiting deliveries stay.
 */
export async function pruneWebhookHistoryNow({
  ctx,
}: {
  ctx: AppContext;
}): Promise<{ deliveries: number; providerEvents: number }> {
  const removed = await pruneWebhookHistory(ctx.db, {
    before: ctx.now() - WEBHOOK_HISTORY_DAYS * 86_400_000,
    limit: PRUNE_LIMIT,
  });
  if (removed.deliveries + removed.providerEvents > 0) ctx.logger.info("webhook history pruned", removed);
  return removed;
}
