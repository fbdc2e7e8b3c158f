import { createRoute } from "@hono/zod-openapi";
import { deleteContact } from "../../../services/contacts/delete-contact";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ContactIdParam } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/v1/contacts/{contact_id}",
  operationId: "deleteContact",
  "x-pushbunny-access": "write",
  tags: ["contacts"],
  summary: "Delete a contact (a suppression of its address stays)",
  security: BEARER,
  request: { params: ContactIdParam },
  responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFound },
});

/** DELETE /v1/contacts/{contact_id} */
export function registerDeleteContact(app: App) {
  app.openapi(route, async (c) => {
    await deleteContact({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { contactId: c.req.valid("param").contact_id },
    });
    return c.body(null, 204);
  });
}
