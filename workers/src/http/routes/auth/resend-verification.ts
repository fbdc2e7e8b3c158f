import { createRoute } from "@hono/zod-openapi";
import { UnauthorizedError } from "../../../errors";
import { resendVerification } from "../../../services/auth/resend-verification";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { conflict, json, Ok } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/v1/auth/verify-email/resend",
  operationId: "resendVerificationEmail",
  "x-pushbunny-access": "session",
  tags: ["auth"],
  summary: "Mail a new verification link",
  description: "Earlier links stop working. At most 5 per hour; an address already verified is a 409.",
  security: BEARER,
  responses: {
    202: json("The mail is on its way", Ok),
    ...commonErrors,
    ...conflict("The address is already verified"),
  },
});

/** POST /v1/auth/verify-email/resend */
export function registerResendVerification(app: App) {
  app.openapi(route, async (c) => {
    const principal = c.get("principal");
    if (principal.kind !== "user") throw new UnauthorizedError("sign in first");
    await resendVerification({ ctx: c.get("ctx"), input: { userId: principal.userId } });
    return c.json({ ok: true as const }, 202);
  });
}
