import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { timestamps } from "./columns";

/**
 * draft → implementing → pr_open → active → finished, or failed with a reason. `implementing`
 * and `pr_open` only happen with the agent; a manual implementation goes draft → active.
 */
export const WEB_EXPERIMENT_STATUSES = [
  "draft",
  "implementing",
  "pr_open",
  "active",
  "finished",
  "failed",
] as const;
export type WebExperimentStatus = (typeof WEB_EXPERIMENT_STATUSES)[number];
export const WEB_TARGET_TYPES = ["page", "component"] as const;
export type WebTargetType = (typeof WEB_TARGET_TYPES)[number];

export interface WebSegment {
  key: string;
  name: string;
  trafficPercent: number;
  description: string;
  /** The engine variant the segment's exposures and events are counted under. */
  variantId: string;
}

/**
 * A web experiment: code variants (segments) of a page or component, assigned in the browser by
 * the SDK with a sticky hash weighted by traffic. It rides on an engine experiment (`experiments`
 * row of kind `web`, intent `web:<key>`), one engine variant per segment, so exposures and metric
 * events use the same pipeline, statistics, SRM check, analysis, simulation and iteration.
 */
export const webExperiments = sqliteTable(
  "web_experiments",
  {
    /** The engine experiment's id. */
    experimentId: text("experiment_id").primaryKey(),
    projectId: text("project_id").notNull(),
    key: text("key").notNull(),
    hypothesis: text("hypothesis").notNull(),
    targetType: text("target_type", { enum: WEB_TARGET_TYPES }).notNull(),
    /** A route path (`/pricing`) for a page, a component name (`CheckoutButton`) for a component. */
    target: text("target").notNull(),
    segments: text("segments", { mode: "json" }).$type<WebSegment[]>().notNull(),
    primaryMetric: text("primary_metric").notNull(),
    secondaryMetrics: text("secondary_metrics", { mode: "json" }).$type<string[]>().notNull().default([]),
    previewUrl: text("preview_url"),
    status: text("status", { enum: WEB_EXPERIMENT_STATUSES }).notNull().default("draft"),
    /** Why it failed, or what the last transition was about. */
    statusReason: text("status_reason"),
    /** `owner/name` on the project's GitHub installation; chosen per experiment. */
    repository: text("repository"),
    /** The branch the PR targets; the repository's default branch when null. */
    baseBranch: text("base_branch"),
    branch: text("branch"),
    pullNumber: integer("pull_number"),
    pullUrl: text("pull_url"),
    activatedAt: integer("activated_at"),
    finishedAt: integer("finished_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("web_experiments_key_uq").on(t.projectId, t.key),
    index("web_experiments_status_idx").on(t.projectId, t.status),
    index("web_experiments_pull_idx").on(t.repository, t.pullNumber),
  ],
);

export type WebExperimentRow = typeof webExperiments.$inferSelect;
export type NewWebExperimentRow = typeof webExperiments.$inferInsert;

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const RUN_PHASES = ["queued", "plan", "read", "write", "commit", "done"] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface RunLogEntry {
  at: number;
  phase: RunPhase;
  message: string;
}

export interface RunUsage {
  toolCalls: number;
  filesRead: number;
  bytesWritten: number;
  tokens: number;
  wallMs: number;
}

/** One agent run for a web experiment: phase, a readable log, the diff, branch and PR. */
export const implementationRuns = sqliteTable(
  "implementation_runs",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    experimentId: text("experiment_id").notNull(),
    status: text("status", { enum: RUN_STATUSES }).notNull().default("queued"),
    phase: text("phase", { enum: RUN_PHASES }).notNull().default("queued"),
    log: text("log", { mode: "json" }).$type<RunLogEntry[]>().notNull().default([]),
    /** Unified diff of every file the run wrote, stored before the commit. */
    diff: text("diff"),
    files: text("files", { mode: "json" }).$type<string[]>(),
    branch: text("branch"),
    pullNumber: integer("pull_number"),
    pullUrl: text("pull_url"),
    usage: text("usage", { mode: "json" }).$type<RunUsage>(),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    /** Touched by the job while it works; the sweep fails runs whose heartbeat went quiet. */
    heartbeatAt: integer("heartbeat_at"),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    requestedBy: text("requested_by").notNull(),
    ...timestamps,
  },
  (t) => [
    index("implementation_runs_experiment_idx").on(t.projectId, t.experimentId, t.createdAt),
    index("implementation_runs_status_idx").on(t.status, t.heartbeatAt),
  ],
);

export type ImplementationRunRow = typeof implementationRuns.$inferSelect;

export const GITHUB_INSTALLATION_STATES = ["active", "suspended", "removed"] as const;
export type GithubInstallationState = (typeof GITHUB_INSTALLATION_STATES)[number];

/**
 * The project's installation of the deployment's GitHub App. Only the installation id is kept:
 * installation tokens are minted per job from the App's key and never stored.
 */
export const githubInstallations = sqliteTable(
  "github_installations",
  {
    projectId: text("project_id").primaryKey(),
    installationId: integer("installation_id").notNull(),
    accountLogin: text("account_login").notNull(),
    accountType: text("account_type").notNull(),
    repositorySelection: text("repository_selection"),
    state: text("state", { enum: GITHUB_INSTALLATION_STATES }).notNull().default("active"),
    connectedBy: text("connected_by").notNull(),
    ...timestamps,
  },
  (t) => [index("github_installations_installation_idx").on(t.installationId)],
);

export type GithubInstallationRow = typeof githubInstallations.$inferSelect;
