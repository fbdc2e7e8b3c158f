import { DAY_MS, newId, utcDay } from "@pushbunny/core";
import { type AdChannel, type AdSyncRunRow, insertSyncRun, listChannelAccounts } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError } from "../../errors";
import type { AdSyncJob } from "../../queue/messages";
import { type AdSyncRun, toSyncRun } from "./lib/types";

/** A channel's first sync backfills this many days; later ones re-fetch the lookback window. */
export const BACKFILL_DAYS = 30;

/**
 * Records a queued run of the project's channels (all, or the ones named) and hands it to the
 * jobs queue, optionally delayed (retries). 409 when no channel, or a named one, is connected.
 */
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
}): Promise<AdSyncRun> {
  const accounts = await listChannelAccounts(ctx.db, projectId);
  const channels = input.channels ? [...new Set(input.channels)] : null;
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
  return toSyncRun(row);
}
