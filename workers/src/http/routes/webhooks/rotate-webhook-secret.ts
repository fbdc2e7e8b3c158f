import { createRoute } from "@hono/zod-openapi";
import { rotateWebhookSecret } from "../../../services/webhooks/rotate-secret";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { WebhookIdParam, WebhookWithSecretView, webhookView } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/v1/webhooks/{webhook_id}/rotate-secret",
  operationId: "rotateWebhookSecret",
  "x-pushbunny-access": "admin",
  tags: ["webhooks"],
  summary: "New signing secret (returned once); the old one keeps signing beside it for 24 hours",
  security: BEARER,
  request: { params: WebhookIdParam },
  responses: {
    200: {
      description: "The endpoint and its new secret",
      content: { "application/json": { schema: WebhookWithSecretView } },
    },
    ...commonErrors,
    ...notFound,
  },
});

/** POST /v1/webhooks/{webhook_id}/rotate-secret */
export function registerRotateWebhookSecret(app: App) {
  app.openapi(route, async (c) => {
    const r = await rotateWebhookSecret({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { webhookId: c.req.valid("param").webhook_id },
    });
    return c.json({ ...webhookView(r.endpoint), secret: r.secret }, 200);
  });
}
