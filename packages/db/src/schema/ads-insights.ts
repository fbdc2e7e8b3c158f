import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { AD_CHANNELS } from "./ads";

export const AD_ALERT_KINDS = ["spend_spike", "roas_drop", "conversions_stop"] as const;
export type AdAlertKind = (typeof AD_ALERT_KINDS)[number];

export const AD_ALERT_STATES = ["open", "acknowledged", "resolved"] as const;
export type AdAlertState = (typeof AD_ALERT_STATES)[number];

/**
 * A project's setting for one alert kind. No row means the defaults (services/ads/insights):
 * a project that never touched its rules still gets alerts.
 */
export const adAlertRules = sqliteTable(
  "ad_alert_rules",
  {
    projectId: text("project_id").notNull(),
    kind: text("kind", { enum: AD_ALERT_KINDS }).notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    threshold: real("threshold").notNull(),
    minBaseline: real("min_baseline").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("ad_alert_rules_uq").on(t.projectId, t.kind)],
);

/**
 * One anomaly of one campaign, found after a sync. Unique per (rule, channel, campaign, day):
 * a re-sync of the same day updates the row instead of adding one.
 */
export const adAlerts = sqliteTable(
  "ad_alerts",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    kind: text("kind", { enum: AD_ALERT_KINDS }).notNull(),
    channel: text("channel", { enum: AD_CHANNELS }).notNull(),
    campaignId: text("campaign_id").notNull(),
    campaignName: text("campaign_name").notNull(),
    /** The last day of data the condition was found on (the run's `until`). */
    day: text("day").notNull(),
    state: text("state", { enum: AD_ALERT_STATES }).notNull(),
    /** What was measured, the baseline it was held against, and the rule's threshold then. */
    observed: real("observed").notNull(),
    baseline: real("baseline").notNull(),
    threshold: real("threshold").notNull(),
    message: text("message").notNull(),
    runId: text("run_id").notNull(),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    acknowledgedAt: integer("acknowledged_at"),
    resolvedAt: integer("resolved_at"),
    /** auto: the condition cleared on a later sync; user: resolved through the API. */
    resolvedBy: text("resolved_by", { enum: ["auto", "user"] }),
  },
  (t) => [
    uniqueIndex("ad_alerts_uq").on(t.projectId, t.kind, t.channel, t.campaignId, t.day),
    index("ad_alerts_list_idx").on(t.projectId, t.firstSeenAt),
  ],
);

/** The narrated insight of one sync run: the numbers code computed and the story told about them. */
export const adInsights = sqliteTable(
  "ad_insights",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    runId: text("run_id").notNull(),
    /** The last day of data the numbers cover. */
    asOf: text("as_of").notNull(),
    snapshot: text("snapshot", { mode: "json" }).notNull(),
    report: text("report", { mode: "json" }).notNull(),
    provider: text("provider", { enum: ["offline", "gemini"] }).notNull(),
    fallbackReason: text("fallback_reason"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("ad_insights_project_idx").on(t.projectId, t.createdAt)],
);

export type AdAlertRuleRow = typeof adAlertRules.$inferSelect;
export type AdAlertRow = typeof adAlerts.$inferSelect;
export type AdInsightRow = typeof adInsights.$inferSelect;
