import { createRoute, z } from "@hono/zod-openapi";
import { listEmailOutbox } from "../../../services/email/list-outbox";
import { BEARER, commonErrors, PageCursor } from "../../schemas";
import type { App } from "../../types";
import { iso } from "../push/shared";

const OutboxMail = z
  .object({
    provider_message_id: z.string().openapi({ example: "outbox_emm_0a1b2c3d4e5f60718293" }),
    message_id: z.string(),
    to: z.string(),
    from: z.string(),
    subject: z.string(),
    html: z.string(),
    text: z.string(),
    headers: z.record(z.string(), z.string()).nullable(),
    idempotency_key: z.string(),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("EmailOutboxMail");

const route = createRoute({
  method: "get",
  path: "/v1/email/outbox",
  operationId: "listEmailOutbox",
  "x-pushbunny-access": "read",
  tags: ["campaigns"],
  summary: "Campaign and test mail the outbox transport kept (when RESEND_API_KEY is not set), newest first",
  security: BEARER,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: PageCursor,
    }),
  },
  responses: {
    200: {
      description: "Newest first; next_cursor is null on the last page",
      content: {
        "application/json": {
          schema: z.object({ messages: z.array(OutboxMail), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...commonErrors,
  },
});

/** GET /v1/email/outbox */
export function registerListEmailOutbox(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listEmailOutbox({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { limit: q.limit, cursor: q.cursor },
    });
    return c.json(
      {
        messages: page.messages.map((m) => ({
          provider_message_id: m.providerMessageId,
          message_id: m.messageId,
          to: m.toAddress,
          from: m.fromAddress,
          subject: m.subject,
          html: m.html,
          text: m.text,
          headers: m.headers,
          idempotency_key: m.idempotencyKey,
          created_at: iso(m.createdAt),
        })),
        next_cursor: page.nextCursor,
      },
      200,
    );
  });
}
