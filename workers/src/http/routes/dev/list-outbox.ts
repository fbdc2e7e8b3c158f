import { createRoute, z } from "@hono/zod-openapi";
import { listOutbox } from "../../../services/dev/list-outbox";
import { ErrorEnvelope, isWellFormed, WELL_FORMED } from "../../schemas";
import type { App } from "../../types";

const OutboxQuery = z.object({
  to: z
    .string()
    .max(320)
    .refine(isWellFormed, WELL_FORMED)
    .optional()
    .openapi({
      param: { name: "to", in: "query" },
      description: "Only mail to this address",
      example: "ada@example.com",
    }),
  limit: z.coerce
    .number()
    .int("a whole number")
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: "limit", in: "query" }, example: 20 }),
});

const OutboxMessage = z
  .object({
    id: z.string().openapi({ example: "eml_00mg1x2y3z0a1b2c3d4e5f607182" }),
    to: z.string().openapi({ example: "ada@example.com" }),
    subject: z.string().openapi({ example: "Verify your email for PushBunny" }),
    text: z.string(),
    kind: z.string().openapi({ example: "verify_email" }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("OutboxMessage");

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

const route = createRoute({
  method: "get",
  path: "/v1/dev/outbox",
  operationId: "listDevOutbox",
  tags: ["dev"],
  summary: "Read the local mail outbox (development only)",
  description:
    "The newest messages the local Mailer kept (verification and reset links, invites), newest first. Development and test deployments only: production and staging answer 404 as if the route did not exist.",
  security: [],
  request: { query: OutboxQuery },
  responses: {
    200: {
      description: "Newest first",
      content: { "application/json": { schema: z.object({ messages: z.array(OutboxMessage) }) } },
    },
    400: error("Invalid query"),
    404: error("Production: there is no outbox to read"),
  },
});

/** GET /v1/dev/outbox */
export function registerListOutbox(app: App) {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const messages = await listOutbox({
      ctx: c.get("ctx"),
      input: { to: query.to, limit: query.limit, path: c.req.path },
    });
    return c.json(
      {
        messages: messages.map((m) => ({
          id: m.id,
          to: m.to,
          subject: m.subject,
          text: m.text,
          kind: m.kind,
          created_at: new Date(m.createdAt).toISOString(),
        })),
      },
      200,
    );
  });
}
