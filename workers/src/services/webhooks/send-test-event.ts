import { findWebhookEndpoint, insertWebhookDeliveries } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import type { AttemptOutcome } from "./attempt-delivery";
import { deliverWebhooks } from "./deliver-webhooks";
import { newDeliveryId } from "./lib/ids";

/**
 * Sends a `webhook.test` event to the endpoint now and returns the attempt (status code, the
 * first KB of the answer, the error). Works on a disabled endpoint too, to check a fix before
 * enabling it again. The delivery is in the log like any other; it is not retried.
 */
export async function sendTestEvent({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { webhookId: string };
}): Promise<AttemptOutcome> {
  const endpoint = await findWebhookEndpoint(ctx.db, projectId, input.webhookId);
  if (!endpoint) throw new NotFoundError(`webhook '${input.webhookId}' not found`);
  const now = ctx.now();
  const id = newDeliveryId(now);
  const payload = JSON.stringify({
    type: "webhook.test",
    timestamp: new Date(now).toISOString(),
    data: { webhook_id: endpoint.id, project_id: projectId, message: "A test event from PushBunny" },
  });
  await insertWebhookDeliveries(ctx.db, [
    {
      id,
      projectId,
      endpointId: endpoint.id,
      eventType: "webhook.test",
      payload,
      nextAttemptAt: now,
      createdAt: now,
    },
  ]);
  const [outcome] = await deliverWebhooks({
    ctx,
    input: { kind: "webhook_deliver", projectId, deliveryIds: [id] },
  });
  if (!outcome) throw new Error("webhook test delivery produced no outcome");
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "webhook.tested",
      targetType: "webhook",
      targetId: endpoint.id,
      details: { delivery_id: id, status: outcome.status },
    },
  });
  return outcome;
}
