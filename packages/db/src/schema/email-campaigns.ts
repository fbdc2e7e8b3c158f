import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const CAMPAIGN_STATUSES = ["draft", "scheduled", "sending", "sent", "paused", "cancelled"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** A subject line of a campaign's experiment and the variant that carries it (control: the template's). */
export interface CampaignSubjectArm {
  variantId: string;
  subject: string;
}

/**
 * Email campaigns: a template sent to an audience (every subscribed contact, or a segment). Subject
 * lines beyond the template's form an experiment of the engine (intent `email:<id>`), created when
 * the campaign leaves draft; `arms` maps its variants back to the Mustache subjects.
 */
export const emailCampaigns = sqliteTable(
  "email_campaigns",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    name: text("name").notNull(),
    fromAddress: text("from_address").notNull(),
    replyTo: text("reply_to"),
    templateId: text("template_id").notNull(),
    /** null: every subscribed contact of the project. */
    segmentId: text("segment_id"),
    subjects: text("subjects", { mode: "json" }).$type<string[]>().notNull().default([]),
    status: text("status", { enum: CAMPAIGN_STATUSES }).notNull().default("draft"),
    /**
     * Unix ms (UTC) when a scheduled campaign starts. Scheduled at a local time, the instant of
     * that time in the campaign's zone; in recipient mode, in the earliest zone (UTC+14).
     */
    sendAt: integer("send_at"),
    /** `YYYY-MM-DDTHH:mm` wall-clock time the campaign was scheduled at; null: an instant. */
    sendAtLocal: text("send_at_local"),
    /** With send_at_local: `recipient` (each contact's zone) or the IANA zone it was resolved in. */
    timeZone: text("time_zone"),
    experimentId: text("experiment_id"),
    arms: text("arms", { mode: "json" }).$type<CampaignSubjectArm[]>(),
    recipients: integer("recipients").notNull().default(0),
    sent: integer("sent").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    startedAt: integer("started_at"),
    completedAt: integer("completed_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("email_campaigns_project_idx").on(t.projectId, t.createdAt, t.id),
    index("email_campaigns_due_idx").on(t.status, t.sendAt),
  ],
);

export type EmailCampaignRow = typeof emailCampaigns.$inferSelect;
export type NewEmailCampaignRow = typeof emailCampaigns.$inferInsert;

export const EMAIL_MESSAGE_STATUSES = [
  "queued",
  "sent",
  "delivered",
  "opened",
  "clicked",
  "bounced",
  "complained",
  "failed",
  "skipped",
] as const;
export type EmailMessageStatus = (typeof EMAIL_MESSAGE_STATUSES)[number];

/**
 * One row per (campaign, contact), written before the send so a redelivered batch never sends
 * twice. `links` is the list a click token's index points into (no open redirect).
 */
export const emailMessages = sqliteTable(
  "email_messages",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    contactId: text("contact_id").notNull(),
    email: text("email").notNull(),
    batch: integer("batch").notNull(),
    status: text("status", { enum: EMAIL_MESSAGE_STATUSES }).notNull().default("queued"),
    variantId: text("variant_id"),
    trackingToken: text("tracking_token"),
    providerMessageId: text("provider_message_id"),
    links: text("links", { mode: "json" }).$type<string[]>(),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    /** Unix ms before which the row may not be claimed (recipient time zones); null: at once. */
    dueAt: integer("due_at"),
    sentAt: integer("sent_at"),
    openedAt: integer("opened_at"),
    machineOpen: integer("machine_open", { mode: "boolean" }),
    clickedAt: integer("clicked_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("email_messages_recipient_uq").on(t.campaignId, t.contactId),
    index("email_messages_batch_idx").on(t.campaignId, t.batch),
    // The campaign's counters after each batch count by status.
    index("email_messages_status_idx").on(t.campaignId, t.status),
    // Provider webhooks (Resend delivered/bounced/complained) find the message by the provider's id.
    index("email_messages_provider_idx")
      .on(t.providerMessageId)
      .where(sql`${t.providerMessageId} IS NOT NULL`),
  ],
);

export type EmailMessageRow = typeof emailMessages.$inferSelect;

/** Development mail: what the outbox transport accepted, readable through GET /v1/dev/outbox. */
export const emailOutbox = sqliteTable(
  "email_outbox",
  {
    providerMessageId: text("provider_message_id").primaryKey(),
    projectId: text("project_id").notNull(),
    messageId: text("message_id").notNull(),
    toAddress: text("to_address").notNull(),
    fromAddress: text("from_address").notNull(),
    subject: text("subject").notNull(),
    html: text("html").notNull(),
    text: text("text").notNull(),
    headers: text("headers", { mode: "json" }).$type<Record<string, string>>(),
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("email_outbox_project_idx").on(t.projectId, t.createdAt)],
);
export type EmailOutboxRow = typeof emailOutbox.$inferSelect;
