import { findWebhookDelivery, findWebhookEndpoint, requeueWebhookDelivery } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError, NotFoundError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import type { AttemptOutcome } from "./attempt-delivery";
import { deliverWebhooks } from "./deliver-webhooks";

/**
 * Sends a delivery again now (a failed one, or one waiting for its next try) with the same
 * `webhook-id`, so a receiver that already has it can tell. The endpoint must be enabled.
 */
export async function retryDelivery({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { webhookId: string; deliveryId: string };
}): Promise<AttemptOutcome> {
  const endpoint = await findWebhookEndpoint(ctx.db, projectId, input.webhookId);
  const delivery = endpoint ? await findWebhookDelivery(ctx.db, projectId, input.deliveryId) : null;
  if (!endpoint || !delivery || delivery.endpointId !== endpoint.id) {
    throw new NotFoundError(`delivery '${input.deliveryId}' of webhook '${input.webhookId}' not found`);
  }
  if (!endpoint.enabled)
    throw new ConflictError("the webhook is disabled: enable it before retrying deliveries");
  if (!(await requeueWebhookDelivery(ctx.db, { projectId, id: delivery.id, now: ctx.now() }))) {
    throw new ConflictError("the delivery is being sent right now");
  }
  const [outcome] = await deliverWebhooks({
    ctx,
    input: { kind: "webhook_deliver", projectId, deliveryIds: [delivery.id] },
  });
  if (!outcome) throw new Error("webhook retry produced no outcome");
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "webhook.delivery_retried",
      targetType: "webhook",
      targetId: endpoint.id,
      details: { delivery_id: delivery.id, status: outcome.status },
    },
  });
  return outcome;
}
