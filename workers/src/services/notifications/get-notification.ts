import { deliveryCounts } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { mustNotification, type Notification, toNotification } from "../../push/notifications";

/** The notification with its delivery counts. */
export async function getNotification({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { id: string };
}): Promise<Notification> {
  const row = await mustNotification(ctx, projectId, input.id);
  const counts = await deliveryCounts(ctx.db, projectId, [row.id]);
  return toNotification(row, counts.get(row.id));
}
