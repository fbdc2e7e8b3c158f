import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { projects } from "./projects";

/** API keys are stored as a SHA-256 digest plus a display prefix, never the key itself. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    digest: text("digest").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_project_idx").on(t.projectId)],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
