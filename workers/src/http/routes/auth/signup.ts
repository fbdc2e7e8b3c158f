import { createRoute, z } from "@hono/zod-openapi";
import { clientIp } from "../../../ratelimit/middleware";
import { signup } from "../../../services/auth/signup";
import { limitBody } from "../../middleware/limits";
import type { App } from "../../types";
import { conflict, Email, json, Name, NewPassword, publicAuthErrors, Session } from "./schemas";
import { toSessionView } from "./views";

export const SignupRequest = z
  .strictObject({ email: Email, password: NewPassword, name: Name.optional() })
  .openapi("SignupRequest", {
    example: { email: "ada@example.com", password: "correct horse battery staple", name: "Ada Lovelace" },
  });

const route = createRoute({
  method: "post",
  path: "/v1/auth/signup",
  operationId: "signup",
  tags: ["auth"],
  summary: "Create an account with email and password",
  description:
    "Signs the person in at once (the same tokens as login) and mails a link to verify the address (24 hours, single use). An address that already has an account is a 409. At most 20 signups, successful or not, per address (an IPv6 client's /64) per hour; then 429 with Retry-After.",
  security: [],
  middleware: [limitBody(8 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: SignupRequest } } } },
  responses: {
    201: json("The new account, signed in", Session),
    ...publicAuthErrors,
    ...conflict("An account with this email exists"),
  },
});

/** POST /v1/auth/signup */
export function registerSignup(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const { user, session } = await signup({
      ctx: c.get("ctx"),
      input: {
        email: body.email,
        password: body.password,
        name: body.name,
        ip: clientIp(c.req.header("cf-connecting-ip")),
      },
    });
    return c.json(toSessionView(user, session), 201);
  });
}
