import type { App } from "../../../types";

/** Google sign-in: /v1/auth/google/start and /v1/auth/google/callback. */
export function registerGoogleRoutes(_app: App) {}
