import { createRoute, z } from "@hono/zod-openapi";
import { roleGrants, scopesGrant } from "../../../access/levels";
import { updateContact } from "../../../services/contacts/update-contact";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, ErrorEnvelope, LocaleTag, notFound } from "../../schemas";
import type { App } from "../../types";
import {
  Attributes,
  ContactIdParam,
  ContactName,
  ContactStatus,
  contactResponse,
  contactView,
  TimeZone,
} from "./schemas";

export const UpdateContactRequest = z
  .strictObject({
    name: ContactName.optional(),
    locale: LocaleTag.nullable().optional(),
    time_zone: TimeZone.nullable().optional(),
    attributes: Attributes.optional().openapi({ description: "Replaces the stored attributes" }),
    status: ContactStatus.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: "send at least one field to change" })
  .openapi("UpdateContactRequest", { example: { status: "unsubscribed" } });

const route = createRoute({
  method: "patch",
  path: "/v1/contacts/{contact_id}",
  operationId: "updateContact",
  "x-pushbunny-access": "write",
  tags: ["contacts"],
  summary: "Change a contact; unsubscribing suppresses the address",
  description:
    "`status: unsubscribed | bounced | complained` also suppresses the address (imports and sends skip it). Back to `subscribed` only from `unsubscribed` and only with admin access (an admin key or an admin's session: the tenant states the person opted in again; others 403). Bounced and complained addresses stay suppressed (409).",
  security: BEARER,
  middleware: [limitBody(16 * 1024)] as const,
  request: {
    params: ContactIdParam,
    body: { required: true, content: { "application/json": { schema: UpdateContactRequest } } },
  },
  responses: {
    200: contactResponse("The contact"),
    ...commonErrors,
    ...notFound,
    409: {
      description: "A bounced or complained address cannot be subscribed",
      content: { "application/json": { schema: ErrorEnvelope } },
    },
  },
});

/** PATCH /v1/contacts/{contact_id} */
export function registerUpdateContact(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const principal = c.get("principal");
    const canResubscribe =
      principal.kind === "api_key"
        ? scopesGrant(principal.scopes, "admin")
        : roleGrants(c.get("role"), "admin");
    const contact = await updateContact({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        contactId: c.req.valid("param").contact_id,
        name: b.name,
        locale: b.locale,
        timeZone: b.time_zone,
        attributes: b.attributes,
        status: b.status,
        canResubscribe,
      },
    });
    return c.json(contactView(contact), 200);
  });
}
