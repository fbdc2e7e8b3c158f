import { createRoute, z } from "@hono/zod-openapi";
import { listContacts } from "../../../services/contacts/list-contacts";
import { BEARER, commonErrors, PageCursor } from "../../schemas";
import type { App } from "../../types";
import { ContactStatus, ContactView, contactView, STORABLE, storableText } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/contacts",
  operationId: "listContacts",
  "x-pushbunny-access": "read",
  tags: ["contacts"],
  summary: "Contacts, newest first, by status and address prefix",
  security: BEARER,
  request: {
    query: z.object({
      status: ContactStatus.optional(),
      email_prefix: z
        .string()
        .max(320)
        .refine(storableText, STORABLE)
        .optional()
        .openapi({ description: "Case-insensitive start of the address" }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: PageCursor,
    }),
  },
  responses: {
    200: {
      description: "A page; next_cursor is null on the last one",
      content: {
        "application/json": {
          schema: z.object({ contacts: z.array(ContactView), next_cursor: z.string().nullable() }),
        },
      },
    },
    ...commonErrors,
  },
});

/** GET /v1/contacts */
export function registerListContacts(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listContacts({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { status: q.status, emailPrefix: q.email_prefix, limit: q.limit, cursor: q.cursor },
    });
    return c.json({ contacts: page.contacts.map(contactView), next_cursor: page.nextCursor }, 200);
  });
}
