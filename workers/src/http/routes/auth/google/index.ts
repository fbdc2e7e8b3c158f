import type { App } from "../../../types";
import { registerGoogleSignInCallback } from "./callback";
import { registerStartGoogleSignIn } from "./start";

/** Google sign-in: /v1/auth/google/start and /v1/auth/google/callback. */
export function registerGoogleRoutes(app: App) {
  registerStartGoogleSignIn(app);
  registerGoogleSignInCallback(app);
}
