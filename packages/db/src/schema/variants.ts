import { sql } from "drizzle-orm";
import { index, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamps } from "./columns";
import { experiments } from "./experiments";

/**
 * `holdout` is the experiment's holdout group: it serves the base example like the control but
 * is counted apart, so uplift is measured against traffic no arm could influence.
 */
export const VARIANT_SOURCES = ["control", "llm", "manual", "holdout"] as const;
export const VARIANT_STATUSES = ["active", "retired", "winner"] as const;
export type VariantSource = (typeof VARIANT_SOURCES)[number];

export const variants = sqliteTable(
  "variants",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    experimentId: text("experiment_id")
      .notNull()
      .references(() => experiments.id),
    text: text("text").notNull(),
    /** Case- and whitespace-folded text: two variants of one experiment never read the same. */
    normalized: text("normalized").notNull(),
    source: text("source", { enum: VARIANT_SOURCES }).notNull(),
    status: text("status", { enum: VARIANT_STATUSES }).notNull().default("active"),
    ...timestamps,
  },
  (t) => [
    // The holdout repeats the control's text on purpose.
    uniqueIndex("variants_text_uq").on(t.experimentId, t.normalized).where(sql`source != 'holdout'`),
    index("variants_project_idx").on(t.projectId, t.experimentId),
  ],
);

export type VariantRow = typeof variants.$inferSelect;
export type NewVariantRow = typeof variants.$inferInsert;
