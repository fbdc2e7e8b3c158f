import { createRoute, z } from "@hono/zod-openapi";
import { clientIp } from "../../../ratelimit/middleware";
import { requestPasswordReset } from "../../../services/auth/request-password-reset";
import { limitBody } from "../../middleware/limits";
import type { App } from "../../types";
import { Email, json, Ok, publicAuthErrors } from "./schemas";

export const PasswordResetRequest = z.strictObject({ email: Email }).openapi("PasswordResetRequest");

const route = createRoute({
  method: "post",
  path: "/v1/auth/password-reset/request",
  operationId: "requestPasswordReset",
  tags: ["auth"],
  summary: "Mail a password reset link",
  description:
    "Always 202, whether or not the address has an account (the answer reveals none). When it has one, a link that works once for 1 hour is mailed; earlier links stop working. At most 3 per email per hour and 10 per address (an IPv6 client's /64) per 15 minutes.",
  security: [],
  middleware: [limitBody(4 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: PasswordResetRequest } } } },
  responses: {
    202: json("Accepted; a mail follows if the address has an account", Ok),
    ...publicAuthErrors,
  },
});

/** POST /v1/auth/password-reset/request */
export function registerRequestPasswordReset(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    await requestPasswordReset({
      ctx: c.get("ctx"),
      input: { email: body.email, ip: clientIp(c.req.header("cf-connecting-ip")) },
    });
    return c.json({ ok: true as const }, 202);
  });
}
