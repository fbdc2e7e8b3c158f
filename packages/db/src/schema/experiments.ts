import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamps } from "./columns";
import { projects } from "./projects";

export const STRATEGIES = ["round_robin", "sticky", "thompson"] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const EXPERIMENT_STATUSES = ["running", "paused"] as const;
/** `message`: /v1/message copy; `email`: a campaign's subject lines; `web`: code segments (web_experiments). */
export const EXPERIMENT_KINDS = ["message", "email", "web"] as const;
export type ExperimentKind = (typeof EXPERIMENT_KINDS)[number];
export const GENERATION_STATUSES = ["pending", "ready", "failed"] as const;
export type GenerationStatus = (typeof GENERATION_STATUSES)[number];
export const GOAL_METRICS = ["opened", "conversion"] as const;
export type GoalMetric = (typeof GOAL_METRICS)[number];
/** What the optimization loop does once a winner is declared. */
export const ON_WINNER = ["keep_testing", "promote"] as const;
export type OnWinner = (typeof ON_WINNER)[number];

export interface LoopVerdict {
  status: "collecting" | "underpowered" | "srm_alarm" | "winner" | "no_difference";
  variantId: string | null;
  reason: string;
  /** Arms under the retirement threshold at this run: retired if still under at the next. */
  lowArms: string[];
  at: number;
}

export const experiments = sqliteTable(
  "experiments",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id),
    intentId: text("intent_id").notNull(),
    kind: text("kind", { enum: EXPERIMENT_KINDS }).notNull().default("message"),
    locale: text("locale").notNull(),
    baseExample: text("base_example").notNull(),
    strategy: text("strategy", { enum: STRATEGIES }).notNull().default("round_robin"),
    status: text("status", { enum: EXPERIMENT_STATUSES }).notNull().default("running"),
    /** Context keys seen when the experiment was created: what challengers may personalize with. */
    contextKeys: text("context_keys", { mode: "json" }).$type<string[]>().notNull().default([]),
    /**
     * The free-text context of the request that created it (/v1/resolve's `context`), handed to
     * generation as a hint about the notification, never as an instruction.
     */
    contextHint: text("context_hint"),
    challengerCount: integer("challenger_count").notNull().default(3),
    generationStatus: text("generation_status", { enum: GENERATION_STATUSES }).notNull().default("pending"),
    generationError: text("generation_error"),
    generationAttempts: integer("generation_attempts").notNull().default(0),
    /** When the current generation job was (re)queued; the sweep retries jobs that went quiet. */
    generationRequestedAt: integer("generation_requested_at"),
    goalMetric: text("goal_metric", { enum: GOAL_METRICS }).notNull().default("opened"),
    /** Share of traffic (0..0.5) that always gets the base example, reported apart from the arms. */
    holdoutShare: real("holdout_share").notNull().default(0),
    /** Impressions each arm needs before it leaves burn-in and before any winner is declared. */
    minSample: integer("min_sample").notNull().default(100),
    /** Thompson: the least share of traffic any arm keeps, so a slow start is never final. */
    trafficFloor: real("traffic_floor").notNull().default(0.01),
    /** The loop retires an arm whose P(best) stays below this after the minimum sample. */
    retireBelow: real("retire_below").notNull().default(0.01),
    onWinner: text("on_winner", { enum: ON_WINNER }).notNull().default("keep_testing"),
    /** Set when a winner is promoted (by the loop or by hand): everyone but the holdout gets it. */
    winnerVariantId: text("winner_variant_id"),
    /** Last time the consumer recorded impressions or events for this experiment. */
    dataAt: integer("data_at"),
    /** Last time the selection plan (weights) was published to KV. */
    publishedAt: integer("published_at"),
    /** Last time the optimization loop looked at this experiment. */
    analyzedAt: integer("analyzed_at"),
    /** Last time a narrative analysis (scheduled or on demand) was stored for real traffic. */
    reportedAt: integer("reported_at"),
    /** The loop's last verdict, and the arms that were below the retirement threshold then. */
    decision: text("decision", { mode: "json" }).$type<LoopVerdict>(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("experiments_intent_uq").on(t.projectId, t.intentId, t.locale),
    index("experiments_generation_idx").on(t.generationStatus, t.generationRequestedAt),
    index("experiments_project_idx").on(t.projectId, t.createdAt),
  ],
);

export type ExperimentRow = typeof experiments.$inferSelect;
export type NewExperimentRow = typeof experiments.$inferInsert;

/**
 * The split in force from `startedAt` until the next version: arm (and holdout) variant ids
 * with their traffic shares. Impressions carry the version they were served under, so the
 * sample-ratio test compares each period's counts with that period's weights.
 */
export const allocations = sqliteTable(
  "allocations",
  {
    projectId: text("project_id").notNull(),
    experimentId: text("experiment_id").notNull(),
    version: integer("version").notNull(),
    strategy: text("strategy", { enum: STRATEGIES }).notNull(),
    weights: text("weights", { mode: "json" }).$type<Record<string, number>>().notNull(),
    startedAt: integer("started_at").notNull(),
  },
  (t) => [uniqueIndex("allocations_version_uq").on(t.experimentId, t.version)],
);

export type AllocationRow = typeof allocations.$inferSelect;

export const HISTORY_ACTIONS = [
  "created",
  "settings_changed",
  "paused",
  "resumed",
  "variant_added",
  "variant_retired",
  "winner_declared",
  "decision_changed",
  "winner_promoted",
  "winner_cleared",
  "challengers_requested",
  "iteration_applied",
] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

/** Every change to an experiment: who (an API key or the loop), what, when and why. */
export const experimentHistory = sqliteTable(
  "experiment_history",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    experimentId: text("experiment_id").notNull(),
    at: integer("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action", { enum: HISTORY_ACTIONS }).notNull(),
    reason: text("reason"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [index("experiment_history_idx").on(t.projectId, t.experimentId, t.at)],
);

export type HistoryRow = typeof experimentHistory.$inferSelect;
