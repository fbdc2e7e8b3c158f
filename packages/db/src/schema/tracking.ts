import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const EVENT_TYPES = ["opened", "conversion"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * One row per served message. Ids sort by serve time (`newTimeId`), so inserts land at the
 * right edge of the key index. A trigger (migration 0001, ADR 0006) adds every row that is
 * really inserted to variant_daily_stats; a redelivered row is ignored and adds nothing.
 */
export const impressions = sqliteTable(
  "impressions",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    experimentId: text("experiment_id").notNull(),
    variantId: text("variant_id").notNull(),
    userId: text("user_id"),
    day: text("day").notNull(),
    createdAt: integer("created_at").notNull(),
    /** Allocation version the edge served it under; null when the split did not decide it. */
    allocation: integer("allocation"),
    /** The free-text context /v1/resolve received (the mobile SDKs' `context`), trimmed to 256. */
    context: text("context"),
  },
  (t) => [index("impressions_variant_idx").on(t.projectId, t.variantId, t.createdAt)],
);

/**
 * Opens and conversions. (impression, type) is the event's identity, so retries never double
 * count. Events are attributed to their impression's time (`impression_at`, `day`): a date
 * range selects a cohort of impressions and the events those impressions earned, so rates
 * stay within [0, 1]. A trigger counts each inserted event and creates its impression if that
 * row is missing (ADR 0002, ADR 0006).
 */
export const events = sqliteTable(
  "events",
  {
    projectId: text("project_id").notNull(),
    experimentId: text("experiment_id").notNull(),
    variantId: text("variant_id").notNull(),
    impressionId: text("impression_id").notNull(),
    type: text("type", { enum: EVENT_TYPES }).notNull(),
    occurredAt: integer("occurred_at").notNull(),
    impressionAt: integer("impression_at").notNull(),
    day: text("day").notNull(),
    properties: text("properties", { mode: "json" }).$type<Record<string, string>>(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [
    uniqueIndex("events_impression_type_uq").on(t.impressionId, t.type),
    index("events_variant_idx").on(t.projectId, t.variantId, t.impressionAt),
  ],
);

/** Per variant and impression day: the shape of both daily aggregate tables. */
function dailyStatsColumns() {
  return {
    projectId: text("project_id").notNull(),
    experimentId: text("experiment_id").notNull(),
    variantId: text("variant_id").notNull(),
    day: text("day").notNull(),
    impressions: integer("impressions").notNull().default(0),
    opens: integer("opens").notNull().default(0),
    conversions: integer("conversions").notNull().default(0),
  };
}

/** What /v1/stats reads: per variant and impression day. */
export const variantDailyStats = sqliteTable("variant_daily_stats", dailyStatsColumns(), (t) => [
  primaryKey({ columns: [t.variantId, t.day] }),
  index("variant_daily_stats_experiment_idx").on(t.projectId, t.experimentId, t.day),
]);

/**
 * Simulated traffic (impression ids `sim_…`, minted only by the simulate endpoint), counted
 * apart from real traffic by the same triggers so a simulation never moves real statistics
 * (migration 0003).
 */
export const simulatedDailyStats = sqliteTable("simulated_daily_stats", dailyStatsColumns(), (t) => [
  primaryKey({ columns: [t.variantId, t.day] }),
  index("simulated_daily_stats_experiment_idx").on(t.projectId, t.experimentId, t.day),
]);

/**
 * Impressions per variant and allocation version, kept by triggers (migration 0002): what the
 * sample-ratio test compares with each version's weights.
 */
export const variantAllocationStats = sqliteTable(
  "variant_allocation_stats",
  {
    projectId: text("project_id").notNull(),
    experimentId: text("experiment_id").notNull(),
    variantId: text("variant_id").notNull(),
    allocation: integer("allocation").notNull(),
    impressions: integer("impressions").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.variantId, t.allocation] }),
    index("variant_allocation_stats_experiment_idx").on(t.projectId, t.experimentId),
  ],
);

/** Queue messages that could not be processed, kept so nothing vanishes silently. */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    /** Null only when the body was too broken to name its project. */
    projectId: text("project_id"),
    queue: text("queue").notNull(),
    body: text("body").notNull(),
    reason: text("reason").notNull(),
    attempts: integer("attempts").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("dead_letters_project_idx").on(t.projectId, t.createdAt)],
);

export type ImpressionRow = typeof impressions.$inferSelect;
export type EventRow = typeof events.$inferSelect;
