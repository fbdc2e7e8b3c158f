import { createRoute, z } from "@hono/zod-openapi";
import { finishGoogleSignIn } from "../../../../services/auth/google/finish-google-sign-in";
import type { App } from "../../../types";
import { callbackErrors, clearFlowCookie, GoogleSignInResult, googleErrors, readFlowCookie } from "./shared";

const CallbackQuery = z.object({
  code: z.string().max(2048).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
  iss: z.string().max(2048).optional(),
});

export const googleSignInCallbackRoute = createRoute({
  method: "get",
  path: "/v1/auth/google/callback",
  operationId: "googleSignInCallback",
  tags: ["auth"],
  summary: "Finish Google sign-in: the provider's redirect back, answered with a session",
  description:
    "The provider redirects the browser here with `code` and `state` (or `error`). Needs the cookie GET /v1/auth/google/start set. Signs in the user linked to the Google account; else links a verified account with the same email; else creates an account (email verified, no password). An unverified account with the email is refused with 409.",
  security: [],
  request: { query: CallbackQuery },
  responses: {
    200: {
      description: "Signed in: the user and a session's token pair",
      content: { "application/json": { schema: GoogleSignInResult } },
    },
    ...callbackErrors,
    ...googleErrors,
  },
});

/**
 * GET /v1/auth/google/callback. Answers JSON for now; the dashboard (a later issue) will turn
 * this into a redirect to its own page that keeps the tokens out of the URL.
 */
export function registerGoogleSignInCallback(app: App) {
  app.openapi(googleSignInCallbackRoute, async (c) => {
    const query = c.req.valid("query");
    const binding = readFlowCookie(c);
    // Set before the verb runs so error answers clear the cookie too (onError keeps the headers).
    clearFlowCookie(c);
    c.header("cache-control", "no-store");
    const { user, session } = await finishGoogleSignIn({
      ctx: c.get("ctx"),
      input: { code: query.code, state: query.state, error: query.error, iss: query.iss, binding },
    });
    return c.json(
      {
        user: {
          id: user.id,
          email: user.email,
          name: user.name,
          email_verified: user.emailVerifiedAt !== null,
          created_at: new Date(user.createdAt).toISOString(),
        },
        access_token: session.accessToken,
        refresh_token: session.refreshToken,
        token_type: "Bearer" as const,
        expires_in: session.expiresIn,
        refresh_expires_at: new Date(session.refreshExpiresAt).toISOString(),
      },
      200,
    );
  });
}
