import { createRoute, z } from "@hono/zod-openapi";
import { startGoogleSignIn } from "../../../../services/auth/google/start-google-sign-in";
import type { App } from "../../../types";
import { googleErrors, setFlowCookie } from "./shared";

export const startGoogleSignInRoute = createRoute({
  method: "get",
  path: "/v1/auth/google/start",
  operationId: "startGoogleSignIn",
  tags: ["auth"],
  summary: "Begin Google sign-in: redirects the browser to Google",
  description:
    "Open in the browser (a link or a top-level navigation, not fetch): answers 302 to the provider's authorization endpoint with state, nonce and a PKCE S256 challenge, and sets an HttpOnly cookie that ties the sign-in to this browser. The provider sends the browser back to GET /v1/auth/google/callback within 10 minutes.",
  security: [],
  responses: {
    302: {
      description: "To the identity provider's authorization endpoint",
      headers: z.object({
        Location: z.string().openapi({ description: "The authorization URL" }),
        "Set-Cookie": z.string().openapi({ description: "The sign-in's browser binding (HttpOnly)" }),
      }),
    },
    ...googleErrors,
  },
});

/** GET /v1/auth/google/start */
export function registerStartGoogleSignIn(app: App) {
  app.openapi(startGoogleSignInRoute, async (c) => {
    const start = await startGoogleSignIn({ ctx: c.get("ctx") });
    setFlowCookie(c, start.binding, start.expiresInSeconds);
    c.header("cache-control", "no-store");
    return c.redirect(start.authorizationUrl, 302);
  });
}
