import { createRoute, z } from "@hono/zod-openapi";
import { refresh } from "../../../services/auth/refresh";
import { limitBody } from "../../middleware/limits";
import type { App } from "../../types";
import { json, OpaqueToken, publicAuthErrors, TokenPair, unauthorized } from "./schemas";
import { toTokenPairView } from "./views";

export const RefreshRequest = z
  .strictObject({ refresh_token: OpaqueToken("pbr_…") })
  .openapi("RefreshRequest");

const route = createRoute({
  method: "post",
  path: "/v1/auth/refresh",
  operationId: "refreshSession",
  tags: ["auth"],
  summary: "Exchange a refresh token for a new token pair",
  description:
    "Each refresh token works once and is replaced by the one returned. Using one a second time (a leaked copy, or two requests racing with the same token) ends the whole session: every token of that login stops working and the person signs in again.",
  security: [],
  middleware: [limitBody(4 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: RefreshRequest } } } },
  responses: {
    200: json("A new pair; the refresh token sent is spent", TokenPair),
    ...publicAuthErrors,
    ...unauthorized("Unknown, expired, reused or revoked refresh token"),
  },
});

/** POST /v1/auth/refresh */
export function registerRefresh(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const session = await refresh({ ctx: c.get("ctx"), input: { refreshToken: body.refresh_token } });
    return c.json(toTokenPairView(session), 200);
  });
}
