import type { App } from "../../types";

/** Every /v1/projects/{project_id}/api-keys route. */
export function registerApiKeyRoutes(_app: App) {}
