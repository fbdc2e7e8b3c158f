import { createRoute, z } from "@hono/zod-openapi";
import { finishGoogleSignIn } from "../../../../services/auth/google/finish-google-sign-in";
import type { App } from "../../../types";
import { Session } from "../schemas";
import { toSessionView } from "../views";
import { callbackErrors, clearFlowCookie, googleErrors, readFlowCookie } from "./shared";

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
      content: { "application/json": { schema: Session } },
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
    // The same shape as signup and login: one session answer for every way in.
    return c.json(toSessionView(user, session), 200);
  });
}
