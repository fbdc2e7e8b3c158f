import {
  AdSyncError,
  type CampaignMetrics,
  type Channel,
  type ChannelCredentials,
  createConnector,
  credentialProblems,
  isAdSyncError,
} from "@pushbunny/adsync";
import { DAY_MS, newId, seal, unseal, utcDay } from "@pushbunny/core";
import {
  type AdChannel,
  type AdSyncRunRow,
  adSyncPausedAt,
  type ChannelAccountRow,
  type ChannelRunResult,
  claimSyncRun,
  deleteChannelAccount,
  deleteChannelMetrics,
  finishSyncRun,
  insertSyncRun,
  listChannelAccounts,
  listSyncRuns,
  projectsDueForAdSync,
  recordChannelOutcome,
  type SyncRunStatus,
  setAdSyncPaused,
  upsertCampaignMetrics,
  upsertChannelAccount,
} from "@pushbunny/db";
import type { AppContext } from "../context";
import { BadRequestError, ConflictError, NotFoundError, ServiceUnavailableError } from "../errors";
import type { AdSyncJob } from "../queue/messages";
import { CRONS } from "../scheduled/crons";

/** A channel's first sync backfills this many days; later ones re-fetch the lookback window. */
export const BACKFILL_DAYS = 30;
/** Runs in a retry chain (the first included) before a failing channel waits for the next hour. */
export const MAX_SYNC_ATTEMPTS = 3;
const RETRY_BASE_SECONDS = 60;
// Longer server-requested waits are not slept in the consumer: the run is retried via the queue.
const IN_PROCESS_MAX_DELAY_MS = 20_000;

/** How long a runner may hold a run before another delivery may take it over (a dead runner). */
const RUN_LEASE_MS = 15 * 60_000;

const sealContext = (projectId: string, channel: Channel) => `${projectId}:adsync:${channel}`;

/** What the API shows of a connection: never the credentials, only which account it reads. */
export interface ChannelView {
  channel: AdChannel;
  source: "api" | "sandbox";
  account_id: string | null;
  last_status: string | null;
  last_error: string | null;
  last_synced_at: string | null;
  connected_at: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

async function openCredentials(ctx: AppContext, row: ChannelAccountRow): Promise<ChannelCredentials | null> {
  if (row.source === "sandbox" || !row.credentials) return null;
  const key = ctx.config.credentialsKey;
  if (!key)
    throw new AdSyncError(
      "config",
      row.channel,
      "CREDENTIALS_KEY is not set, so stored credentials cannot be opened",
    );
  const plain = await unseal(key, sealContext(row.projectId, row.channel), row.credentials);
  if (plain === null) {
    throw new AdSyncError(
      "config",
      row.channel,
      "stored credentials do not open with the current CREDENTIALS_KEY; connect the channel again",
    );
  }
  return JSON.parse(plain) as ChannelCredentials;
}

function accountIdOf(credentials: ChannelCredentials | null): string | null {
  if (!credentials) return null;
  const c = credentials as unknown as Record<string, unknown>;
  const id = c.adAccountId ?? c.customerId ?? c.advertiserId;
  return typeof id === "string" ? id : null;
}

async function channelView(ctx: AppContext, row: ChannelAccountRow): Promise<ChannelView> {
  let accountId: string | null = null;
  try {
    accountId = accountIdOf(await openCredentials(ctx, row));
  } catch {
    // The view still lists the channel; the sync reports why its credentials do not open.
  }
  return {
    channel: row.channel,
    source: row.source,
    account_id: accountId,
    last_status: row.lastStatus,
    last_error: row.lastError,
    last_synced_at: iso(row.lastSyncedAt),
    connected_at: new Date(row.createdAt).toISOString(),
  };
}

export async function listChannels({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<ChannelView[]> {
  const rows = await listChannelAccounts(ctx.db, projectId);
  return Promise.all(rows.map((r) => channelView(ctx, r)));
}

/**
 * Connects a channel: with credentials, the real API (sealed at rest with CREDENTIALS_KEY);
 * without, the deterministic sandbox. The first sync is queued at once.
 */
export async function connectChannel({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { channel: AdChannel; credentials?: Record<string, unknown> };
}): Promise<{ channel: ChannelView; run: SyncRunView }> {
  const now = ctx.now();
  const previous = (await listChannelAccounts(ctx.db, projectId)).find((a) => a.channel === input.channel);
  if (previous?.source === "api" && input.credentials === undefined) {
    throw new ConflictError(
      `${input.channel} reads the real API: send credentials to replace them, or DELETE the channel first to switch it to the sandbox`,
    );
  }
  let sealed: string | null = null;
  if (input.credentials !== undefined) {
    const problems = credentialProblems(input.channel, input.credentials);
    if (problems.length > 0) {
      throw new BadRequestError(
        `credentials for ${input.channel} are incomplete or invalid`,
        problems.map((p) => ({ path: `credentials.${p.split(":")[0]}`, message: p })),
      );
    }
    const key = ctx.config.credentialsKey;
    if (!key) {
      throw new ServiceUnavailableError(
        "CREDENTIALS_KEY is not set: run `wrangler secret put CREDENTIALS_KEY` before storing channel credentials",
        3600,
      );
    }
    sealed = await seal(
      key,
      sealContext(projectId, input.channel),
      JSON.stringify(trimStrings(input.credentials)),
    );
  }
  // Rows of another source or account would mix into this one's totals: they go.
  if (previous) {
    const before = await openCredentials(ctx, previous).catch(() => null);
    const after =
      input.credentials === undefined ? null : (input.credentials as unknown as ChannelCredentials);
    const sameSource = previous.source === (sealed ? "api" : "sandbox");
    if (!sameSource || accountIdOf(before) !== accountIdOf(after)) {
      const removed = await deleteChannelMetrics(ctx.db, projectId, input.channel);
      ctx.logger.info("reconnected channel: previous rows removed", {
        projectId,
        channel: input.channel,
        removed,
      });
    }
  }
  const row = await upsertChannelAccount(ctx.db, {
    id: newId("cha"),
    projectId,
    channel: input.channel,
    source: sealed ? "api" : "sandbox",
    credentials: sealed,
    createdAt: now,
    updatedAt: now,
  });
  const run = await requestSync({ ctx, projectId, input: { trigger: "manual", channels: [input.channel] } });
  return { channel: await channelView(ctx, row), run };
}

function trimStrings(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === "string" ? v.trim() : v]));
}

export async function disconnectChannel({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { channel: AdChannel };
}): Promise<void> {
  if (!(await deleteChannelAccount(ctx.db, projectId, input.channel))) {
    throw new NotFoundError(`channel '${input.channel}' is not connected`);
  }
}

export interface SyncRunView {
  run_id: string;
  trigger: AdSyncRunRow["trigger"];
  status: SyncRunStatus;
  attempt: number;
  since: string;
  until: string;
  channels: AdChannel[] | null;
  rows: number;
  results: ChannelRunResult[];
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export function syncRunView(r: AdSyncRunRow): SyncRunView {
  return {
    run_id: r.id,
    trigger: r.trigger,
    status: r.status,
    attempt: r.attempt,
    since: r.since,
    until: r.until,
    channels: r.channels,
    rows: r.rows,
    results: r.results,
    queued_at: new Date(r.queuedAt).toISOString(),
    started_at: iso(r.startedAt),
    finished_at: iso(r.finishedAt),
  };
}

/** Records a queued run and hands it to the jobs queue (optionally delayed, for retries). */
export async function requestSync({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: {
    trigger: AdSyncRunRow["trigger"];
    channels?: AdChannel[];
    attempt?: number;
    delaySeconds?: number;
  };
}): Promise<SyncRunView> {
  const accounts = await listChannelAccounts(ctx.db, projectId);
  const channels = input.channels ?? null;
  if (accounts.length === 0)
    throw new ConflictError("no ad channel is connected: PUT /v1/ads/channels/{channel} first");
  const missing = (channels ?? []).filter((c) => !accounts.some((a) => a.channel === c));
  if (missing.length > 0) throw new ConflictError(`not connected: ${missing.join(", ")}`);
  const now = ctx.now();
  const covered = accounts.filter((a) => !channels || channels.includes(a.channel));
  // A channel never synced gets a backfill; otherwise the lookback window is re-fetched,
  // because channels restate recent days as late conversions are attributed.
  const days = covered.some((a) => a.lastSyncedAt === null) ? BACKFILL_DAYS : ctx.config.adsyncLookbackDays;
  const row: AdSyncRunRow = {
    id: newId("asr"),
    projectId,
    trigger: input.trigger,
    status: "queued",
    since: utcDay(now - (days - 1) * DAY_MS),
    until: utcDay(now),
    channels,
    results: [],
    rows: 0,
    attempt: input.attempt ?? 1,
    queuedAt: now,
    startedAt: null,
    finishedAt: null,
  };
  await insertSyncRun(ctx.db, row);
  const job: AdSyncJob = { kind: "adsync", projectId, runId: row.id };
  await ctx.queues.jobs.send(job, input.delaySeconds ? { delaySeconds: input.delaySeconds } : undefined);
  return syncRunView(row);
}

/**
 * Runs one queued sync: every covered channel in parallel, each fetched, normalised and
 * upserted on (project, channel, campaign, date), so running it twice leaves the same rows.
 * One channel's failure never stops the others; retryable failures get a delayed retry run
 * for just those channels, up to MAX_SYNC_ATTEMPTS.
 */
export async function runSync({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { projectId: string; runId: string };
}): Promise<SyncRunView | null> {
  const claimedAt = ctx.now();
  const run = await claimSyncRun(ctx.db, { ...input, now: claimedAt, leaseMs: RUN_LEASE_MS });
  if (!run) return null;
  const accounts = (await listChannelAccounts(ctx.db, input.projectId)).filter(
    (a) => !run.channels || run.channels.includes(a.channel),
  );
  const range = { since: run.since, until: run.until };
  const results = await Promise.all(accounts.map((a) => syncChannel(ctx, a, range)));
  const rows = results.reduce((s, r) => s + r.rows, 0);
  const failed = results.filter((r) => r.status === "error");
  const status: SyncRunStatus =
    results.length === 0
      ? "failed"
      : failed.length === 0
        ? "succeeded"
        : failed.length === results.length
          ? "failed"
          : "partial";
  const finished = await finishSyncRun(ctx.db, {
    projectId: input.projectId,
    runId: run.id,
    claimedAt,
    status,
    results,
    rows,
    now: ctx.now(),
  });
  // Another runner took the run over (this one outlived its lease): that one reports and retries.
  if (!finished) return null;
  const retryable = failed.filter((r) => r.error && ["rate_limited", "transient"].includes(r.error.kind));
  if (retryable.length > 0 && run.attempt < MAX_SYNC_ATTEMPTS) {
    const wantMs = Math.max(0, ...retryable.map((r) => r.error?.retryAfterMs ?? 0));
    const delaySeconds = Math.min(
      Math.max(RETRY_BASE_SECONDS * 2 ** (run.attempt - 1), Math.ceil(wantMs / 1000)),
      3600,
    );
    await requestSync({
      ctx,
      projectId: input.projectId,
      input: {
        trigger: "retry",
        channels: retryable.map((r) => r.channel),
        attempt: run.attempt + 1,
        delaySeconds,
      },
    });
  }
  ctx.logger[failed.length > 0 ? "warn" : "info"]("ad sync finished", {
    projectId: input.projectId,
    runId: run.id,
    status,
    rows,
    failed: failed.map((f) => `${f.channel}: ${f.error?.kind}`),
  });
  return syncRunView({ ...run, status, results, rows, finishedAt: ctx.now() });
}

async function syncChannel(
  ctx: AppContext,
  account: ChannelAccountRow,
  range: { since: string; until: string },
): Promise<ChannelRunResult> {
  const channel = account.channel;
  let attempts = 0;
  const countingFetch: typeof fetch = (input, init) => {
    attempts++;
    return fetch(input, init);
  };
  try {
    const credentials = await openCredentials(ctx, account);
    const connector = createConnector(channel, credentials, {
      fetch: countingFetch,
      baseUrls: ctx.config.adsyncBaseUrls,
      retry: { maxDelayMs: IN_PROCESS_MAX_DELAY_MS },
      seed: account.projectId,
    });
    const metrics = await connector.fetchMetrics(range);
    const rows = await upsertCampaignMetrics(ctx.db, {
      projectId: account.projectId,
      rows: metrics.map((m) => toRow(m, connector.source)),
      now: ctx.now(),
    });
    await recordChannelOutcome(ctx.db, {
      projectId: account.projectId,
      channel,
      ok: true,
      error: null,
      at: ctx.now(),
    });
    return { channel, source: connector.source, status: "ok", rows, attempts: Math.max(1, attempts) };
  } catch (err) {
    const e = isAdSyncError(err)
      ? {
          kind: err.kind,
          message: err.message,
          ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
        }
      : { kind: "transient", message: err instanceof Error ? err.message : String(err) };
    await recordChannelOutcome(ctx.db, {
      projectId: account.projectId,
      channel,
      ok: false,
      error: `${e.kind}: ${e.message}`.slice(0, 500),
      at: ctx.now(),
    });
    return { channel, source: account.source, status: "error", rows: 0, attempts, error: e };
  }
}

function toRow(m: CampaignMetrics, source: "api" | "sandbox") {
  return {
    channel: m.channel,
    campaignId: m.campaignId,
    date: m.date,
    campaignName: m.campaignName,
    source,
    cost: m.cost,
    clicks: m.clicks,
    impressions: m.impressions,
    engagement: m.engagement,
    conversions: m.conversions,
    conversionValue: m.conversionValue,
    conversionRate: m.conversionRate,
    roi: m.roi,
  };
}

/** Cron: queues one sync per project with connected channels and an unpaused schedule. */
export async function scheduleAdSyncs({ ctx }: { ctx: AppContext }): Promise<string[]> {
  const projectIds = await projectsDueForAdSync(ctx.db);
  const queued: string[] = [];
  for (const projectId of projectIds) {
    try {
      queued.push((await requestSync({ ctx, projectId, input: { trigger: "schedule" } })).run_id);
    } catch (err) {
      ctx.logger.error("could not queue the ad sync", { projectId, error: String(err) });
    }
  }
  return queued;
}

/** The next time `0 * * * *` fires after `now`. */
export function nextHourlyRun(now: number): number {
  return Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000;
}

export async function syncStatus({ ctx, projectId }: { ctx: AppContext; projectId: string }) {
  const [pausedAt, channels, runs] = await Promise.all([
    adSyncPausedAt(ctx.db, projectId),
    listChannels({ ctx, projectId }),
    listSyncRuns(ctx.db, projectId, 20),
  ]);
  return {
    schedule: CRONS.adSync,
    paused: pausedAt !== null,
    paused_at: iso(pausedAt),
    next_run_at:
      pausedAt !== null || channels.length === 0 ? null : new Date(nextHourlyRun(ctx.now())).toISOString(),
    channels,
    runs: runs.map(syncRunView),
  };
}

export async function setSyncPaused({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { paused: boolean };
}) {
  const now = ctx.now();
  const current = await adSyncPausedAt(ctx.db, projectId);
  // Pausing twice keeps the first pause time; resuming an active schedule changes nothing.
  if (input.paused && current === null) await setAdSyncPaused(ctx.db, { projectId, pausedAt: now, now });
  if (!input.paused && current !== null) await setAdSyncPaused(ctx.db, { projectId, pausedAt: null, now });
  return syncStatus({ ctx, projectId });
}
