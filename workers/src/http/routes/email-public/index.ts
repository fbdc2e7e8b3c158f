import type { App } from "../../types";
import { registerPreferencesPages } from "./preferences";
import { registerProviderWebhooks } from "./provider-webhooks";
import { registerTrackingRoutes } from "./tracking";
import { registerUnsubscribePages } from "./unsubscribe";

/**
 * /email/unsubscribe and /email/preferences: pages for the people on a project's lists, outside
 * the OpenAPI document like the dashboard (they answer HTML, and the signed token is the key).
 */
export function registerEmailPublicPages(app: App) {
  registerUnsubscribePages(app);
  registerPreferencesPages(app);
  registerTrackingRoutes(app);
  // JSON, signed by the provider: in the OpenAPI document with no security, like /push/receipts.
  registerProviderWebhooks(app);
}
