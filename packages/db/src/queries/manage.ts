import { and, asc, desc, eq, gt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  type ExperimentRow,
  experiments,
  type NewVariantRow,
  type Strategy,
  variantDailyStats,
  variants,
} from "../schema";
import { type HistoryEntry, historyInsert } from "./history";
import { inJsonList } from "./in-list";
import { olderThan } from "./keyset";

export interface ExperimentPageQuery {
  status?: "running" | "paused";
  strategy?: Strategy;
  intentId?: string;
  limit: number;
  /** Exclusive start: the last (createdAt, id) of the previous page. */
  after?: { createdAt: number; id: string };
}

/** A page of a project's experiments, newest first. */
export function listExperimentsPage(
  db: Db,
  projectId: string,
  q: ExperimentPageQuery,
): Promise<ExperimentRow[]> {
  return db
    .select()
    .from(experiments)
    .where(
      and(
        eq(experiments.projectId, projectId),
        q.status ? eq(experiments.status, q.status) : undefined,
        q.strategy ? eq(experiments.strategy, q.strategy) : undefined,
        q.intentId ? eq(experiments.intentId, q.intentId) : undefined,
        olderThan(experiments.createdAt, experiments.id, q.after),
      ),
    )
    .orderBy(desc(experiments.createdAt), desc(experiments.id))
    .limit(q.limit);
}

/** The decision statuses a person should act on: a winner ready, or a sample-ratio mismatch. */
const ATTENTION_DECISIONS = ["winner", "srm_alarm"] as const;

/**
 * The experiments that need a person, newest first: failed challenger generation, or a stored
 * loop verdict of winner or SRM alarm; plus how many experiments there are and how many run. Two
 * reads in one batch, filtered in SQL, where paging every row to filter in code cost the home
 * page ~40 ms on 1,000 experiments.
 */
export async function experimentsNeedingAttention(
  db: Db,
  projectId: string,
  limit: number,
): Promise<{ rows: ExperimentRow[]; total: number; running: number }> {
  const decisionStatus = sql`json_extract(${experiments.decision}, '$.status')`;
  const [rows, counts] = await db.batch([
    db
      .select()
      .from(experiments)
      .where(
        and(
          eq(experiments.projectId, projectId),
          or(
            eq(experiments.generationStatus, "failed"),
            sql`${decisionStatus} IN (${sql.join(
              ATTENTION_DECISIONS.map((d) => sql`${d}`),
              sql`, `,
            )})`,
          ),
        ),
      )
      .orderBy(desc(experiments.createdAt), desc(experiments.id))
      .limit(limit),
    db
      .select({
        total: sql<number>`count(*)`.mapWith(Number),
        running: sql<number>`coalesce(sum(${experiments.status} = 'running'), 0)`.mapWith(Number),
      })
      .from(experiments)
      .where(eq(experiments.projectId, projectId)),
  ]);
  return { rows, total: counts[0]?.total ?? 0, running: counts[0]?.running ?? 0 };
}

export interface ExperimentTotals {
  experimentId: string;
  impressions: number;
  opens: number;
  conversions: number;
}

/** All-time totals per experiment, from the daily aggregates. */
export function experimentTotals(
  db: Db,
  projectId: string,
  experimentIds: string[],
): Promise<ExperimentTotals[]> {
  if (experimentIds.length === 0) return Promise.resolve([]);
  return db
    .select({
      experimentId: variantDailyStats.experimentId,
      impressions: sql<number>`coalesce(sum(${variantDailyStats.impressions}), 0)`.mapWith(Number),
      opens: sql<number>`coalesce(sum(${variantDailyStats.opens}), 0)`.mapWith(Number),
      conversions: sql<number>`coalesce(sum(${variantDailyStats.conversions}), 0)`.mapWith(Number),
    })
    .from(variantDailyStats)
    .where(
      and(
        eq(variantDailyStats.projectId, projectId),
        inJsonList(variantDailyStats.experimentId, experimentIds),
      ),
    )
    .groupBy(variantDailyStats.experimentId);
}

/** Variant counts per experiment (active arms, all), for list views. */
export function variantCounts(
  db: Db,
  projectId: string,
  experimentIds: string[],
): Promise<{ experimentId: string; total: number; active: number }[]> {
  if (experimentIds.length === 0) return Promise.resolve([]);
  return db
    .select({
      experimentId: variants.experimentId,
      total: sql<number>`count(*)`.mapWith(Number),
      active: sql<number>`sum(${variants.status} != 'retired')`.mapWith(Number),
    })
    .from(variants)
    .where(
      and(
        eq(variants.projectId, projectId),
        inJsonList(variants.experimentId, experimentIds),
        sql`${variants.source} != 'holdout'`,
      ),
    )
    .groupBy(variants.experimentId)
    .orderBy(asc(variants.experimentId));
}

export interface ExperimentChange {
  projectId: string;
  experimentId: string;
  /** Columns to set on the experiment (updatedAt is always set). */
  set?: Partial<Omit<ExperimentRow, "id" | "projectId" | "createdAt">>;
  variantStatus?: { id: string; status: "active" | "retired" | "winner" }[];
  newVariants?: NewVariantRow[];
  history: HistoryEntry[];
  now: number;
}

/** Applies a change and its history entries in one atomic batch: both land or neither does. */
export async function applyExperimentChange(db: Db, change: ExperimentChange): Promise<void> {
  const updateExperiment = db
    .update(experiments)
    .set({ ...change.set, updatedAt: change.now })
    .where(and(eq(experiments.projectId, change.projectId), eq(experiments.id, change.experimentId)));
  await db.batch([
    updateExperiment,
    ...(change.variantStatus ?? []).map((v) =>
      db
        .update(variants)
        .set({ status: v.status, updatedAt: change.now })
        .where(
          and(
            eq(variants.projectId, change.projectId),
            eq(variants.experimentId, change.experimentId),
            eq(variants.id, v.id),
          ),
        ),
    ),
    ...(change.newVariants ?? []).map((v) => db.insert(variants).values(v).onConflictDoNothing()),
    ...change.history.map((h) => historyInsert(db, h)),
  ]);
}

/** Experiments the optimization loop should look at: running, with data it has not seen. */
export function experimentsWithNewData(db: Db, limit: number): Promise<ExperimentRow[]> {
  return db
    .select()
    .from(experiments)
    .where(
      and(
        eq(experiments.status, "running"),
        sql`${experiments.dataAt} IS NOT NULL`,
        or(sql`${experiments.analyzedAt} IS NULL`, gt(experiments.dataAt, experiments.analyzedAt)),
      ),
    )
    .orderBy(asc(experiments.dataAt))
    .limit(limit);
}
