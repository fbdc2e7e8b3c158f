import { transitionNotification } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError } from "../../errors";
import { mustNotification, type Notification, toNotification } from "../../push/notifications";

/** Cancels a scheduled notification that has not gone out (409 once it has). */
export async function cancelNotification({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { id: string };
}): Promise<Notification> {
  const row = await mustNotification(ctx, projectId, input.id);
  const moved = await transitionNotification(ctx.db, {
    projectId,
    id: row.id,
    from: ["scheduled"],
    set: { status: "canceled" },
  });
  if (!moved) {
    throw new ConflictError(
      `notification '${row.id}' is ${row.status}: only a scheduled one can be canceled`,
    );
  }
  return toNotification(moved);
}
