import { createRoute, z } from "@hono/zod-openapi";
import { updateWebhook } from "../../../services/webhooks/update-webhook";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import {
  WebhookDescription,
  WebhookEvents,
  WebhookIdParam,
  WebhookUrl,
  WebhookView,
  webhookView,
} from "./schemas";

export const UpdateWebhookRequest = z
  .strictObject({
    url: WebhookUrl.optional(),
    events: WebhookEvents.optional(),
    description: WebhookDescription.optional(),
    enabled: z.boolean().optional().openapi({ description: "true clears disabled_reason" }),
  })
  .openapi("UpdateWebhookRequest");

const route = createRoute({
  method: "patch",
  path: "/v1/webhooks/{webhook_id}",
  operationId: "updateWebhook",
  "x-pushbunny-access": "admin",
  tags: ["webhooks"],
  summary: "Change a webhook endpoint's URL, events, description, or enable/disable it",
  security: BEARER,
  middleware: [limitBody(16 * 1024)] as const,
  request: {
    params: WebhookIdParam,
    body: { required: true, content: { "application/json": { schema: UpdateWebhookRequest } } },
  },
  responses: {
    200: { description: "The endpoint", content: { "application/json": { schema: WebhookView } } },
    ...commonErrors,
    ...notFound,
  },
});

/** PATCH /v1/webhooks/{webhook_id} */
export function registerUpdateWebhook(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const endpoint = await updateWebhook({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        webhookId: c.req.valid("param").webhook_id,
        url: b.url,
        events: b.events,
        description: b.description,
        enabled: b.enabled,
      },
    });
    return c.json(webhookView(endpoint), 200);
  });
}
