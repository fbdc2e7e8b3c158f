import { createRoute, z } from "@hono/zod-openapi";
import { verifyEmail } from "../../../services/auth/verify-email";
import { limitBody } from "../../middleware/limits";
import type { App } from "../../types";
import { AuthUser, json, OpaqueToken, publicAuthErrors } from "./schemas";
import { toUserView } from "./views";

export const VerifyEmailRequest = z
  .strictObject({ token: OpaqueToken("pbev_…").openapi({ description: "The `token` of the mailed link" }) })
  .openapi("VerifyEmailRequest");

const route = createRoute({
  method: "post",
  path: "/v1/auth/verify-email",
  operationId: "verifyEmail",
  tags: ["auth"],
  summary: "Verify an email address with the mailed link's token",
  description:
    "The link works once and for 24 hours; a used, replaced or expired one is a 400 that says which and what to do.",
  security: [],
  middleware: [limitBody(4 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: VerifyEmailRequest } } } },
  responses: {
    200: json("The address is verified", z.object({ user: AuthUser }).openapi("VerifiedUser")),
    ...publicAuthErrors,
  },
});

/** POST /v1/auth/verify-email */
export function registerVerifyEmail(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const user = await verifyEmail({ ctx: c.get("ctx"), input: { token: body.token } });
    return c.json({ user: toUserView(user) }, 200);
  });
}
