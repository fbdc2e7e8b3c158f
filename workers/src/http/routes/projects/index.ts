import type { App } from "../../types";

/** Every /v1/projects route: projects, members, invites, limits. */
export function registerProjectRoutes(_app: App) {}
