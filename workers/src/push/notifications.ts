import type { DeliveryStatus, NotificationRow } from "@pushbunny/db";

export type DeliveryCounts = Record<DeliveryStatus, number> & { clicked: number };

/** A notification with its deliveries counted by status. */
export type Notification = NotificationRow & { deliveries: DeliveryCounts };

export const noDeliveries = (): DeliveryCounts => ({
  pending: 0,
  sent: 0,
  delivered: 0,
  failed: 0,
  expired: 0,
  clicked: 0,
});

export function toNotification(row: NotificationRow, counts?: DeliveryCounts): Notification {
  return { ...row, deliveries: counts ?? noDeliveries() };
}
