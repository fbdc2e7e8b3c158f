import { createRoute, z } from "@hono/zod-openapi";
import { clientIp } from "../../../ratelimit/middleware";
import { login } from "../../../services/auth/login";
import { limitBody } from "../../middleware/limits";
import type { App } from "../../types";
import { CurrentPassword, Email, json, publicAuthErrors, Session, unauthorized } from "./schemas";
import { toSessionView } from "./views";

export const LoginRequest = z
  .strictObject({ email: Email, password: CurrentPassword })
  .openapi("LoginRequest", {
    example: { email: "ada@example.com", password: "correct horse battery staple" },
  });

const route = createRoute({
  method: "post",
  path: "/v1/auth/login",
  operationId: "login",
  tags: ["auth"],
  summary: "Sign in with email and password",
  description:
    "Answers the same 401 for an unknown email and a wrong password. After 5 attempts for one email in 15 minutes without a success, or 50 attempts of any outcome from one address (an IPv6 client's /64) in 15 minutes, every attempt is a 429 with Retry-After, the right password included; a success clears the email's count.",
  security: [],
  middleware: [limitBody(8 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: LoginRequest } } } },
  responses: {
    200: json("Signed in", Session),
    ...publicAuthErrors,
    ...unauthorized("Invalid email or password"),
  },
});

/** POST /v1/auth/login */
export function registerLogin(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const { user, session } = await login({
      ctx: c.get("ctx"),
      input: { email: body.email, password: body.password, ip: clientIp(c.req.header("cf-connecting-ip")) },
    });
    return c.json(toSessionView(user, session), 200);
  });
}
