import { type CampaignMetrics, createConnector, describeFailure } from "@pushbunny/adsync";
import {
  type CampaignMetricsInsert,
  type ChannelAccountRow,
  recordChannelOutcome,
  upsertCampaignMetrics,
} from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { openCredentials } from "./credentials";
import { type ChannelResult, type SyncFailure, storedError } from "./types";

// Longer server-requested waits are not slept in the consumer: the run is retried via the queue.
const IN_PROCESS_MAX_DELAY_MS = 20_000;

/**
 * Fetches one channel's metrics for the range and upserts them on (project, channel, campaign,
 * date). Never throws for the channel's failures: they come back as the result's `error`, with a
 * code and a message that hold no credential, and are recorded on the connection.
 */
export async function syncChannel(
  ctx: AppContext,
  account: ChannelAccountRow,
  range: { since: string; until: string },
): Promise<ChannelResult> {
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
    const failure: SyncFailure = describeFailure(err);
    if (failure.code === "unexpected") {
      // Not the channel's doing (D1, a bug): the run says only that; the log has the detail.
      ctx.logger.error("ad sync failed unexpectedly", {
        projectId: account.projectId,
        channel,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
    }
    await recordChannelOutcome(ctx.db, {
      projectId: account.projectId,
      channel,
      ok: false,
      error: storedError(failure),
      at: ctx.now(),
    });
    return { channel, source: account.source, status: "error", rows: 0, attempts, error: failure };
  }
}

function toRow(m: CampaignMetrics, source: "api" | "sandbox"): CampaignMetricsInsert {
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
