import { createRoute } from "@hono/zod-openapi";
import { retryDelivery } from "../../../services/webhooks/retry-delivery";
import { BEARER, commonErrors, ErrorEnvelope, notFound } from "../../schemas";
import type { App } from "../../types";
import { AttemptView, attemptView, DeliveryIdParams } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
  operationId: "retryWebhookDelivery",
  "x-pushbunny-access": "admin",
  tags: ["webhooks"],
  summary: "Send a delivery again now, with the same webhook-id",
  security: BEARER,
  request: { params: DeliveryIdParams },
  responses: {
    200: { description: "The attempt", content: { "application/json": { schema: AttemptView } } },
    ...commonErrors,
    ...notFound,
    409: {
      description: "The endpoint is disabled, or the delivery is being sent right now",
      content: { "application/json": { schema: ErrorEnvelope } },
    },
  },
});

/** POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry */
export function registerRetryWebhookDelivery(app: App) {
  app.openapi(route, async (c) => {
    const p = c.req.valid("param");
    const outcome = await retryDelivery({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { webhookId: p.webhook_id, deliveryId: p.delivery_id },
    });
    return c.json(attemptView(outcome), 200);
  });
}
