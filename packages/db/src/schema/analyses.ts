import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const ANALYSIS_SOURCES = ["scheduled", "manual", "simulation"] as const;
export type AnalysisSource = (typeof ANALYSIS_SOURCES)[number];

/**
 * One analysis of an experiment: the statistics snapshot code computed, and the narrative the
 * LLM wrote about it (validated against the snapshot before it is stored).
 */
export const analyses = sqliteTable(
  "analyses",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    experimentId: text("experiment_id").notNull(),
    source: text("source", { enum: ANALYSIS_SOURCES }).notNull(),
    /** Which provider wrote the narrative: offline, gemini. */
    provider: text("provider").notNull(),
    /** Why the LLM's answer was not used (the template wrote it instead); null when it was. */
    fallbackReason: text("fallback_reason"),
    snapshot: text("snapshot", { mode: "json" }).$type<unknown>().notNull(),
    /** { summary, insights, winner_recommendation, plots, flags } as served. */
    report: text("report", { mode: "json" }).$type<unknown>().notNull(),
    /** The decision status of the snapshot, for filtering without parsing JSON. */
    decision: text("decision").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("analyses_experiment_idx").on(t.projectId, t.experimentId, t.source, t.createdAt)],
);

export const PROPOSAL_STATUSES = ["pending", "applied", "discarded", "superseded"] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** The next iteration the LLM proposed for an experiment; applied only on confirmation. */
export const experimentProposals = sqliteTable(
  "experiment_proposals",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    experimentId: text("experiment_id").notNull(),
    analysisId: text("analysis_id").notNull(),
    status: text("status", { enum: PROPOSAL_STATUSES }).notNull().default("pending"),
    provider: text("provider").notNull(),
    /** { angle, rationale, challengers[], retire[] } */
    proposal: text("proposal", { mode: "json" }).$type<unknown>().notNull(),
    createdAt: integer("created_at").notNull(),
    decidedAt: integer("decided_at"),
  },
  (t) => [index("experiment_proposals_idx").on(t.projectId, t.experimentId, t.createdAt)],
);

export type AnalysisRow = typeof analyses.$inferSelect;
export type ProposalRow = typeof experimentProposals.$inferSelect;
