import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { timestamps } from "./columns";

export const projects = sqliteTable("projects", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** Locale used when a request sends none. */
  defaultLocale: text("default_locale").notNull().default("en-US"),
  /** How many LLM challengers a new experiment gets. */
  challengerCount: integer("challenger_count").notNull().default(3),
  ...timestamps,
});

export type ProjectRow = typeof projects.$inferSelect;
export type NewProjectRow = typeof projects.$inferInsert;
