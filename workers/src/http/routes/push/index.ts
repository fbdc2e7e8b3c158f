import type { App } from "../../types";
import { registerNotificationRoutes } from "../notifications";
import { registerSubscriptionRoutes } from "../subscriptions";
import { registerDeliveryAnalytics } from "./delivery-analytics";
import { registerGetIdentitySecret } from "./get-identity-secret";
import { registerGetPushSettings } from "./get-push-settings";
import { registerGetVapidPublicKey } from "./get-vapid-public-key";
import { registerRotateIdentitySecret } from "./rotate-identity-secret";
import { registerRotateVapidKey } from "./rotate-vapid-key";
import { registerSubscriptionAnalytics } from "./subscription-analytics";
import { registerUpdatePushSettings } from "./update-push-settings";

/**
 * Every /v1 push route (API key): VAPID keys, identity secret, settings, subscriptions,
 * notifications and analytics. The anonymous /push/* routes are in ./browser.ts.
 */
export function registerPushRoutes(app: App) {
  registerGetVapidPublicKey(app);
  registerRotateVapidKey(app);
  registerGetIdentitySecret(app);
  registerRotateIdentitySecret(app);
  registerGetPushSettings(app);
  registerUpdatePushSettings(app);
  registerSubscriptionRoutes(app);
  registerNotificationRoutes(app);
  registerSubscriptionAnalytics(app);
  registerDeliveryAnalytics(app);
}
