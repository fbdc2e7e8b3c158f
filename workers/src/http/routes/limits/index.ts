import type { App } from "../../types";
import { registerGetLimits } from "./get-limits";
import { registerUpdateLimits } from "./update-limits";

/** GET and PUT /v1/projects/{project_id}/limits: the project's rate limits and quotas. */
export function registerLimitRoutes(app: App) {
  registerGetLimits(app);
  registerUpdateLimits(app);
}
