// The verbs the queue consumer and the crons call, under the import path they have always used.
export { dispatchDueNotifications } from "./dispatch-due-notifications";
export { dispatchNotification } from "./dispatch-notification";
export { requeueStaleDeliveries } from "./requeue-stale-deliveries";
export { sendPushBatch } from "./send-push-batch";
