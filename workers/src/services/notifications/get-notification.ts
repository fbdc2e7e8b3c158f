import { deliveryCounts, findNotification } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { type Notification, toNotification } from "../../push/notifications";

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
  const row = await findNotification(ctx.db, projectId, input.id);
  if (!row) throw new NotFoundError(`notification '${input.id}' not found`);
  const counts = await deliveryCounts(ctx.db, projectId, [row.id]);
  return toNotification(row, counts.get(row.id));
}
