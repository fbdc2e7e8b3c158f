import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamps } from "./columns";

export const AD_CHANNELS = ["facebook", "instagram", "google_ads", "tiktok"] as const;
export type AdChannel = (typeof AD_CHANNELS)[number];

/** A project's connection to an ad channel: real API credentials, or the sandbox source. */
export const channelAccounts = sqliteTable(
  "channel_accounts",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    channel: text("channel", { enum: AD_CHANNELS }).notNull(),
    source: text("source", { enum: ["api", "sandbox"] }).notNull(),
    /** AES-GCM sealed JSON credentials (null for the sandbox); never served back. */
    credentials: text("credentials"),
    /** Last sync outcome for this channel: ok | error. */
    lastStatus: text("last_status"),
    lastError: text("last_error"),
    lastSyncedAt: integer("last_synced_at"),
    ...timestamps,
  },
  (t) => [uniqueIndex("channel_accounts_uq").on(t.projectId, t.channel)],
);

/** One campaign on one day, normalized across channels; upserted on its natural key. */
export const adCampaignMetrics = sqliteTable(
  "ad_campaign_metrics",
  {
    projectId: text("project_id").notNull(),
    channel: text("channel", { enum: AD_CHANNELS }).notNull(),
    campaignId: text("campaign_id").notNull(),
    date: text("date").notNull(),
    campaignName: text("campaign_name").notNull(),
    source: text("source", { enum: ["api", "sandbox"] }).notNull(),
    cost: real("cost").notNull(),
    clicks: integer("clicks").notNull(),
    impressions: integer("impressions").notNull(),
    engagement: integer("engagement").notNull(),
    conversions: real("conversions").notNull(),
    conversionValue: real("conversion_value").notNull(),
    conversionRate: real("conversion_rate"),
    roi: real("roi"),
    syncedAt: integer("synced_at").notNull(),
  },
  (t) => [
    uniqueIndex("ad_campaign_metrics_uq").on(t.projectId, t.channel, t.campaignId, t.date),
    index("ad_campaign_metrics_date_idx").on(t.projectId, t.date),
  ],
);

export const SYNC_RUN_STATUSES = ["queued", "running", "succeeded", "partial", "failed"] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

export interface ChannelRunResult {
  channel: AdChannel;
  source: "api" | "sandbox";
  status: "ok" | "error";
  rows: number;
  attempts: number;
  error?: { kind: string; message: string; retryAfterMs?: number };
}

/** One sync of a project's channels (hourly or by hand) and what came of it. */
export const adSyncRuns = sqliteTable(
  "ad_sync_runs",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    trigger: text("trigger", { enum: ["schedule", "manual", "retry"] }).notNull(),
    status: text("status", { enum: SYNC_RUN_STATUSES }).notNull(),
    since: text("since").notNull(),
    until: text("until").notNull(),
    /** Channels limited to (null: every connected one). */
    channels: text("channels", { mode: "json" }).$type<AdChannel[] | null>(),
    results: text("results", { mode: "json" }).$type<ChannelRunResult[]>().notNull().default([]),
    rows: integer("rows").notNull().default(0),
    attempt: integer("attempt").notNull().default(1),
    queuedAt: integer("queued_at").notNull(),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
  },
  (t) => [index("ad_sync_runs_project_idx").on(t.projectId, t.queuedAt)],
);

export type ChannelAccountRow = typeof channelAccounts.$inferSelect;
export type AdCampaignMetricsRow = typeof adCampaignMetrics.$inferSelect;
export type AdSyncRunRow = typeof adSyncRuns.$inferSelect;
