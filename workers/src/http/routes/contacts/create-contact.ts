import { createRoute, z } from "@hono/zod-openapi";
import { createContact } from "../../../services/contacts/create-contact";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, ErrorEnvelope, LocaleTag } from "../../schemas";
import type { App } from "../../types";
import { Attributes, ContactEmail, ContactName, contactResponse, contactView, TimeZone } from "./schemas";

export const CreateContactRequest = z
  .strictObject({
    email: ContactEmail,
    name: ContactName.optional(),
    locale: LocaleTag.nullable().optional(),
    time_zone: TimeZone.nullable().optional(),
    attributes: Attributes.optional(),
  })
  .openapi("CreateContactRequest", {
    example: { email: "ada@example.com", name: "Ada", attributes: { plan: "pro" } },
  });

const route = createRoute({
  method: "post",
  path: "/v1/contacts",
  operationId: "createContact",
  "x-pushbunny-access": "write",
  tags: ["contacts"],
  summary: "Add a contact (unique per normalised address)",
  description:
    "A suppressed address (unsubscribed, bounced, complained) is stored with that status, never `subscribed`. An address the project already has: 409.",
  security: BEARER,
  middleware: [limitBody(16 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateContactRequest } } } },
  responses: {
    201: contactResponse("Created"),
    ...commonErrors,
    409: { description: "The address exists", content: { "application/json": { schema: ErrorEnvelope } } },
  },
});

/** POST /v1/contacts */
export function registerCreateContact(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const contact = await createContact({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        email: b.email,
        name: b.name,
        locale: b.locale,
        timeZone: b.time_zone,
        attributes: b.attributes,
      },
    });
    return c.json(contactView(contact), 201);
  });
}
