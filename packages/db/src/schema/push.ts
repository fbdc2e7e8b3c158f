import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * A project's VAPID key pairs. The newest unretired one is current (served to browsers, used
 * for new subscriptions); a subscription keeps the key it was made with, so rotating never
 * breaks a browser that has not re-subscribed yet.
 */
export const vapidKeys = sqliteTable(
  "vapid_keys",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    publicKey: text("public_key").notNull(),
    /** The private key (base64url d), AES-GCM sealed with CREDENTIALS_KEY. */
    privateKey: text("private_key").notNull(),
    createdAt: integer("created_at").notNull(),
    retiredAt: integer("retired_at"),
  },
  (t) => [index("vapid_keys_project_idx").on(t.projectId, t.createdAt)],
);

export const subscriptions = sqliteTable(
  "subscriptions",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    endpoint: text("endpoint").notNull(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    topics: text("topics", { mode: "json" }).$type<string[]>().notNull().default([]),
    userId: text("user_id"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** The VAPID key the browser subscribed with: deliveries are signed with it. */
    vapidKeyId: text("vapid_key_id").notNull(),
    /** Set when the push service answered 404/410: the browser unsubscribed. */
    expiredAt: integer("expired_at"),
    /** Soft delete (DELETE): kept for analytics, never sent to. */
    deletedAt: integer("deleted_at"),
    lastSentAt: integer("last_sent_at"),
    /**
     * When the tenant last created or changed it with an API key. From then on the anonymous
     * subscribe route never changes it (keys, topics, user, enabled, deleted).
     */
    managedAt: integer("managed_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("subscriptions_endpoint_uq").on(t.projectId, t.endpoint),
    index("subscriptions_user_idx").on(t.projectId, t.userId),
    index("subscriptions_created_idx").on(t.projectId, t.createdAt),
    // The analytics' per-day counts and the active count read these: a tenth of the rows or
    // less each, where the created index made them scan every subscription of the project.
    index("subscriptions_expired_idx").on(t.projectId, t.expiredAt).where(sql`${t.expiredAt} IS NOT NULL`),
    index("subscriptions_deleted_idx").on(t.projectId, t.deletedAt).where(sql`${t.deletedAt} IS NOT NULL`),
    index("subscriptions_active_idx")
      .on(t.projectId)
      .where(sql`${t.enabled} = 1 AND ${t.deletedAt} IS NULL AND ${t.expiredAt} IS NULL`),
  ],
);

/**
 * A project's push settings: the topics a browser may pick without an API key, and the identity
 * secret (sealed with CREDENTIALS_KEY) whose HMAC proves a user id on the anonymous route. After
 * a rotation the previous secret still verifies until `previousIdentitySecretExpiresAt`.
 */
export const pushSettings = sqliteTable("push_settings", {
  projectId: text("project_id").primaryKey(),
  publicTopics: text("public_topics", { mode: "json" }).$type<string[]>().notNull().default([]),
  identitySecret: text("identity_secret"),
  identitySecretCreatedAt: integer("identity_secret_created_at"),
  previousIdentitySecret: text("previous_identity_secret"),
  previousIdentitySecretExpiresAt: integer("previous_identity_secret_expires_at"),
  updatedAt: integer("updated_at").notNull(),
});

export const NOTIFICATION_STATUSES = ["scheduled", "queued", "dispatched", "canceled"] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export interface NotificationTarget {
  subscriptionIds?: string[];
  userIds?: string[];
  topics?: string[];
  all?: boolean;
}

export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    type: text("type", { enum: ["send", "broadcast"] }).notNull(),
    target: text("target", { mode: "json" }).$type<NotificationTarget>().notNull(),
    /** title, body, icon, image, badge, url, tag, actions, data — or intent_id + base_example. */
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    ttl: integer("ttl").notNull(),
    urgency: text("urgency"),
    topic: text("topic"),
    status: text("status", { enum: NOTIFICATION_STATUSES }).notNull(),
    scheduledAt: integer("scheduled_at"),
    dispatchedAt: integer("dispatched_at"),
    recipients: integer("recipients"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("notifications_project_idx").on(t.projectId, t.createdAt),
    index("notifications_due_idx").on(t.status, t.scheduledAt),
  ],
);

export const DELIVERY_STATUSES = ["pending", "sent", "delivered", "failed", "expired"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    notificationId: text("notification_id").notNull(),
    subscriptionId: text("subscription_id").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** The push service's last HTTP status (null: network error or not tried yet). */
    lastStatus: integer("last_status"),
    error: text("error"),
    /** Optimized copy: the variant this recipient got. */
    variantId: text("variant_id"),
    createdAt: integer("created_at").notNull(),
    sentAt: integer("sent_at"),
    deliveredAt: integer("delivered_at"),
    clickedAt: integer("clicked_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("deliveries_recipient_uq").on(t.notificationId, t.subscriptionId),
    // Covers the delivery analytics (status and clicks per day) without reading the rows.
    index("deliveries_project_idx").on(t.projectId, t.createdAt, t.status, t.clickedAt),
    // What the minute cron's lost-message sweep reads: only pending rows, oldest first.
    index("deliveries_pending_idx").on(t.updatedAt).where(sql`${t.status} = 'pending'`),
  ],
);

export type PushSettingsRow = typeof pushSettings.$inferSelect;
export type VapidKeyRow = typeof vapidKeys.$inferSelect;
export type SubscriptionRow = typeof subscriptions.$inferSelect;
export type NotificationRow = typeof notifications.$inferSelect;
export type DeliveryRow = typeof deliveries.$inferSelect;
