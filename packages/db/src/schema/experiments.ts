import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamps } from "./columns";
import { projects } from "./projects";

export const STRATEGIES = ["round_robin"] as const;
export const EXPERIMENT_STATUSES = ["running", "paused"] as const;
export const GENERATION_STATUSES = ["pending", "ready", "failed"] as const;
export type GenerationStatus = (typeof GENERATION_STATUSES)[number];

export const experiments = sqliteTable(
  "experiments",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id),
    intentId: text("intent_id").notNull(),
    locale: text("locale").notNull(),
    baseExample: text("base_example").notNull(),
    strategy: text("strategy", { enum: STRATEGIES }).notNull().default("round_robin"),
    status: text("status", { enum: EXPERIMENT_STATUSES }).notNull().default("running"),
    /** Context keys seen when the experiment was created: what challengers may personalise with. */
    contextKeys: text("context_keys", { mode: "json" }).$type<string[]>().notNull().default([]),
    challengerCount: integer("challenger_count").notNull().default(3),
    generationStatus: text("generation_status", { enum: GENERATION_STATUSES }).notNull().default("pending"),
    generationError: text("generation_error"),
    generationAttempts: integer("generation_attempts").notNull().default(0),
    /** When the current generation job was (re)queued; the sweep retries jobs that went quiet. */
    generationRequestedAt: integer("generation_requested_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("experiments_intent_uq").on(t.projectId, t.intentId, t.locale),
    index("experiments_generation_idx").on(t.generationStatus, t.generationRequestedAt),
  ],
);

export type ExperimentRow = typeof experiments.$inferSelect;
export type NewExperimentRow = typeof experiments.$inferInsert;
