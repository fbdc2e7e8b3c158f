import { createRoute, z } from "@hono/zod-openapi";
import { resetPassword } from "../../../services/auth/reset-password";
import { limitBody } from "../../middleware/limits";
import type { App } from "../../types";
import { json, NewPassword, Ok, OpaqueToken, publicAuthErrors } from "./schemas";

export const ResetPasswordRequest = z
  .strictObject({
    token: OpaqueToken("pbpr_…").openapi({ description: "The `token` of the mailed link" }),
    password: NewPassword,
  })
  .openapi("ResetPasswordRequest");

const route = createRoute({
  method: "post",
  path: "/v1/auth/password-reset",
  operationId: "resetPassword",
  tags: ["auth"],
  summary: "Set a new password with the mailed link's token",
  description:
    "Ends every session of the account (all devices sign in again) and verifies the address. The link works once and for 1 hour; a used, replaced or expired one is a 400.",
  security: [],
  middleware: [limitBody(8 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: ResetPasswordRequest } } } },
  responses: {
    200: json("The password is changed; sign in with it", Ok),
    ...publicAuthErrors,
  },
});

/** POST /v1/auth/password-reset */
export function registerResetPassword(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    await resetPassword({ ctx: c.get("ctx"), input: { token: body.token, password: body.password } });
    return c.json({ ok: true as const }, 200);
  });
}
