import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../client";
import {
  type AllocationRow,
  allocations,
  type ImplementationRunRow,
  implementationRuns,
  type NewWebExperimentRow,
  type WebExperimentRow,
  type WebExperimentStatus,
  webExperiments,
} from "../schema";
import { olderThan, type PageAnchor } from "./keyset";

/** Inserts a web experiment; null when the project already has one with this key. */
export async function insertWebExperiment(
  db: Db,
  row: NewWebExperimentRow,
): Promise<WebExperimentRow | null> {
  const [out] = await db.insert(webExperiments).values(row).onConflictDoNothing().returning();
  return out ?? null;
}

export async function findWebExperiment(
  db: Db,
  projectId: string,
  key: string,
): Promise<WebExperimentRow | null> {
  const [row] = await db
    .select()
    .from(webExperiments)
    .where(and(eq(webExperiments.projectId, projectId), eq(webExperiments.key, key)))
    .limit(1);
  return row ?? null;
}

/** The web experiment riding on an engine experiment, if it is one. */
export async function findWebExperimentById(
  db: Db,
  projectId: string,
  experimentId: string,
): Promise<WebExperimentRow | null> {
  const [row] = await db
    .select()
    .from(webExperiments)
    .where(and(eq(webExperiments.projectId, projectId), eq(webExperiments.experimentId, experimentId)))
    .limit(1);
  return row ?? null;
}

/** A page of a project's web experiments, newest first, optionally of some statuses. */
export function listWebExperimentsPage(
  db: Db,
  projectId: string,
  opts: { limit: number; statuses?: WebExperimentStatus[]; after?: PageAnchor },
): Promise<WebExperimentRow[]> {
  return db
    .select()
    .from(webExperiments)
    .where(
      and(
        eq(webExperiments.projectId, projectId),
        opts.statuses && opts.statuses.length > 0 ? inArray(webExperiments.status, opts.statuses) : undefined,
        olderThan(webExperiments.createdAt, webExperiments.experimentId, opts.after),
      ),
    )
    .orderBy(desc(webExperiments.createdAt), desc(webExperiments.experimentId))
    .limit(opts.limit);
}

/** The project's active web experiments, oldest first: what the runtime config lists. */
export function activeWebExperiments(db: Db, projectId: string): Promise<WebExperimentRow[]> {
  return db
    .select()
    .from(webExperiments)
    .where(and(eq(webExperiments.projectId, projectId), eq(webExperiments.status, "active")))
    .orderBy(asc(webExperiments.createdAt), asc(webExperiments.key))
    .limit(500);
}

export type WebExperimentChange = Partial<
  Pick<
    WebExperimentRow,
    | "hypothesis"
    | "targetType"
    | "target"
    | "segments"
    | "primaryMetric"
    | "secondaryMetrics"
    | "previewUrl"
    | "status"
    | "statusReason"
    | "repository"
    | "baseBranch"
    | "branch"
    | "pullNumber"
    | "pullUrl"
    | "activatedAt"
    | "finishedAt"
  >
>;

/**
 * Applies a change only while the experiment is in one of `from` (compare-and-set: two racing
 * transitions cannot both win). Returns the updated row, or null when the guard failed.
 */
export async function updateWebExperimentRow(
  db: Db,
  input: {
    projectId: string;
    experimentId: string;
    from: readonly WebExperimentStatus[];
    set: WebExperimentChange;
    now: number;
  },
): Promise<WebExperimentRow | null> {
  const [row] = await db
    .update(webExperiments)
    .set({ ...input.set, updatedAt: input.now })
    .where(
      and(
        eq(webExperiments.projectId, input.projectId),
        eq(webExperiments.experimentId, input.experimentId),
        inArray(webExperiments.status, [...input.from]),
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * Deletes a web experiment that never served (draft or failed) with its engine experiment,
 * variants, allocations and history, so its key can be used again. Guarded on the status in
 * the same batch: an experiment activated meanwhile keeps everything.
 */
export async function deleteUnservedWebExperiment(
  db: Db,
  input: { projectId: string; experimentId: string; from: readonly WebExperimentStatus[] },
): Promise<boolean> {
  const d1 = db.$client;
  const statuses = JSON.stringify([...input.from]);
  const guard = `EXISTS (SELECT 1 FROM web_experiments WHERE project_id = ?1 AND experiment_id = ?2
    AND status IN (SELECT value FROM json_each(?3)))`;
  const del = (table: string) =>
    d1
      .prepare(`DELETE FROM ${table} WHERE project_id = ?1 AND experiment_id = ?2 AND ${guard}`)
      .bind(input.projectId, input.experimentId, statuses);
  const results = await d1.batch([
    del("variants"),
    del("allocations"),
    del("experiment_history"),
    d1
      .prepare(`DELETE FROM experiments WHERE project_id = ?1 AND id = ?2 AND ${guard}`)
      .bind(input.projectId, input.experimentId, statuses),
    d1
      .prepare(
        `DELETE FROM web_experiments WHERE project_id = ?1 AND experiment_id = ?2
         AND status IN (SELECT value FROM json_each(?3))`,
      )
      .bind(input.projectId, input.experimentId, statuses),
  ]);
  return (results.at(-1)?.meta.changes ?? 0) > 0;
}

/** The newest implementation run of a web experiment (read-only; the agent's job writes runs). */
export async function latestImplementationRun(
  db: Db,
  projectId: string,
  experimentId: string,
): Promise<ImplementationRunRow | null> {
  const [row] = await db
    .select()
    .from(implementationRuns)
    .where(
      and(eq(implementationRuns.projectId, projectId), eq(implementationRuns.experimentId, experimentId)),
    )
    .orderBy(desc(implementationRuns.createdAt), desc(implementationRuns.id))
    .limit(1);
  return row ?? null;
}

export interface MetricCount {
  variantId: string;
  /** The events row type (`conversion`, `m:<name>`). */
  type: string;
  /** Distinct exposures with the event: (impression, type) is an event's identity. */
  count: number;
}

/** Per variant and event type, how many distinct exposures recorded each of `types`. */
export async function metricCounts(
  db: Db,
  input: { projectId: string; experimentId: string; variantIds: string[]; types: string[] },
): Promise<MetricCount[]> {
  if (input.types.length === 0 || input.variantIds.length === 0) return [];
  const res = await db.$client
    .prepare(
      `SELECT variant_id AS variantId, type, count(*) AS n FROM events
       WHERE project_id = ?1 AND variant_id IN (SELECT value FROM json_each(?2)) AND experiment_id = ?3
         AND type IN (SELECT value FROM json_each(?4)) AND impression_id NOT LIKE 'sim\\_%' ESCAPE '\\'
       GROUP BY variant_id, type`,
    )
    .bind(input.projectId, JSON.stringify(input.variantIds), input.experimentId, JSON.stringify(input.types))
    .all<{ variantId: string; type: string; n: number }>();
  return res.results.map((r) => ({ variantId: r.variantId, type: r.type, count: Number(r.n) }));
}

export interface WebEventRow {
  kind: "exposure" | "metric";
  at: number;
  /** The keyset tiebreak: the impression id, or `<impression id>:<type>` for an event. */
  sortId: string;
  impressionId: string;
  variantId: string;
  /** The events row type for a metric event; null for an exposure. */
  type: string | null;
  userId: string | null;
  properties: Record<string, string> | null;
}

/**
 * Exposures (impressions) and metric events of an engine experiment, oldest first, keyed on
 * (at, sort id) so pages never skip or repeat a row. Simulated traffic is left out.
 */
export async function webEventsPage(
  db: Db,
  input: {
    projectId: string;
    experimentId: string;
    variantIds: string[];
    limit: number;
    after?: { at: number; sortId: string };
  },
): Promise<WebEventRow[]> {
  if (input.variantIds.length === 0) return [];
  const res = await db.$client
    .prepare(
      `SELECT kind, at, sort_id, impression_id, variant_id, type, user_id, properties FROM (
         SELECT 'exposure' AS kind, i.created_at AS at, i.id AS sort_id, i.id AS impression_id,
                i.variant_id, NULL AS type, i.user_id, NULL AS properties
         FROM impressions i
         WHERE i.project_id = ?1 AND i.variant_id IN (SELECT value FROM json_each(?2)) AND i.experiment_id = ?3
           AND i.id NOT LIKE 'sim\\_%' ESCAPE '\\'
         UNION ALL
         SELECT 'metric', e.occurred_at, e.impression_id || ':' || e.type, e.impression_id,
                e.variant_id, e.type, i.user_id, e.properties
         FROM events e LEFT JOIN impressions i ON i.id = e.impression_id
         WHERE e.project_id = ?1 AND e.variant_id IN (SELECT value FROM json_each(?2)) AND e.experiment_id = ?3
           AND e.impression_id NOT LIKE 'sim\\_%' ESCAPE '\\'
       )
       WHERE ?4 IS NULL OR at > ?4 OR (at = ?4 AND sort_id > ?5)
       ORDER BY at, sort_id
       LIMIT ?6`,
    )
    .bind(
      input.projectId,
      JSON.stringify(input.variantIds),
      input.experimentId,
      input.after?.at ?? null,
      input.after?.sortId ?? "",
      input.limit,
    )
    .all<{
      kind: "exposure" | "metric";
      at: number;
      sort_id: string;
      impression_id: string;
      variant_id: string;
      type: string | null;
      user_id: string | null;
      properties: string | null;
    }>();
  return res.results.map((r) => ({
    kind: r.kind,
    at: Number(r.at),
    sortId: r.sort_id,
    impressionId: r.impression_id,
    variantId: r.variant_id,
    type: r.type,
    userId: r.user_id,
    properties: r.properties ? (JSON.parse(r.properties) as Record<string, string>) : null,
  }));
}

export interface WebVariantText {
  id: string;
  text: string;
  normalized: string;
}

/**
 * Sets a web experiment's engine variants to its segments: the control takes segment 0's text,
 * every other variant is replaced (only ever before anything was served, so no traffic refers
 * to them), and the engine settings a web test needs are pinned: sticky assignment, conversion
 * as the goal, no generated challengers, winners never promoted by the loop.
 */
export async function replaceWebVariants(
  db: Db,
  input: {
    projectId: string;
    experimentId: string;
    control: WebVariantText;
    others: WebVariantText[];
    now: number;
  },
): Promise<void> {
  const d1 = db.$client;
  await d1.batch([
    d1
      .prepare(
        `UPDATE experiments SET strategy = 'sticky', goal_metric = 'conversion', on_winner = 'keep_testing',
           challenger_count = 0, generation_status = 'ready', base_example = ?3, updated_at = ?4
         WHERE project_id = ?1 AND id = ?2`,
      )
      .bind(input.projectId, input.experimentId, input.control.text, input.now),
    d1
      .prepare(`DELETE FROM variants WHERE project_id = ?1 AND experiment_id = ?2 AND source <> 'control'`)
      .bind(input.projectId, input.experimentId),
    d1
      .prepare(
        `UPDATE variants SET text = ?4, normalized = ?5, status = 'active', updated_at = ?6
         WHERE project_id = ?1 AND experiment_id = ?2 AND id = ?3 AND source = 'control'`,
      )
      .bind(
        input.projectId,
        input.experimentId,
        input.control.id,
        input.control.text,
        input.control.normalized,
        input.now,
      ),
    ...input.others.map((v) =>
      d1
        .prepare(
          `INSERT INTO variants (id, project_id, experiment_id, text, normalized, source, status, created_at, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, 'manual', 'active', ?6, ?6)`,
        )
        .bind(v.id, input.projectId, input.experimentId, v.text, v.normalized, input.now),
    ),
  ]);
}

/** An experiment's newest allocation periods, newest first. */
export function recentAllocations(
  db: Db,
  projectId: string,
  experimentId: string,
  limit = 20,
): Promise<AllocationRow[]> {
  return db
    .select()
    .from(allocations)
    .where(and(eq(allocations.projectId, projectId), eq(allocations.experimentId, experimentId)))
    .orderBy(desc(allocations.version))
    .limit(limit);
}
