import { updateSubscription } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { mustSubscription } from "../../push/subscriptions";

/** A soft delete, kept for analytics and never sent to again (nor revived anonymously). */
export async function deleteSubscription({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { id: string };
}): Promise<void> {
  const current = await mustSubscription(ctx, projectId, input.id);
  if (current.deletedAt !== null) return;
  const now = ctx.now();
  await updateSubscription(ctx.db, projectId, input.id, { deletedAt: now, managedAt: now, updatedAt: now });
}
