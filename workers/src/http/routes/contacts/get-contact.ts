import { createRoute } from "@hono/zod-openapi";
import { getContact } from "../../../services/contacts/get-contact";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ContactIdParam, contactResponse, contactView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/contacts/{contact_id}",
  operationId: "getContact",
  "x-pushbunny-access": "read",
  tags: ["contacts"],
  summary: "Read a contact",
  security: BEARER,
  request: { params: ContactIdParam },
  responses: { 200: contactResponse("The contact"), ...commonErrors, ...notFound },
});

/** GET /v1/contacts/{contact_id} */
export function registerGetContact(app: App) {
  app.openapi(route, async (c) => {
    const contact = await getContact({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { contactId: c.req.valid("param").contact_id },
    });
    return c.json(contactView(contact), 200);
  });
}
