import { createRoute, z } from "@hono/zod-openapi";
import { EMAIL_MESSAGE_STATUSES } from "@pushbunny/db";
import { listMessages } from "../../../services/campaigns/list-messages";
import { BEARER, commonErrors, notFound, PageCursor } from "../../schemas";
import type { App } from "../../types";
import { iso } from "../push/shared";
import { CampaignIdParam } from "./schemas";

const MessageView = z
  .object({
    message_id: z.string().openapi({ example: "emm_0a1b2c3d4e5f60718293" }),
    contact_id: z.string(),
    email: z.string(),
    status: z.enum(EMAIL_MESSAGE_STATUSES),
    variant_id: z.string().nullable().openapi({ description: "The subject arm this recipient got" }),
    provider_message_id: z.string().nullable(),
    error: z.string().nullable(),
    machine_open: z.boolean().nullable(),
    sent_at: z.string().nullable().openapi({ format: "date-time" }),
    opened_at: z.string().nullable().openapi({ format: "date-time" }),
    clicked_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("EmailMessage");

const route = createRoute({
  method: "get",
  path: "/v1/campaigns/{campaign_id}/messages",
  operationId: "listCampaignMessages",
  "x-pushbunny-access": "read",
  tags: ["campaigns"],
  summary: "Per-recipient status of a campaign, in batch order, with a cursor",
  security: BEARER,
  request: {
    params: CampaignIdParam,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(100),
      status: z
        .enum(EMAIL_MESSAGE_STATUSES)
        .optional()
        .openapi({ description: "only rows with this status" }),
      cursor: PageCursor,
    }),
  },
  responses: {
    200: {
      description: "Rows in batch order; next_cursor is null on the last page",
      content: {
        "application/json": {
          schema: z.object({ messages: z.array(MessageView), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/campaigns/{campaign_id}/messages */
export function registerListCampaignMessages(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listMessages({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        campaignId: c.req.valid("param").campaign_id,
        limit: q.limit,
        status: q.status,
        cursor: q.cursor,
      },
    });
    return c.json(
      {
        messages: page.messages.map((m) => ({
          message_id: m.id,
          contact_id: m.contactId,
          email: m.email,
          status: m.status,
          variant_id: m.variantId,
          provider_message_id: m.providerMessageId,
          error: m.error,
          machine_open: m.machineOpen,
          sent_at: iso(m.sentAt),
          opened_at: iso(m.openedAt),
          clicked_at: iso(m.clickedAt),
        })),
        next_cursor: page.nextCursor,
      },
      200,
    );
  });
}
