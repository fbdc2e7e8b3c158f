import { createRoute, z } from "@hono/zod-openapi";
import { listWebhooks } from "../../../services/webhooks/list-webhooks";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { ListQuery, WebhookView, webhookView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/webhooks",
  operationId: "listWebhooks",
  "x-pushbunny-access": "admin",
  tags: ["webhooks"],
  summary: "Webhook endpoints, newest first",
  security: BEARER,
  request: { query: ListQuery },
  responses: {
    200: {
      description: "A page; next_cursor is null on the last one",
      content: {
        "application/json": {
          schema: z.object({ webhooks: z.array(WebhookView), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...commonErrors,
  },
});

/** GET /v1/webhooks */
export function registerListWebhooks(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listWebhooks({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { limit: q.limit, cursor: q.cursor },
    });
    return c.json({ webhooks: page.webhooks.map(webhookView), next_cursor: page.nextCursor }, 200);
  });
}
