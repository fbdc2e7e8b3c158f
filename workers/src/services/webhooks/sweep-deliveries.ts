import { dueWebhookDeliveries } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { describeError } from "../../logger";
import { attemptDelivery } from "./attempt-delivery";
import { runLimited } from "./deliver-webhooks";

/** Deliveries one sweep sends: enough for a lost batch, small enough for one cron run. */
const SWEEP_LIMIT = 50;
/** The queue message normally sends a due row; the sweep only takes rows it left behind. */
const GRACE_MS = 60_000;

/**
 * The every-minute safety net: sends deliveries whose time came more than a minute ago (their
 * queue message was lost, the enqueue failed, or a sender died holding the claim). Sends in the
 * cron run itself rather than queueing again, since queueing is what failed.
 */
export async function sweepWebhookDeliveries({ ctx }: { ctx: AppContext }): Promise<number> {
  try {
    const due = await dueWebhookDeliveries(ctx.db, { now: ctx.now() - GRACE_MS, limit: SWEEP_LIMIT });
    if (due.length === 0) return 0;
    const outcomes = await runLimited(due, 10, (d) =>
      attemptDelivery({ ctx, projectId: d.projectId, input: { deliveryId: d.id } }),
    );
    const sent = outcomes.filter((o) => o.status !== "skipped").length;
    ctx.logger.info("webhook sweep", { due: due.length, attempted: sent });
    return sent;
  } catch (err) {
    ctx.logger.error("webhook sweep failed", describeError(err));
    return 0;
  }
}
