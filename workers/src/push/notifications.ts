import { type DeliveryStatus, findNotification, type NotificationRow } from "@pushbunny/db";
import type { AppContext } from "../context";
import { NotFoundError } from "../errors";

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

/** The project's notification or a 404. */
export async function mustNotification(
  ctx: AppContext,
  projectId: string,
  id: string,
): Promise<NotificationRow> {
  const row = await findNotification(ctx.db, projectId, id);
  if (!row) throw new NotFoundError(`notification '${id}' not found`);
  return row;
}
