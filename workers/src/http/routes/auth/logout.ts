import { createRoute, z } from "@hono/zod-openapi";
import { UnauthorizedError } from "../../../errors";
import { logout } from "../../../services/auth/logout";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { emptyJsonIsEmptyObject } from "../experiments/schemas";
import { json, Ok, OpaqueToken } from "./schemas";

export const LogoutRequest = z
  .strictObject({ refresh_token: OpaqueToken("pbr_…").optional() })
  .openapi("LogoutRequest");

const route = createRoute({
  method: "post",
  path: "/v1/auth/logout",
  operationId: "logout",
  "x-pushbunny-access": "session",
  tags: ["auth"],
  summary: "Sign out: end this login",
  description:
    "Revokes the session the access token belongs to: its refresh token and its access tokens stop working at once. The body may be left out; a `refresh_token` of another of your logins ends that one too.",
  security: BEARER,
  middleware: [limitBody(4 * 1024), emptyJsonIsEmptyObject] as const,
  request: { body: { required: false, content: { "application/json": { schema: LogoutRequest } } } },
  responses: {
    200: json("Signed out", Ok),
    ...commonErrors,
  },
});

/** POST /v1/auth/logout */
export function registerLogout(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    if (principal.kind !== "user") throw new UnauthorizedError("sign in first");
    await logout({
      ctx: c.get("ctx"),
      input: { userId: principal.userId, sessionId: principal.sessionId, refreshToken: body?.refresh_token },
    });
    return c.json({ ok: true as const }, 200);
  });
}
