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
  ...timestamps,
});

export type ProjectRow = typeof projects.$inferSelect;
export type NewProjectRow = typeof projects.$inferInsert;
