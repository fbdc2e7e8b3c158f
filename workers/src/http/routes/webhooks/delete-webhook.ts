import { createRoute } from "@hono/zod-openapi";
import { deleteWebhook } from "../../../services/webhooks/delete-webhook";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { WebhookIdParam } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/v1/webhooks/{webhook_id}",
  operationId: "deleteWebhook",
  "x-pushbunny-access": "admin",
  tags: ["webhooks"],
  summary: "Delete a webhook endpoint and its delivery log",
  security: BEARER,
  request: { params: WebhookIdParam },
  responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFound },
});

/** DELETE /v1/webhooks/{webhook_id} */
export function registerDeleteWebhook(app: App) {
  app.openapi(route, async (c) => {
    await deleteWebhook({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { webhookId: c.req.valid("param").webhook_id },
    });
    return c.body(null, 204);
  });
}
