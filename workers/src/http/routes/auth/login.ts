import { createRoute, z } from "@hono/zod-openapi";
import { clientIp } from "../../../ratelimit/middleware";
import { login } from "../../../services/auth/login";
import { limitBody } from "../../middleware/limits";
import { ErrorEnvelope } from "../../schemas";
import type { App } from "../../types";
import { CurrentPassword, Email, json, LoginSession, publicAuthErrors, unauthorized } from "./schemas";
import { toLoginView } from "./views";

export const LoginRequest = z
  .strictObject({
    email: Email,
    password: CurrentPassword,
    project_id: z.string().min(1, "required").max(128, "too long").optional().openapi({
      description:
        "The project whose API key (`api_key`) to answer with. Left out: the person's only project, or the one they joined first. A project the person is not a member of is a 404, answered only after the password was checked.",
      example: "prj_0a1b2c3d4e5f60718293",
    }),
  })
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
    "Answers the same 401 for an unknown email and a wrong password. After 5 attempts for one email in 15 minutes without a success, or 50 attempts of any outcome from one address (an IPv6 client's /64) in 15 minutes, every attempt is a 429 with Retry-After, the right password included; a success clears the email's count. With the right password the answer also carries `api_key` (the upstream PushBunny SDKs' `{ api_key }`): a 30-day project API key scoped by the person's role, for `project_id` or their first project; docs/adr/0018-login-keys.md.",
  security: [],
  middleware: [limitBody(8 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: LoginRequest } } } },
  responses: {
    200: json("Signed in (with a project API key when the person has a project)", LoginSession),
    ...publicAuthErrors,
    ...unauthorized("Invalid email or password"),
    404: json("The password was right, but `project_id` names no project of this person's", ErrorEnvelope),
  },
});

/** POST /v1/auth/login */
export function registerLogin(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const { user, session, loginKey } = await login({
      ctx: c.get("ctx"),
      input: {
        email: body.email,
        password: body.password,
        ip: clientIp(c.req.header("cf-connecting-ip")),
        projectId: body.project_id,
      },
    });
    return c.json(toLoginView(user, session, loginKey), 200);
  });
}
