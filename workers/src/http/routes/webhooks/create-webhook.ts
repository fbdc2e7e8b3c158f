import { createRoute, z } from "@hono/zod-openapi";
import { createWebhook } from "../../../services/webhooks/create-webhook";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, ErrorEnvelope } from "../../schemas";
import type { App } from "../../types";
import { WebhookDescription, WebhookEvents, WebhookUrl, WebhookWithSecretView, webhookView } from "./schemas";

export const CreateWebhookRequest = z
  .strictObject({
    url: WebhookUrl,
    events: WebhookEvents,
    description: WebhookDescription.optional(),
    enabled: z.boolean().optional(),
  })
  .openapi("CreateWebhookRequest");

const route = createRoute({
  method: "post",
  path: "/v1/webhooks",
  operationId: "createWebhook",
  "x-pushbunny-access": "admin",
  tags: ["webhooks"],
  summary: "Register a webhook endpoint (Standard Webhooks); the signing secret is returned once",
  security: BEARER,
  middleware: [limitBody(16 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateWebhookRequest } } } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: WebhookWithSecretView } } },
    ...commonErrors,
    409: {
      description: "The project has the most endpoints it may have",
      content: { "application/json": { schema: ErrorEnvelope } },
    },
  },
});

/** POST /v1/webhooks */
export function registerCreateWebhook(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const r = await createWebhook({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { url: b.url, events: b.events, description: b.description, enabled: b.enabled },
    });
    return c.json({ ...webhookView(r.endpoint), secret: r.secret }, 201);
  });
}
