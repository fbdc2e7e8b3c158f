import { and, desc, eq, gte, isNull, lt, lte, or, sql } from "drizzle-orm";
import { chunk, type Db, JSON_ROWS_PER_STATEMENT } from "../client";
import {
  type AdCampaignMetricsRow,
  type AdChannel,
  type AdSyncRunRow,
  adCampaignMetrics,
  adSyncRuns,
  type ChannelAccountRow,
  type ChannelRunResult,
  channelAccounts,
  projects,
  type SyncRunStatus,
} from "../schema";

export function listChannelAccounts(db: Db, projectId: string): Promise<ChannelAccountRow[]> {
  return db
    .select()
    .from(channelAccounts)
    .where(eq(channelAccounts.projectId, projectId))
    .orderBy(channelAccounts.channel);
}

/** Connects a channel, or replaces its credentials (a reconnect clears the last error). */
export async function upsertChannelAccount(
  db: Db,
  row: Pick<
    ChannelAccountRow,
    "id" | "projectId" | "channel" | "source" | "credentials" | "createdAt" | "updatedAt"
  >,
): Promise<ChannelAccountRow> {
  const [saved] = await db
    .insert(channelAccounts)
    .values({ ...row, lastStatus: null, lastError: null, lastSyncedAt: null })
    .onConflictDoUpdate({
      target: [channelAccounts.projectId, channelAccounts.channel],
      set: {
        source: row.source,
        credentials: row.credentials,
        lastStatus: null,
        lastError: null,
        updatedAt: row.updatedAt,
      },
    })
    .returning();
  if (!saved) throw new Error("channel account upsert returned nothing");
  return saved;
}

/** Removes a channel's synced rows (when it now reads another account or source). */
export async function deleteChannelMetrics(db: Db, projectId: string, channel: AdChannel): Promise<number> {
  // A count, not RETURNING: a year of a busy account is tens of thousands of rows.
  const result = await db
    .delete(adCampaignMetrics)
    .where(and(eq(adCampaignMetrics.projectId, projectId), eq(adCampaignMetrics.channel, channel)))
    .run();
  return result.meta.changes ?? 0;
}

/** Disconnects a channel; its synced metrics stay. False when it was not connected. */
export async function deleteChannelAccount(db: Db, projectId: string, channel: AdChannel): Promise<boolean> {
  const rows = await db
    .delete(channelAccounts)
    .where(and(eq(channelAccounts.projectId, projectId), eq(channelAccounts.channel, channel)))
    .returning({ id: channelAccounts.id });
  return rows.length > 0;
}

export function recordChannelOutcome(
  db: Db,
  input: { projectId: string; channel: AdChannel; ok: boolean; error: string | null; at: number },
) {
  return db
    .update(channelAccounts)
    .set({
      lastStatus: input.ok ? "ok" : "error",
      lastError: input.error,
      ...(input.ok ? { lastSyncedAt: input.at } : {}),
      updatedAt: input.at,
    })
    .where(and(eq(channelAccounts.projectId, input.projectId), eq(channelAccounts.channel, input.channel)));
}

export type CampaignMetricsInsert = Omit<AdCampaignMetricsRow, "syncedAt" | "projectId">;

// One statement per chunk of rows, as a JSON array (D1 allows 100 bound parameters); the
// natural key makes a re-sync overwrite the same rows instead of adding any.
const UPSERT_METRICS = `INSERT INTO ad_campaign_metrics (project_id, channel, campaign_id, date, campaign_name, source, cost, clicks,
    impressions, engagement, conversions, conversion_value, conversion_rate, roi, synced_at)
  SELECT ?1, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
         value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, ?2
  FROM json_each(?3) WHERE true
  ON CONFLICT (project_id, channel, campaign_id, date) DO UPDATE SET
    campaign_name = excluded.campaign_name, source = excluded.source, cost = excluded.cost, clicks = excluded.clicks,
    impressions = excluded.impressions, engagement = excluded.engagement, conversions = excluded.conversions,
    conversion_value = excluded.conversion_value, conversion_rate = excluded.conversion_rate, roi = excluded.roi,
    synced_at = excluded.synced_at`;

/** Upserts metrics rows in one atomic batch; returns how many rows were written. */
export async function upsertCampaignMetrics(
  db: Db,
  input: { projectId: string; rows: CampaignMetricsInsert[]; now: number },
): Promise<number> {
  if (input.rows.length === 0) return 0;
  const d1 = db.$client;
  const statements = chunk(
    input.rows.map((r) => [
      r.channel,
      r.campaignId,
      r.date,
      r.campaignName,
      r.source,
      r.cost,
      r.clicks,
      r.impressions,
      r.engagement,
      r.conversions,
      r.conversionValue,
      r.conversionRate,
      r.roi,
    ]),
    JSON_ROWS_PER_STATEMENT,
  ).map((part) => d1.prepare(UPSERT_METRICS).bind(input.projectId, input.now, JSON.stringify(part)));
  await d1.batch(statements);
  return input.rows.length;
}

export interface CampaignFilter {
  projectId: string;
  channel?: AdChannel;
  campaignId?: string;
  fromDay?: string;
  toDay?: string;
}

const filterOf = (f: CampaignFilter) =>
  and(
    eq(adCampaignMetrics.projectId, f.projectId),
    f.channel ? eq(adCampaignMetrics.channel, f.channel) : undefined,
    f.campaignId ? eq(adCampaignMetrics.campaignId, f.campaignId) : undefined,
    f.fromDay ? gte(adCampaignMetrics.date, f.fromDay) : undefined,
    f.toDay ? lte(adCampaignMetrics.date, f.toDay) : undefined,
  );

/**
 * A page of metrics rows, newest day first, then channel and campaign. The cursor is the last
 * row's (date, channel, campaign_id): keyset paging stays exact while the hourly sync writes.
 */
export function listCampaignMetrics(
  db: Db,
  input: CampaignFilter & { after?: { date: string; channel: string; campaignId: string }; limit: number },
): Promise<AdCampaignMetricsRow[]> {
  const a = input.after;
  return db
    .select()
    .from(adCampaignMetrics)
    .where(
      and(
        filterOf(input),
        a
          ? sql`(${adCampaignMetrics.date} < ${a.date} OR (${adCampaignMetrics.date} = ${a.date} AND (${adCampaignMetrics.channel} > ${a.channel} OR (${adCampaignMetrics.channel} = ${a.channel} AND ${adCampaignMetrics.campaignId} > ${a.campaignId}))))`
          : undefined,
      ),
    )
    .orderBy(desc(adCampaignMetrics.date), adCampaignMetrics.channel, adCampaignMetrics.campaignId)
    .limit(input.limit);
}

export interface ChannelTotals {
  channel: AdChannel;
  campaigns: number;
  days: number;
  cost: number;
  clicks: number;
  impressions: number;
  engagement: number;
  conversions: number;
  conversionValue: number;
}

/** Totals per channel over the filter. */
export function campaignTotals(db: Db, filter: CampaignFilter): Promise<ChannelTotals[]> {
  const m = adCampaignMetrics;
  return db
    .select({
      channel: m.channel,
      campaigns: sql<number>`count(DISTINCT ${m.campaignId})`.mapWith(Number),
      days: sql<number>`count(DISTINCT ${m.date})`.mapWith(Number),
      cost: sql<number>`coalesce(sum(${m.cost}), 0)`.mapWith(Number),
      clicks: sql<number>`coalesce(sum(${m.clicks}), 0)`.mapWith(Number),
      impressions: sql<number>`coalesce(sum(${m.impressions}), 0)`.mapWith(Number),
      engagement: sql<number>`coalesce(sum(${m.engagement}), 0)`.mapWith(Number),
      conversions: sql<number>`coalesce(sum(${m.conversions}), 0)`.mapWith(Number),
      conversionValue: sql<number>`coalesce(sum(${m.conversionValue}), 0)`.mapWith(Number),
    })
    .from(m)
    .where(filterOf(filter))
    .groupBy(m.channel)
    .orderBy(m.channel);
}

export async function insertSyncRun(db: Db, row: AdSyncRunRow): Promise<void> {
  await db.insert(adSyncRuns).values(row);
}

/**
 * Claims a queued run (or one whose runner has held it past `leaseMs`, i.e. died): null when it
 * finished or another runner holds it, so a redelivered job never runs it twice at once.
 */
export async function claimSyncRun(
  db: Db,
  input: { projectId: string; runId: string; now: number; leaseMs: number },
): Promise<AdSyncRunRow | null> {
  const [row] = await db
    .update(adSyncRuns)
    .set({ status: "running", startedAt: input.now })
    .where(
      and(
        eq(adSyncRuns.projectId, input.projectId),
        eq(adSyncRuns.id, input.runId),
        or(
          eq(adSyncRuns.status, "queued"),
          and(eq(adSyncRuns.status, "running"), lt(adSyncRuns.startedAt, input.now - input.leaseMs)),
        ),
      ),
    )
    .returning();
  return row ?? null;
}

/** Records the outcome, only for the runner holding the claim made at `claimedAt`. */
export async function finishSyncRun(
  db: Db,
  input: {
    projectId: string;
    runId: string;
    claimedAt: number;
    status: SyncRunStatus;
    results: ChannelRunResult[];
    rows: number;
    now: number;
  },
): Promise<boolean> {
  const rows = await db
    .update(adSyncRuns)
    .set({ status: input.status, results: input.results, rows: input.rows, finishedAt: input.now })
    .where(
      and(
        eq(adSyncRuns.projectId, input.projectId),
        eq(adSyncRuns.id, input.runId),
        eq(adSyncRuns.status, "running"),
        eq(adSyncRuns.startedAt, input.claimedAt),
      ),
    )
    .returning({ id: adSyncRuns.id });
  return rows.length === 1;
}

/** Distinct campaigns over the filter, across channels (a Meta campaign runs on both). */
export async function distinctCampaigns(db: Db, filter: CampaignFilter): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(DISTINCT ${adCampaignMetrics.campaignId})`.mapWith(Number) })
    .from(adCampaignMetrics)
    .where(filterOf(filter));
  return row?.n ?? 0;
}

/**
 * The project's runs, newest first. With `after` (the last row's queued_at and id), the page after
 * it: keyset paging stays exact while new runs are queued.
 */
export function listSyncRuns(
  db: Db,
  projectId: string,
  limit: number,
  filter: {
    after?: { queuedAt: number; id: string };
    status?: SyncRunStatus;
    trigger?: AdSyncRunRow["trigger"];
    /** Queued at or after, Unix ms. */
    queuedFrom?: number;
    /** Queued before, Unix ms. */
    queuedTo?: number;
  } = {},
): Promise<AdSyncRunRow[]> {
  const a = filter.after;
  return db
    .select()
    .from(adSyncRuns)
    .where(
      and(
        eq(adSyncRuns.projectId, projectId),
        filter.status ? eq(adSyncRuns.status, filter.status) : undefined,
        filter.trigger ? eq(adSyncRuns.trigger, filter.trigger) : undefined,
        filter.queuedFrom !== undefined ? gte(adSyncRuns.queuedAt, filter.queuedFrom) : undefined,
        filter.queuedTo !== undefined ? lt(adSyncRuns.queuedAt, filter.queuedTo) : undefined,
        a
          ? or(
              lt(adSyncRuns.queuedAt, a.queuedAt),
              and(eq(adSyncRuns.queuedAt, a.queuedAt), lt(adSyncRuns.id, a.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(adSyncRuns.queuedAt), desc(adSyncRuns.id))
    .limit(limit);
}

/** One run of the project, or null. */
export async function getSyncRun(db: Db, projectId: string, runId: string): Promise<AdSyncRunRow | null> {
  const [row] = await db
    .select()
    .from(adSyncRuns)
    .where(and(eq(adSyncRuns.projectId, projectId), eq(adSyncRuns.id, runId)));
  return row ?? null;
}

/** Projects the hourly sync covers: with at least one connected channel, schedule not paused. */
export async function projectsDueForAdSync(db: Db): Promise<string[]> {
  const rows = await db
    .selectDistinct({ projectId: channelAccounts.projectId })
    .from(channelAccounts)
    .innerJoin(projects, eq(projects.id, channelAccounts.projectId))
    .where(isNull(projects.adSyncPausedAt));
  return rows.map((r) => r.projectId);
}

export async function setAdSyncPaused(
  db: Db,
  input: { projectId: string; pausedAt: number | null; now: number },
) {
  await db
    .update(projects)
    .set({ adSyncPausedAt: input.pausedAt, updatedAt: input.now })
    .where(eq(projects.id, input.projectId));
}

export async function adSyncPausedAt(db: Db, projectId: string): Promise<number | null> {
  const [row] = await db
    .select({ at: projects.adSyncPausedAt })
    .from(projects)
    .where(eq(projects.id, projectId));
  return row?.at ?? null;
}
