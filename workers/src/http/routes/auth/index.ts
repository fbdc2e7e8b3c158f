import type { App } from "../../types";

/** Every /v1/auth route: signup, login, refresh, logout, me, email verification, password reset. */
export function registerAuthRoutes(_app: App) {}
