import { createRoute, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { hasGoogleFlow } from "../../../../dashboard/session";
import { finishGoogleSignIn } from "../../../../services/auth/google/finish-google-sign-in";
import type { App, AppEnv } from "../../../types";
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

/**
 * A sign-in the dashboard started (/app/sign-in/google) comes back here too, the one redirect
 * URI registered with the provider. Its start cleared this route's cookie and bound the browser
 * with a dashboard cookie, so a callback with that one and not ours goes on, same query, to the
 * dashboard's callback, which ends in its session cookie instead of tokens in JSON.
 */
const toDashboard = createMiddleware<AppEnv>(async (c, next) => {
  if (readFlowCookie(c) || !hasGoogleFlow(c)) return next();
  c.header("cache-control", "no-store");
  return c.redirect(`/app/sign-in/google/callback${new URL(c.req.url).search}`, 303);
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
  middleware: [toDashboard] as const,
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
 * GET /v1/auth/google/callback. Answers JSON (a sign-in the dashboard started is handed to its
 * own callback first: toDashboard).
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
