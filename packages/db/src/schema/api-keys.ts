import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { projects } from "./projects";

/** Project API keys, stored as SHA-256 digests; only the prefix is kept readable. */
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
    /** Comma-separated: message, read, admin. Keys from before scopes existed keep all three. */
    scopes: text("scopes").notNull().default("message,read,admin"),
    /** live | test | dev: from the key's prefix (pb_live_, pb_test_, pb_dev_). */
    mode: text("mode").notNull().default("live"),
    createdAt: integer("created_at").notNull(),
    /** `user:<id>` or `api_key:<prefix>…` */
    createdBy: text("created_by"),
    /** After this instant the key is refused (set by expiry, or by a roll's grace period). */
    expiresAt: integer("expires_at"),
    /** Recorded off the hot path, at most once a minute per key and isolate. */
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    /** The key a roll replaced this one with. */
    rolledTo: text("rolled_to"),
    /**
     * Set on keys POST /v1/auth/login minted for a person (the upstream SDKs' `{ api_key }`):
     * they are capped per person and project, and end with the person's membership or password.
     */
    loginUserId: text("login_user_id"),
  },
  (t) => [
    index("api_keys_project_idx").on(t.projectId),
    index("api_keys_login_user_idx").on(t.loginUserId, t.projectId),
  ],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
