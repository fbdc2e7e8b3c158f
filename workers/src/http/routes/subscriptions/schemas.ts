import { z } from "@hono/zod-openapi";
import { MAX_TOPICS, type Subscription } from "../../../push/subscriptions";
import { iso, PathId, Topic } from "../push/shared";

export const Endpoint = z.string().min(1).max(2100).openapi({
  description:
    "The push service URL, as PushSubscription.toJSON() gives it. Stored normalized: trimmed, scheme and host lower-cased; whitespace or control characters inside are refused.",
  example: "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91b…",
});

export const Keys = z.strictObject({
  p256dh: z.string().min(1).max(200),
  auth: z.string().min(1).max(100),
});

export const ExpirationTime = z
  .number()
  .nullable()
  .optional()
  .openapi({ description: "As PushSubscription.toJSON() gives it; ignored" });

export const Topics = z.array(Topic).max(MAX_TOPICS);

export const SubscriptionIdParam = z.object({
  subscription_id: PathId("subscription_id", "sub_0a1b2c3d4e5f60718293"),
});

export const SubscriptionView = z
  .object({
    subscription_id: z.string(),
    endpoint: z.string(),
    topics: z.array(z.string()),
    user_id: z.string().nullable(),
    enabled: z.boolean(),
    status: z.enum(["active", "disabled", "expired", "deleted"]),
    vapid_key_id: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    expired_at: z.string().nullable(),
    deleted_at: z.string().nullable(),
    last_sent_at: z.string().nullable(),
  })
  .openapi("Subscription");

/** The wire form of a subscription (for API-key callers only: it shows topics and user). */
export function subscriptionView(s: Subscription): z.infer<typeof SubscriptionView> {
  return {
    subscription_id: s.id,
    endpoint: s.endpoint,
    topics: s.topics,
    user_id: s.userId,
    enabled: s.enabled,
    status: s.status,
    vapid_key_id: s.vapidKeyId,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
    expired_at: iso(s.expiredAt),
    deleted_at: iso(s.deletedAt),
    last_sent_at: iso(s.lastSentAt),
  };
}

export const subscriptionResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: SubscriptionView } },
});
