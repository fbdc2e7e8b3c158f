import { claimSyncRun, finishSyncRun, listChannelAccounts, type SyncRunStatus } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { emitWebhookEvents } from "../webhooks/emit";
import { adsSyncFailedEvent } from "../webhooks/events";
import { syncChannel } from "./lib/sync-channel";
import { type AdSyncRun, type ChannelResult, toSyncRun } from "./lib/types";
import { refreshAdInsights } from "./refresh-insights";
import { requestSync } from "./request-sync";

/** Runs in a retry chain (the first included) before a failing channel waits for the next hour. */
export const MAX_SYNC_ATTEMPTS = 3;
const RETRY_BASE_SECONDS = 60;
const MAX_RETRY_DELAY_SECONDS = 3600;
/** How long a runner may hold a run before another delivery may take it over (a dead runner). */
const RUN_LEASE_MS = 15 * 60_000;

const RETRYABLE_KINDS = new Set(["rate_limited", "transient"]);

/**
 * Runs one queued sync (the jobs queue calls this): every covered channel in parallel, each
 * fetched, normalized and upserted on (project, channel, campaign, date), so running it twice
 * leaves the same rows. One channel's failure never stops the others; retryable failures get a
 * delayed retry run for just those channels, up to MAX_SYNC_ATTEMPTS, and their `retryAt` says
 * when. Null when the run is finished or another runner holds it (a redelivered job).
 */
export async function runSync({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { projectId: string; runId: string };
}): Promise<AdSyncRun | null> {
  const claimedAt = ctx.now();
  const run = await claimSyncRun(ctx.db, { ...input, now: claimedAt, leaseMs: RUN_LEASE_MS });
  if (!run) return null;
  const accounts = (await listChannelAccounts(ctx.db, input.projectId)).filter(
    (a) => !run.channels || run.channels.includes(a.channel),
  );
  const range = { since: run.since, until: run.until };
  const synced = await Promise.all(accounts.map((a) => syncChannel(ctx, a, range)));
  const rows = synced.reduce((s, r) => s + r.rows, 0);
  const failed = synced.filter((r) => r.status === "error");
  const status: SyncRunStatus =
    synced.length === 0
      ? "failed"
      : failed.length === 0
        ? "succeeded"
        : failed.length === synced.length
          ? "failed"
          : "partial";
  const now = ctx.now();
  const retry = retryPlan(failed, run.attempt);
  const results = synced.map((r) => withRetryTime(r, retry, now));
  const finished = await finishSyncRun(ctx.db, {
    projectId: input.projectId,
    runId: run.id,
    claimedAt,
    status,
    results,
    rows,
    now,
  });
  // Another runner took the run over (this one outlived its lease): that one reports and retries.
  if (!finished) return null;
  if (retry) {
    await requestSync({
      ctx,
      projectId: input.projectId,
      input: {
        trigger: "retry",
        channels: retry.channels,
        attempt: run.attempt + 1,
        delaySeconds: retry.delaySeconds,
      },
    });
  }
  if (failed.length > 0) {
    const failedResults = results.filter((r) => r.status === "error");
    await emitWebhookEvents(ctx, input.projectId, [
      adsSyncFailedEvent({ runId: run.id, status, attempt: run.attempt, failed: failedResults, at: now }),
    ]);
  }
  const syncedOk = results.filter((r) => r.status === "ok").map((r) => r.channel);
  if (syncedOk.length > 0) await refreshInsightsSafely(ctx, input.projectId, run.id, run.until, syncedOk);
  ctx.logger[failed.length > 0 ? "warn" : "info"]("ad sync finished", {
    projectId: input.projectId,
    runId: run.id,
    status,
    rows,
    failed: failed.map((f) => `${f.channel}: ${f.error?.code ?? f.error?.kind}`),
  });
  return toSyncRun({ ...run, status, results, rows, finishedAt: now });
}

/** Insights follow a sync; their failure is logged and never fails the run whose data is stored. */
async function refreshInsightsSafely(
  ctx: AppContext,
  projectId: string,
  runId: string,
  asOf: string,
  channels: ChannelResult["channel"][],
): Promise<void> {
  try {
    await refreshAdInsights({ ctx, projectId, input: { runId, asOf, channels } });
  } catch (err) {
    ctx.logger.error("ad insights failed after a sync", {
      projectId,
      runId,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
  }
}

interface RetryPlan {
  channels: ChannelResult["channel"][];
  delaySeconds: number;
}

/** The retry run for the channels that failed in a way waiting can fix, or null. */
function retryPlan(failed: ChannelResult[], attempt: number): RetryPlan | null {
  const retryable = failed.filter((r) => r.error && RETRYABLE_KINDS.has(r.error.kind));
  if (retryable.length === 0 || attempt >= MAX_SYNC_ATTEMPTS) return null;
  const wantMs = Math.max(0, ...retryable.map((r) => r.error?.retryAfterMs ?? 0));
  const delaySeconds = Math.min(
    Math.max(RETRY_BASE_SECONDS * 2 ** (attempt - 1), Math.ceil(wantMs / 1000)),
    MAX_RETRY_DELAY_SECONDS,
  );
  return { channels: retryable.map((r) => r.channel), delaySeconds };
}

/** The result with `error.retryAt`: when the retry run goes, else when the channel said to come back. */
function withRetryTime(result: ChannelResult, retry: RetryPlan | null, now: number): ChannelResult {
  const error = result.error;
  if (!error) return result;
  const at = retry?.channels.includes(result.channel)
    ? now + retry.delaySeconds * 1000
    : error.retryAfterMs !== undefined
      ? now + error.retryAfterMs
      : undefined;
  return at === undefined ? result : { ...result, error: { ...error, retryAt: at } };
}
