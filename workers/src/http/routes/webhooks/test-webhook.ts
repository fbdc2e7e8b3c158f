import { createRoute } from "@hono/zod-openapi";
import { sendTestEvent } from "../../../services/webhooks/send-test-event";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { AttemptView, attemptView, WebhookIdParam } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/v1/webhooks/{webhook_id}/test",
  operationId: "testWebhook",
  "x-pushbunny-access": "admin",
  tags: ["webhooks"],
  summary: "Send a webhook.test event now and return the attempt (also to a disabled endpoint)",
  description:
    "200 whatever the receiver answered: `status` says whether it succeeded, with its status code and the first KB of its answer. Not retried.",
  security: BEARER,
  request: { params: WebhookIdParam },
  responses: {
    200: { description: "The attempt", content: { "application/json": { schema: AttemptView } } },
    ...commonErrors,
    ...notFound,
  },
});

/** POST /v1/webhooks/{webhook_id}/test */
export function registerTestWebhook(app: App) {
  app.openapi(route, async (c) => {
    const outcome = await sendTestEvent({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { webhookId: c.req.valid("param").webhook_id },
    });
    return c.json(attemptView(outcome), 200);
  });
}
