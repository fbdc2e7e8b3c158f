import { createRoute, z } from "@hono/zod-openapi";
import { SUPPRESSION_REASONS } from "@pushbunny/db";
import { addSuppression } from "../../../services/contacts/add-suppression";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { ContactEmail, SuppressionView, suppressionView } from "./schemas";

export const AddSuppressionRequest = z
  .strictObject({
    email: ContactEmail,
    reason: z.enum(SUPPRESSION_REASONS).default("manual"),
  })
  .openapi("AddSuppressionRequest", { example: { email: "noreply-list@example.com", reason: "manual" } });

const route = createRoute({
  method: "post",
  path: "/v1/suppressions",
  operationId: "addSuppression",
  "x-pushbunny-access": "write",
  tags: ["contacts"],
  summary: "Suppress an address (idempotent); its contact, if any, stops being subscribed",
  description:
    "Works for addresses that are not contacts yet: a later import or create keeps them suppressed. A recorded bounce or complaint is never replaced by a weaker reason. Lift an unsubscribe with PATCH /v1/contacts/{contact_id} `status: subscribed` (admin).",
  security: BEARER,
  middleware: [limitBody(4 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: AddSuppressionRequest } } } },
  responses: {
    200: { description: "The suppression", content: { "application/json": { schema: SuppressionView } } },
    ...commonErrors,
  },
});

/** POST /v1/suppressions */
export function registerAddSuppression(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const row = await addSuppression({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { email: b.email, reason: b.reason },
    });
    return c.json(suppressionView(row), 200);
  });
}
