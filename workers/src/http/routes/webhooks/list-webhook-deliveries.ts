import { createRoute, z } from "@hono/zod-openapi";
import { listDeliveries } from "../../../services/webhooks/list-deliveries";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { DeliveryView, deliveryView, ListQuery, WebhookIdParam } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/webhooks/{webhook_id}/deliveries",
  operationId: "listWebhookDeliveries",
  "x-pushbunny-access": "admin",
  tags: ["webhooks"],
  summary: "The endpoint's delivery log, newest first: status, attempts, last answer, next try",
  security: BEARER,
  request: { params: WebhookIdParam, query: ListQuery },
  responses: {
    200: {
      description: "A page; next_cursor is null on the last one",
      content: {
        "application/json": {
          schema: z.object({ deliveries: z.array(DeliveryView), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/webhooks/{webhook_id}/deliveries */
export function registerListWebhookDeliveries(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listDeliveries({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { webhookId: c.req.valid("param").webhook_id, limit: q.limit, cursor: q.cursor },
    });
    return c.json({ deliveries: page.deliveries.map(deliveryView), next_cursor: page.nextCursor }, 200);
  });
}
