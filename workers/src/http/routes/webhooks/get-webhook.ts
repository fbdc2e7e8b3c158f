import { createRoute } from "@hono/zod-openapi";
import { getWebhook } from "../../../services/webhooks/get-webhook";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { WebhookIdParam, WebhookView, webhookView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/webhooks/{webhook_id}",
  operationId: "getWebhook",
  "x-pushbunny-access": "admin",
  tags: ["webhooks"],
  summary: "Read a webhook endpoint (never its secret)",
  security: BEARER,
  request: { params: WebhookIdParam },
  responses: {
    200: { description: "The endpoint", content: { "application/json": { schema: WebhookView } } },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/webhooks/{webhook_id} */
export function registerGetWebhook(app: App) {
  app.openapi(route, async (c) => {
    const endpoint = await getWebhook({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { webhookId: c.req.valid("param").webhook_id },
    });
    return c.json(webhookView(endpoint), 200);
  });
}
