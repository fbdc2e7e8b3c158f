import type { App } from "../../types";

/** GET /v1/projects/{project_id}/audit-log. */
export function registerAuditRoutes(_app: App) {}
