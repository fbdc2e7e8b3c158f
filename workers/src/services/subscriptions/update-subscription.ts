import { updateSubscription as updateRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, NotFoundError } from "../../errors";
import { mustSubscription, type Subscription, toSubscription, uniqueTopics } from "../../push/subscriptions";

export interface UpdateSubscriptionInput {
  id: string;
  topics?: string[];
  enabled?: boolean;
  userId?: string | null;
}

/** The tenant changes topics, enabled or user; the subscription is the tenant's from then on. */
export async function updateSubscription({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: UpdateSubscriptionInput;
}): Promise<Subscription> {
  if (input.topics === undefined && input.enabled === undefined && input.userId === undefined) {
    throw new BadRequestError("nothing to change: send topics, enabled or user_id");
  }
  const current = await mustSubscription(ctx, projectId, input.id);
  if (current.deletedAt !== null) throw new NotFoundError(`subscription '${input.id}' was deleted`);
  const now = ctx.now();
  const row = await updateRow(ctx.db, projectId, input.id, {
    ...(input.topics ? { topics: uniqueTopics(input.topics) } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.userId !== undefined ? { userId: input.userId } : {}),
    managedAt: now,
    updatedAt: now,
  });
  if (!row) throw new NotFoundError(`subscription '${input.id}' not found`);
  return toSubscription(row);
}
