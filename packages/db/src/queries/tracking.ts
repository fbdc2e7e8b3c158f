import { and, eq, gte, lte, sql } from "drizzle-orm";
import { chunk, type Db, JSON_ROWS_PER_STATEMENT } from "../client";
import {
  deadLetters,
  type EventType,
  events,
  impressions,
  simulatedDailyStats,
  variantDailyStats,
} from "../schema";
import { inJsonList } from "./in-list";

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
  /** /v1/resolve's free-text context. */
  context?: string | null;
}

export interface EventInsert {
  projectId: string;
  experimentId: string;
  variantId: string;
  impressionId: string;
  /** `m:<name>`: a web experiment's secondary metric, which the aggregate triggers count as neither. */
  type: EventType | `m:${string}`;
  occurredAt: number;
  impressionAt: number;
  day: string;
  properties: Record<string, string> | null;
  receivedAt: number;
}

// Each statement takes its rows as one JSON array of arrays (not objects): no key names to
// serialize and parse, and `value ->> n` reads a column without a JSON path. D1 allows only
// 100 bound parameters per statement, so rows cannot be bound one value at a time.
function jsonRowsInsert(db: Db, sqlText: string, rows: unknown[][]) {
  const d1 = db.$client;
  return chunk(rows, JSON_ROWS_PER_STATEMENT).map((part) => d1.prepare(sqlText).bind(JSON.stringify(part)));
}

// An impression message that arrives after one of its events finds the row that event
// implied and only fills in the user id: the update path fires no INSERT trigger, so nothing
// is counted twice. (`WHERE true` keeps SQLite from reading ON CONFLICT as a join clause.)
const INSERT_IMPRESSIONS = `INSERT INTO impressions (id, project_id, experiment_id, variant_id, user_id, day, created_at, allocation, context)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8
  FROM json_each(?1) WHERE true
  ON CONFLICT (id) DO UPDATE SET user_id = coalesce(impressions.user_id, excluded.user_id),
    allocation = coalesce(impressions.allocation, excluded.allocation),
    context = coalesce(impressions.context, excluded.context)`;

// Tells the optimization loop and the Thompson refresh which experiments have new data.
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
        r.context ?? null,
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
    // Simulated rows never count as new data: the loop and the Thompson refresh read real traffic.
    if (isSimulatedImpression("id" in r ? r.id : r.impressionId)) continue;
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

/**
 * Which traffic a read counts: real (the default everywhere), the simulated lane alone, or
 * both (the `include_simulated` query flag).
 */
export type TrafficLane = "real" | "simulated" | "all";

/** Simulated impressions are minted with the `sim_` prefix by the simulate endpoint only. */
export const isSimulatedImpression = (impressionId: string) => impressionId.startsWith("sim_");

/** Per-variant totals from the daily aggregates, for whole UTC days [fromDay, toDay]. */
export async function countsFromAggregates(
  db: Db,
  input: { projectId: string; experimentIds: string[]; fromDay?: string; toDay?: string; lane?: TrafficLane },
): Promise<VariantCounts[]> {
  if (input.experimentIds.length === 0) return [];
  const lane = input.lane ?? "real";
  const tables =
    lane === "all"
      ? [variantDailyStats, simulatedDailyStats]
      : lane === "real"
        ? [variantDailyStats]
        : [simulatedDailyStats];
  const parts = await Promise.all(
    tables.map((t) =>
      db
        .select({
          variantId: t.variantId,
          impressions: sql<number>`coalesce(sum(${t.impressions}), 0)`.mapWith(Number),
          opens: sql<number>`coalesce(sum(${t.opens}), 0)`.mapWith(Number),
          conversions: sql<number>`coalesce(sum(${t.conversions}), 0)`.mapWith(Number),
        })
        .from(t)
        .where(
          and(
            eq(t.projectId, input.projectId),
            inJsonList(t.experimentId, input.experimentIds),
            input.fromDay ? gte(t.day, input.fromDay) : undefined,
            input.toDay ? lte(t.day, input.toDay) : undefined,
          ),
        )
        .groupBy(t.variantId),
    ),
  );
  return mergeCounts(parts.flat());
}

function mergeCounts(rows: VariantCounts[]): VariantCounts[] {
  const out = new Map<string, VariantCounts>();
  for (const r of rows) {
    const prev = out.get(r.variantId);
    if (!prev) out.set(r.variantId, { ...r });
    else {
      prev.impressions += r.impressions;
      prev.opens += r.opens;
      prev.conversions += r.conversions;
    }
  }
  return [...out.values()];
}

/** Daily per-variant counts of one experiment, oldest day first: the series analysis charts. */
export async function dailyCounts(
  db: Db,
  input: { projectId: string; experimentId: string; lane?: TrafficLane },
): Promise<(VariantCounts & { day: string })[]> {
  const lane = input.lane ?? "real";
  const tables =
    lane === "all"
      ? [variantDailyStats, simulatedDailyStats]
      : lane === "real"
        ? [variantDailyStats]
        : [simulatedDailyStats];
  const parts = await Promise.all(
    tables.map((t) =>
      db
        .select({
          variantId: t.variantId,
          day: t.day,
          impressions: t.impressions,
          opens: t.opens,
          conversions: t.conversions,
        })
        .from(t)
        .where(and(eq(t.projectId, input.projectId), eq(t.experimentId, input.experimentId))),
    ),
  );
  const out = new Map<string, VariantCounts & { day: string }>();
  for (const r of parts.flat()) {
    const key = `${r.day}|${r.variantId}`;
    const prev = out.get(key);
    if (!prev) out.set(key, { ...r });
    else {
      prev.impressions += r.impressions;
      prev.opens += r.opens;
      prev.conversions += r.conversions;
    }
  }
  return [...out.values()].sort((a, b) =>
    a.day === b.day ? a.variantId.localeCompare(b.variantId) : a.day.localeCompare(b.day),
  );
}

/** Removes an experiment's simulated rows (raw and aggregated) before a new simulation. */
export async function clearSimulation(db: Db, projectId: string, experimentId: string): Promise<void> {
  const d1 = db.$client;
  await d1.batch([
    d1
      .prepare(
        "DELETE FROM events WHERE project_id = ?1 AND experiment_id = ?2 AND substr(impression_id, 1, 4) = 'sim_'",
      )
      .bind(projectId, experimentId),
    d1
      .prepare(
        "DELETE FROM impressions WHERE project_id = ?1 AND experiment_id = ?2 AND substr(id, 1, 4) = 'sim_'",
      )
      .bind(projectId, experimentId),
    d1
      .prepare("DELETE FROM simulated_daily_stats WHERE project_id = ?1 AND experiment_id = ?2")
      .bind(projectId, experimentId),
  ]);
}

/**
 * Per-variant totals from raw rows for an exact millisecond window (used when a date filter
 * names a time of day). Events are attributed to their impression's time, like the aggregates.
 */
export async function countsFromRaw(
  db: Db,
  input: { projectId: string; experimentIds: string[]; fromMs?: number; toMs?: number; lane?: TrafficLane },
): Promise<VariantCounts[]> {
  if (input.experimentIds.length === 0) return [];
  const lane = input.lane ?? "real";
  const impLane =
    lane === "all"
      ? undefined
      : sql`substr(${impressions.id}, 1, 4) ${sql.raw(lane === "real" ? "!=" : "=")} 'sim_'`;
  const evtLane =
    lane === "all"
      ? undefined
      : sql`substr(${events.impressionId}, 1, 4) ${sql.raw(lane === "real" ? "!=" : "=")} 'sim_'`;
  const [imps, evts] = await Promise.all([
    db
      .select({ variantId: impressions.variantId, n: sql<number>`count(*)`.mapWith(Number) })
      .from(impressions)
      .where(
        and(
          eq(impressions.projectId, input.projectId),
          inJsonList(impressions.experimentId, input.experimentIds),
          input.fromMs === undefined ? undefined : gte(impressions.createdAt, input.fromMs),
          input.toMs === undefined ? undefined : lte(impressions.createdAt, input.toMs),
          impLane,
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
          inJsonList(events.experimentId, input.experimentIds),
          input.fromMs === undefined ? undefined : gte(events.impressionAt, input.fromMs),
          input.toMs === undefined ? undefined : lte(events.impressionAt, input.toMs),
          evtLane,
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
