import type { App } from "../../types";

/** GET and PUT /v1/projects/{project_id}/limits: the project's rate limits and quotas. */
export function registerLimitRoutes(_app: App) {}
