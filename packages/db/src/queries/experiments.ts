import { and, asc, eq, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type ExperimentKind, type ExperimentRow, experiments, type VariantRow, variants } from "../schema";
import { inJsonList } from "./in-list";

export interface ExperimentWithVariants {
  experiment: ExperimentRow;
  variants: VariantRow[];
}

/** An experiment by its natural key, with all its variants in creation order. */
export async function findExperimentByIntent(
  db: Db,
  key: { projectId: string; intentId: string; locale: string },
): Promise<ExperimentWithVariants | null> {
  const [experiment] = await db
    .select()
    .from(experiments)
    .where(
      and(
        eq(experiments.projectId, key.projectId),
        eq(experiments.intentId, key.intentId),
        eq(experiments.locale, key.locale),
      ),
    )
    .limit(1);
  if (!experiment) return null;
  return { experiment, variants: await listVariants(db, experiment.projectId, experiment.id) };
}

/** An experiment by id within a project. */
export async function findExperiment(
  db: Db,
  projectId: string,
  experimentId: string,
): Promise<ExperimentWithVariants | null> {
  const [experiment] = await db
    .select()
    .from(experiments)
    .where(and(eq(experiments.projectId, projectId), eq(experiments.id, experimentId)))
    .limit(1);
  if (!experiment) return null;
  return { experiment, variants: await listVariants(db, projectId, experimentId) };
}

/** All experiments of an intent (one per locale). */
export async function listExperimentsForIntent(
  db: Db,
  projectId: string,
  intentId: string,
  locale?: string,
  limit = 1_000,
): Promise<ExperimentRow[]> {
  return db
    .select()
    .from(experiments)
    .where(
      and(
        eq(experiments.projectId, projectId),
        eq(experiments.intentId, intentId),
        locale === undefined ? undefined : eq(experiments.locale, locale),
      ),
    )
    .orderBy(asc(experiments.createdAt), asc(experiments.locale))
    .limit(limit);
}

/** Variants of an experiment, oldest first (the pool order round-robin rotates over). */
export function listVariants(db: Db, projectId: string, experimentId: string): Promise<VariantRow[]> {
  return db
    .select()
    .from(variants)
    .where(and(eq(variants.projectId, projectId), eq(variants.experimentId, experimentId)))
    .orderBy(asc(variants.createdAt), asc(variants.id));
}

/** Variants of several experiments. */
export function listVariantsOf(db: Db, projectId: string, experimentIds: string[]): Promise<VariantRow[]> {
  if (experimentIds.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(variants)
    .where(and(eq(variants.projectId, projectId), inJsonList(variants.experimentId, experimentIds)))
    .orderBy(asc(variants.createdAt), asc(variants.id));
}

export interface NewExperimentInput {
  experimentId: string;
  controlVariantId: string;
  projectId: string;
  intentId: string;
  /** `message` unless said otherwise. */
  kind?: ExperimentKind;
  locale: string;
  baseExample: string;
  normalizedBase: string;
  contextKeys: string[];
  /** /v1/resolve's free-text context, a hint for generation. */
  contextHint?: string | null;
  challengerCount: number;
  historyId: string;
  now: number;
}

/**
 * Creates the experiment and its control in one atomic batch. Concurrent first requests race
 * on the (project, intent, locale) key: the loser's insert is ignored and its control insert
 * selects nothing, so exactly one experiment with one control exists afterwards.
 */
export async function createExperimentWithControl(db: Db, input: NewExperimentInput): Promise<void> {
  const d1 = db.$client;
  const experimentInsert = db
    .insert(experiments)
    .values({
      id: input.experimentId,
      projectId: input.projectId,
      intentId: input.intentId,
      kind: input.kind ?? "message",
      locale: input.locale,
      baseExample: input.baseExample,
      contextKeys: input.contextKeys,
      contextHint: input.contextHint ?? null,
      challengerCount: input.challengerCount,
      generationStatus: input.challengerCount > 0 ? "pending" : "ready",
      generationRequestedAt: input.now,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .onConflictDoNothing()
    .toSQL();
  await d1.batch([
    d1.prepare(experimentInsert.sql).bind(...experimentInsert.params),
    d1
      .prepare(
        `INSERT OR IGNORE INTO variants (id, project_id, experiment_id, text, normalized, source, status, created_at, updated_at)
         SELECT ?1, project_id, id, ?2, ?3, 'control', 'active', ?4, ?4 FROM experiments WHERE id = ?5`,
      )
      .bind(input.controlVariantId, input.baseExample, input.normalizedBase, input.now, input.experimentId),
    d1
      .prepare(
        `INSERT OR IGNORE INTO experiment_history (id, project_id, experiment_id, at, actor, action, reason, detail)
         SELECT ?1, project_id, id, ?2, 'system', 'created', 'first message for this intent and locale', NULL
         FROM experiments WHERE id = ?3`,
      )
      .bind(input.historyId, input.now, input.experimentId),
  ]);
}

export interface ChallengerInsert {
  id: string;
  text: string;
  normalized: string;
}

/**
 * Adds challengers and marks generation ready in one batch. A duplicate text (a retried job
 * racing itself) is ignored by the (experiment, normalized) unique index.
 */
export async function addChallengers(
  db: Db,
  input: { projectId: string; experimentId: string; challengers: ChallengerInsert[]; now: number },
): Promise<void> {
  const inserts = input.challengers.map((c, i) =>
    db
      .insert(variants)
      .values({
        id: c.id,
        projectId: input.projectId,
        experimentId: input.experimentId,
        text: c.text,
        normalized: c.normalized,
        source: "llm",
        // Creation order is pool order: keep challengers after the control and in the
        // order the generator ranked them.
        createdAt: input.now + i,
        updatedAt: input.now + i,
      })
      .onConflictDoNothing(),
  );
  const markReady = db
    .update(experiments)
    .set({ generationStatus: "ready", generationError: null, updatedAt: input.now })
    .where(and(eq(experiments.projectId, input.projectId), eq(experiments.id, input.experimentId)));
  await db.batch([markReady, ...inserts]);
}

/** Records a generation failure: still pending (will retry) or failed for good. */
export async function markGeneration(
  db: Db,
  input: {
    projectId: string;
    experimentId: string;
    status: "pending" | "failed" | "ready";
    error: string | null;
    attempts: number;
    requestedAt?: number;
    now: number;
  },
): Promise<void> {
  await db
    .update(experiments)
    .set({
      generationStatus: input.status,
      generationError: input.error,
      generationAttempts: input.attempts,
      ...(input.requestedAt === undefined ? {} : { generationRequestedAt: input.requestedAt }),
      updatedAt: input.now,
    })
    .where(and(eq(experiments.projectId, input.projectId), eq(experiments.id, input.experimentId)));
}

/** Pending generation jobs that were requested before `olderThan` (lost or stuck jobs). */
export function findStaleGenerations(db: Db, olderThan: number, limit = 100): Promise<ExperimentRow[]> {
  return db
    .select()
    .from(experiments)
    .where(
      and(
        eq(experiments.generationStatus, "pending"),
        or(
          lt(experiments.generationRequestedAt, olderThan),
          sql`${experiments.generationRequestedAt} IS NULL`,
        ),
      ),
    )
    .limit(limit);
}

const THOMPSON_DUE = `strategy = 'thompson' AND status = 'running' AND winner_variant_id IS NULL`;

/**
 * Claims the Thompson experiments among `experimentIds` whose split was last published at
 * least `minIntervalMs` ago, marking them published now. KV takes about one write per second
 * per key, so consumers running side by side must not all republish: the UPDATE lets exactly
 * one of them win each interval.
 */
export async function claimPosteriorRefresh(
  db: Db,
  input: { projectId: string; experimentIds: string[]; now: number; minIntervalMs: number },
): Promise<string[]> {
  if (input.experimentIds.length === 0) return [];
  const { results } = await db.$client
    .prepare(
      `UPDATE experiments SET published_at = ?2
       WHERE project_id = ?1 AND id IN (SELECT value FROM json_each(?3)) AND ${THOMPSON_DUE}
         AND (published_at IS NULL OR published_at <= ?2 - ?4)
       RETURNING id`,
    )
    .bind(input.projectId, input.now, JSON.stringify(input.experimentIds), input.minIntervalMs)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/**
 * Claims Thompson experiments with data newer than their published split (what a throttled
 * consumer left behind), oldest first.
 */
export async function claimStalePosteriors(
  db: Db,
  input: { now: number; limit: number },
): Promise<{ projectId: string; id: string }[]> {
  const { results } = await db.$client
    .prepare(
      `UPDATE experiments SET published_at = ?1
       WHERE id IN (SELECT id FROM experiments WHERE ${THOMPSON_DUE} AND data_at IS NOT NULL
                    AND (published_at IS NULL OR data_at > published_at)
                    ORDER BY data_at LIMIT ?2)
       RETURNING project_id AS projectId, id`,
    )
    .bind(input.now, input.limit)
    .all<{ projectId: string; id: string }>();
  return results;
}
