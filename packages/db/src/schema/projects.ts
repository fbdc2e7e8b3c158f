import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamps } from "./columns";

export const projects = sqliteTable("projects", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** Locale used when a request sends none. */
  defaultLocale: text("default_locale").notNull().default("en-US"),
  /** How many LLM challengers a new experiment gets. */
  challengerCount: integer("challenger_count").notNull().default(3),
  /** Set while the hourly ad-channel sync is paused for this project; manual runs still work. */
  adSyncPausedAt: integer("ad_sync_paused_at"),
  /** Per-class rate-limit and quota overrides (`{ "message": "6000/minute", ... }`); null: defaults. */
  limits: text("limits", { mode: "json" }).$type<Record<string, string>>(),
  /**
   * POST /v1/metrics (the mobile SDKs' wire format) accepts keyless events by default, as the
   * shipped SDKs send none; when set, it answers 401 without a key of this project.
   */
  metricsRequireKey: integer("metrics_require_key", { mode: "boolean" }).notNull().default(false),
  /** IANA zone for campaigns scheduled at a local time in "project" mode (and recipients without one). */
  timeZone: text("time_zone").notNull().default("UTC"),
  /** `user:<id>` of the creator; null for bootstrap and seeded projects. */
  createdBy: text("created_by"),
  /** Soft delete: the project's keys and sessions stop working; data is kept. */
  deletedAt: integer("deleted_at"),
  ...timestamps,
});

export type ProjectRow = typeof projects.$inferSelect;
export type NewProjectRow = typeof projects.$inferInsert;
