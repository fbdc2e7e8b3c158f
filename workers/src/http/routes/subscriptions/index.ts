import type { App } from "../../types";
import { registerCreateSubscription } from "./create-subscription";
import { registerDeleteSubscription } from "./delete-subscription";
import { registerGetSubscription } from "./get-subscription";
import { registerListSubscriptions } from "./list-subscriptions";
import { registerUpdateSubscription } from "./update-subscription";

/** /v1/subscriptions: the tenant's side of push subscriptions (API key). */
export function registerSubscriptionRoutes(app: App) {
  registerCreateSubscription(app);
  registerListSubscriptions(app);
  registerGetSubscription(app);
  registerUpdateSubscription(app);
  registerDeleteSubscription(app);
}
