import type { App } from "../../types";
import { registerListAuditLog } from "./list-audit-log";

/** GET /v1/projects/{project_id}/audit-log. */
export function registerAuditRoutes(app: App) {
  registerListAuditLog(app);
}
