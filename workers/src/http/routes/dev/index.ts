import type { App } from "../../types";

/** Development-only routes (the mail outbox); absent in production. */
export function registerDevRoutes(_app: App) {}
