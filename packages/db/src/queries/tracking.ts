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
}

export interface EventInsert {
  id: string;
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

// Rows are inserted with this run's batch tag; duplicates (queue redelivery) keep their old
// tag, so the aggregate steps, which count only rows carrying this tag, add exactly the rows
// that are new. Each row travels as a JSON array (not an object): no key names to serialise
// and parse, and `value ->> n` reads a column without a JSON path.
function impressionInserts(db: Db, rows: ImpressionInsert[], batchId: string) {
  const d1 = db.$client;
  return chunk(rows, JSON_ROWS_PER_STATEMENT).map((part) =>
    d1
      .prepare(
        `INSERT OR IGNORE INTO impressions (id, project_id, experiment_id, variant_id, user_id, day, created_at, ingest_batch)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, ?2
         FROM json_each(?1)`,
      )
      .bind(
        JSON.stringify(
          part.map((r) => [r.id, r.projectId, r.experimentId, r.variantId, r.userId, r.day, r.createdAt]),
        ),
        batchId,
      ),
  );
}

function eventInserts(db: Db, rows: EventInsert[], batchId: string) {
  const d1 = db.$client;
  return chunk(rows, JSON_ROWS_PER_STATEMENT).map((part) =>
    d1
      .prepare(
        `INSERT OR IGNORE INTO events (id, project_id, experiment_id, variant_id, impression_id, type, occurred_at,
                                       impression_at, day, properties, received_at, ingest_batch)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
                value ->> 7, value ->> 8, value ->> 9, value ->> 10, ?2
         FROM json_each(?1)`,
      )
      .bind(
        JSON.stringify(
          part.map((r) => [
            r.id,
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
        batchId,
      ),
  );
}

/**
 * Writes impressions, events and their aggregates in one atomic batch, idempotently: an
 * impression id or an (impression, type) pair counts once, however often it is delivered.
 *
 * Events imply their impression (ADR 0002). The implied rows are read back from the event rows
 * this batch inserted rather than sent again: an event that was already stored (a redelivery)
 * had its impression written in the same atomic batch that first stored it. Real impression
 * messages are inserted first, so their user id wins over an implied row's null.
 */
export async function recordTracking(
  db: Db,
  input: { impressions: ImpressionInsert[]; events: EventInsert[]; batchId: string },
): Promise<void> {
  if (input.impressions.length === 0 && input.events.length === 0) return;
  const d1 = db.$client;
  const { batchId } = input;
  const statements = [...impressionInserts(db, input.impressions, batchId)];
  if (input.events.length > 0) {
    statements.push(
      ...eventInserts(db, input.events, batchId),
      d1
        .prepare(
          `INSERT OR IGNORE INTO impressions (id, project_id, experiment_id, variant_id, user_id, day, created_at, ingest_batch)
           SELECT impression_id, project_id, experiment_id, variant_id, NULL, day, impression_at, ?1
           FROM events WHERE ingest_batch = ?1`,
        )
        .bind(batchId),
    );
  }
  statements.push(
    d1
      .prepare(
        `INSERT INTO variant_daily_stats (project_id, experiment_id, variant_id, day, impressions, opens, conversions)
         SELECT project_id, experiment_id, variant_id, day, count(*), 0, 0
         FROM impressions WHERE ingest_batch = ?1
         GROUP BY project_id, experiment_id, variant_id, day
         ON CONFLICT (variant_id, day) DO UPDATE SET impressions = impressions + excluded.impressions`,
      )
      .bind(batchId),
  );
  if (input.events.length > 0) {
    statements.push(
      d1
        .prepare(
          `INSERT INTO variant_daily_stats (project_id, experiment_id, variant_id, day, impressions, opens, conversions)
           SELECT project_id, experiment_id, variant_id, day, 0, sum(type = 'opened'), sum(type = 'conversion')
           FROM events WHERE ingest_batch = ?1
           GROUP BY project_id, experiment_id, variant_id, day
           ON CONFLICT (variant_id, day) DO UPDATE SET
             opens = opens + excluded.opens, conversions = conversions + excluded.conversions`,
        )
        .bind(batchId),
    );
  }
  await d1.batch(statements);
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
