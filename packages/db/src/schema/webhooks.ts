import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const WEBHOOK_EVENT_TYPES = [
  "email.sent",
  "email.delivered",
  "email.opened",
  "email.clicked",
  "email.bounced",
  "email.complained",
  "push.delivered",
  "push.clicked",
  "experiment.winner_declared",
  "ads.sync_failed",
  "webhook.test",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * A tenant's outbound webhook destination (Standard Webhooks). Secrets are AES-GCM sealed with
 * CREDENTIALS_KEY; after a rotation the previous secret keeps signing alongside the new one until
 * `previousSecretExpiresAt`, so a receiver can switch without dropping a delivery.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    url: text("url").notNull(),
    events: text("events", { mode: "json" }).$type<WebhookEventType[]>().notNull(),
    description: text("description"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** Why the endpoint was switched off by us (retries exhausted); cleared when re-enabled. */
    disabledReason: text("disabled_reason"),
    disabledAt: integer("disabled_at"),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("webhook_endpoints_project_idx").on(t.projectId, t.createdAt, t.id),
    // Every emission asks "does this project listen at all?": a tiny partial index answers it.
    index("webhook_endpoints_enabled_idx").on(t.projectId).where(sql`${t.enabled} = 1`),
  ],
);

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type NewWebhookEndpointRow = typeof webhookEndpoints.$inferInsert;

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "sending", "succeeded", "failed"] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint. Written before any send so nothing is lost; its id is the
 * `webhook-id` header, stable across retries so receivers can deduplicate. `payload` is the exact
 * JSON body signed and sent. A send claims the row (status sending, lease) with a conditional
 * UPDATE so two workers never send it at once.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    eventType: text("event_type").notNull(),
    payload: text("payload").notNull(),
    status: text("status", { enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** Unix ms of the next try while pending; null once final. */
    nextAttemptAt: integer("next_attempt_at"),
    /** While sending: a crashed sender's claim lapses at this time and the sweep takes it again. */
    leaseUntil: integer("lease_until"),
    lastAttemptAt: integer("last_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    /** The first KB of the receiver's last answer. */
    lastResponse: text("last_response"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt, t.id),
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} IN ('pending', 'sending')`),
    // The hourly retention sweep finds old rows by age.
    index("webhook_deliveries_created_idx").on(t.createdAt),
  ],
);

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type NewWebhookDeliveryRow = typeof webhookDeliveries.$inferInsert;

/**
 * Provider (Resend/Svix) webhook messages already applied, by svix-id: a replay changes nothing.
 * Only messages that matched one of our emails are kept, so every row has its project.
 */
export const emailProviderEvents = sqliteTable(
  "email_provider_events",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    messageId: text("message_id").notNull(),
    type: text("type").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("email_provider_events_message_idx").on(t.messageId),
    index("email_provider_events_created_idx").on(t.createdAt),
  ],
);

export type EmailProviderEventRow = typeof emailProviderEvents.$inferSelect;
