import { and, eq, gte, inArray, lte, sql } from "drizzle-orm";
import { chunk, type Db, JSON_ROWS_PER_STATEMENT } from "../client";
import { deadLetters, type EventType, events, impressions, variantDailyStats } from "../schema";

export interface ImpressionInsert {
  id: string;
  projectId: string;
  experimentId: string;
  variantId: string;
  userId: string | null;
  day: string;
  createdAt: number;
  /** Allocation version the edge served it under, if the split decided it. */
  allocation: number | null;
}

export interface EventInsert {
  projectId: string;
  experimentId: string;
  variantId: string;
  impressionId: string;
  type: EventType;
  occurredAt: number;
  impressionAt: number;
  day: string;
  properties: Record<string, string> | null;
  receivedAt: number;
}

// Each statement takes its rows as one JSON array of arrays (not objects): no key names to
// serialise and parse, and `value ->> n` reads a column without a JSON path. D1 allows only
// 100 bound parameters per statement, so rows cannot be bound one value at a time.
function jsonRowsInsert(db: Db, sqlText: string, rows: unknown[][]) {
  const d1 = db.$client;
  return chunk(rows, JSON_ROWS_PER_STATEMENT).map((part) => d1.prepare(sqlText).bind(JSON.stringify(part)));
}

// An impression message that arrives after one of its events finds the row that event
// implied and only fills in the user id: the update path fires no INSERT trigger, so nothing
// is counted twice. (`WHERE true` keeps SQLite from reading ON CONFLICT as a join clause.)
const INSERT_IMPRESSIONS = `INSERT INTO impressions (id, project_id, experiment_id, variant_id, user_id, day, created_at, allocation)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7
  FROM json_each(?1) WHERE true
  ON CONFLICT (id) DO UPDATE SET user_id = coalesce(impressions.user_id, excluded.user_id),
    allocation = coalesce(impressions.allocation, excluded.allocation)`;

// Tells the optimisation loop and the Thompson refresh which experiments have new data.
const MARK_DATA = `UPDATE experiments SET data_at = ?2 WHERE project_id = ?1 AND id IN (SELECT value FROM json_each(?3))`;

const INSERT_EVENTS = `INSERT OR IGNORE INTO events (project_id, experiment_id, variant_id, impression_id, type, occurred_at,
                                 impression_at, day, properties, received_at)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
         value ->> 8, value ->> 9 FROM json_each(?1)`;

/**
 * Writes impressions and events in one atomic batch, idempotently: an impression id or an
 * (impression, type) pair is stored once, however often it is delivered. The aggregates are
 * kept by triggers that fire only for rows really inserted (migration 0001, ADR 0006), and an
 * event whose impression row is missing creates it (ADR 0002). Impressions go first, so a real
 * impression's user id wins over an implied row's null.
 */
export async function recordTracking(
  db: Db,
  input: { impressions: ImpressionInsert[]; events: EventInsert[]; now: number },
): Promise<TouchedExperiments[]> {
  const statements = [
    ...jsonRowsInsert(
      db,
      INSERT_IMPRESSIONS,
      input.impressions.map((r) => [
        r.id,
        r.projectId,
        r.experimentId,
        r.variantId,
        r.userId,
        r.day,
        r.createdAt,
        r.allocation,
      ]),
    ),
    ...jsonRowsInsert(
      db,
      INSERT_EVENTS,
      input.events.map((r) => [
        r.projectId,
        r.experimentId,
        r.variantId,
        r.impressionId,
        r.type,
        r.occurredAt,
        r.impressionAt,
        r.day,
        r.properties,
        r.receivedAt,
      ]),
    ),
  ];
  if (statements.length === 0) return [];
  const touched = new Map<string, Set<string>>();
  for (const r of [...input.impressions, ...input.events]) {
    const ids = touched.get(r.projectId) ?? new Set<string>();
    ids.add(r.experimentId);
    touched.set(r.projectId, ids);
  }
  for (const [projectId, ids] of touched) {
    statements.push(db.$client.prepare(MARK_DATA).bind(projectId, input.now, JSON.stringify([...ids])));
  }
  await db.$client.batch(statements);
  return [...touched].map(([projectId, ids]) => ({ projectId, experimentIds: [...ids] }));
}

/** The experiments a write recorded data for, per project. */
export interface TouchedExperiments {
  projectId: string;
  experimentIds: string[];
}

export interface VariantCounts {
  variantId: string;
  impressions: number;
  opens: number;
  conversions: number;
}

/** Per-variant totals from the daily aggregates, for whole UTC days [fromDay, toDay]. */
export async function countsFromAggregates(
  db: Db,
  input: { projectId: string; experimentIds: string[]; fromDay?: string; toDay?: string },
): Promise<VariantCounts[]> {
  if (input.experimentIds.length === 0) return [];
  return db
    .select({
      variantId: variantDailyStats.variantId,
      impressions: sql<number>`coalesce(sum(${variantDailyStats.impressions}), 0)`.mapWith(Number),
      opens: sql<number>`coalesce(sum(${variantDailyStats.opens}), 0)`.mapWith(Number),
      conversions: sql<number>`coalesce(sum(${variantDailyStats.conversions}), 0)`.mapWith(Number),
    })
    .from(variantDailyStats)
    .where(
      and(
        eq(variantDailyStats.projectId, input.projectId),
        inArray(variantDailyStats.experimentId, input.experimentIds),
        input.fromDay ? gte(variantDailyStats.day, input.fromDay) : undefined,
        input.toDay ? lte(variantDailyStats.day, input.toDay) : undefined,
      ),
    )
    .groupBy(variantDailyStats.variantId);
}

/**
 * Per-variant totals from raw rows for an exact millisecond window (used when a date filter
 * names a time of day). Events are attributed to their impression's time, like the aggregates.
 */
export async function countsFromRaw(
  db: Db,
  input: { projectId: string; experimentIds: string[]; fromMs?: number; toMs?: number },
): Promise<VariantCounts[]> {
  if (input.experimentIds.length === 0) return [];
  const [imps, evts] = await Promise.all([
    db
      .select({ variantId: impressions.variantId, n: sql<number>`count(*)`.mapWith(Number) })
      .from(impressions)
      .where(
        and(
          eq(impressions.projectId, input.projectId),
          inArray(impressions.experimentId, input.experimentIds),
          input.fromMs === undefined ? undefined : gte(impressions.createdAt, input.fromMs),
          input.toMs === undefined ? undefined : lte(impressions.createdAt, input.toMs),
        ),
      )
      .groupBy(impressions.variantId),
    db
      .select({
        variantId: events.variantId,
        opens: sql<number>`sum(${events.type} = 'opened')`.mapWith(Number),
        conversions: sql<number>`sum(${events.type} = 'conversion')`.mapWith(Number),
      })
      .from(events)
      .where(
        and(
          eq(events.projectId, input.projectId),
          inArray(events.experimentId, input.experimentIds),
          input.fromMs === undefined ? undefined : gte(events.impressionAt, input.fromMs),
          input.toMs === undefined ? undefined : lte(events.impressionAt, input.toMs),
        ),
      )
      .groupBy(events.variantId),
  ]);
  const byVariant = new Map<string, VariantCounts>();
  for (const r of imps)
    byVariant.set(r.variantId, { variantId: r.variantId, impressions: r.n, opens: 0, conversions: 0 });
  for (const r of evts) {
    const row = byVariant.get(r.variantId) ?? {
      variantId: r.variantId,
      impressions: 0,
      opens: 0,
      conversions: 0,
    };
    row.opens = r.opens;
    row.conversions = r.conversions;
    byVariant.set(r.variantId, row);
  }
  return [...byVariant.values()];
}

/** Parks a queue message that cannot be processed, so it stays visible. */
export async function recordDeadLetter(
  db: Db,
  row: {
    id: string;
    projectId: string | null;
    queue: string;
    body: string;
    reason: string;
    attempts: number;
    now: number;
  },
): Promise<void> {
  await db
    .insert(deadLetters)
    .values({
      id: row.id,
      projectId: row.projectId,
      queue: row.queue,
      body: row.body.slice(0, 64_000),
      reason: row.reason.slice(0, 1_000),
      attempts: row.attempts,
      createdAt: row.now,
    })
    .onConflictDoNothing();
}
