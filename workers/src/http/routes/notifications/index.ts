import type { App } from "../../types";
import { registerBroadcastNotification } from "./broadcast-notification";
import { registerCancelNotification } from "./cancel-notification";
import { registerGetNotification } from "./get-notification";
import { registerNotificationHistory } from "./notification-history";
import { registerSendNotification } from "./send-notification";

/** /v1/notifications: sending, scheduling, history and cancelling. */
export function registerNotificationRoutes(app: App) {
  registerSendNotification(app);
  registerBroadcastNotification(app);
  // Before /{notification_id}, which would otherwise take "history" for an id.
  registerNotificationHistory(app);
  registerGetNotification(app);
  registerCancelNotification(app);
}
