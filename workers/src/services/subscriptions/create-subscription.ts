import { newId } from "@pushbunny/core";
import { upsertSubscription } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { checkedEndpoint, type Subscription, toSubscription, uniqueTopics } from "../../push/subscriptions";
import { currentKey } from "../../push/vapid-keys";

export interface CreateSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** Undefined on a re-subscribe that does not mention them: the stored ones stay. */
  topics?: string[] | undefined;
  userId?: string | null | undefined;
}

/**
 * The tenant's subscribe (API key): full control. Validates and normalizes the endpoint, stores
 * it under the current VAPID key, and on a known endpoint refreshes it (enabled, un-deleted).
 * Idempotent per endpoint; the subscription is marked as the tenant's from then on.
 */
export async function createSubscription({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: CreateSubscriptionInput;
}): Promise<{ subscription: Subscription; created: boolean }> {
  const endpoint = await checkedEndpoint(ctx, input);
  const key = await currentKey(ctx, projectId);
  const now = ctx.now();
  const { row, created } = await upsertSubscription(ctx.db, {
    id: newId("sub"),
    projectId,
    endpoint,
    p256dh: input.keys.p256dh,
    auth: input.keys.auth,
    topics: input.topics === undefined ? undefined : uniqueTopics(input.topics),
    userId: input.userId,
    vapidKeyId: key.id,
    createdAt: now,
    updatedAt: now,
  });
  return { subscription: toSubscription(row), created };
}
