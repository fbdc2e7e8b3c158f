import type { App } from "../../types";
import { registerCreateApiKey } from "./create-api-key";
import { registerGetApiKey } from "./get-api-key";
import { registerListApiKeys } from "./list-api-keys";
import { registerRevokeApiKey } from "./revoke-api-key";
import { registerRollApiKey } from "./roll-api-key";
import { registerUpdateApiKey } from "./update-api-key";

/** Every /v1/projects/{project_id}/api-keys route: create, list, read, rename/expire, revoke, roll. */
export function registerApiKeyRoutes(app: App) {
  registerListApiKeys(app);
  registerCreateApiKey(app);
  registerGetApiKey(app);
  registerUpdateApiKey(app);
  registerRevokeApiKey(app);
  registerRollApiKey(app);
}
