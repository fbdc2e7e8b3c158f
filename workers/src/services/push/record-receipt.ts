import { verifyReceipt } from "@pushbunny/core";
import { type DeliveryStatus, markDelivery } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, NotFoundError } from "../../errors";
import { ingestEvents } from "../events/ingest-events";
import { emitWebhookEvents } from "../webhooks/emit";
import { pushReceiptEvents } from "../webhooks/events";

/**
 * The service worker's receipt for one delivery (signed for it when it was sent): displayed
 * marks it delivered; clicked also records the variant's "opened" event for optimized copy.
 */
export async function recordReceipt({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { receipt: string; event: "displayed" | "clicked"; trackingToken?: string | undefined };
}): Promise<{ deliveryId: string; status: DeliveryStatus; opened: boolean; projectId: string }> {
  const claims = await verifyReceipt(ctx.config.trackingSecret, input.receipt);
  if (!claims) {
    throw new BadRequestError("receipt is malformed or forged", [{ path: "receipt", message: "invalid" }]);
  }
  const now = ctx.now();
  const delivery = await markDelivery(ctx.db, { ...claims, event: input.event, now });
  if (!delivery) throw new NotFoundError("delivery not found");
  // Off the response path (browsers wait on receipts); a replayed receipt yields no event.
  ctx.waitUntil(emitWebhookEvents(ctx, claims.projectId, pushReceiptEvents(delivery, now)));
  let opened = false;
  if (input.event === "clicked" && input.trackingToken) {
    // A click on optimized copy is the variant's "opened" event, through the usual ingest.
    const result = await ingestEvents({
      ctx,
      projectId: claims.projectId,
      input: [{ type: "opened", tracking_token: input.trackingToken, timestamp: now }],
    });
    opened = result.recorded === 1;
  }
  return { deliveryId: delivery.id, status: delivery.status, opened, projectId: claims.projectId };
}
