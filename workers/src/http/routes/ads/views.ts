import type { ChannelSummary } from "../../../services/ads/get-summary";
import type { AdSyncStatus } from "../../../services/ads/get-sync-status";
import type { AdConnection, AdSyncRun, SyncFailure } from "../../../services/ads/lib/types";
import type { CampaignDay } from "../../../services/ads/list-campaigns";
import type {
  CampaignRowView,
  ChannelSummaryView,
  ChannelViewJson,
  SyncRunView,
  SyncStatusJson,
} from "./schemas";

// Domain objects (camelCase, Unix ms) to the wire (snake_case, ISO 8601).

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function connectionJson(c: AdConnection): ChannelViewJson {
  return {
    channel: c.channel,
    source: c.source,
    account_id: c.accountId,
    last_status: c.lastStatus,
    last_error: c.lastError?.message ?? null,
    last_error_code: c.lastError?.code ?? null,
    last_synced_at: iso(c.lastSyncedAt),
    connected_at: new Date(c.connectedAt).toISOString(),
  };
}

function failureJson(f: SyncFailure) {
  return {
    kind: f.kind,
    ...(f.code === undefined ? {} : { code: f.code }),
    message: f.message,
    ...(f.status === undefined ? {} : { status: f.status }),
    ...(f.retryAfterMs === undefined ? {} : { retry_after_ms: f.retryAfterMs, retryAfterMs: f.retryAfterMs }),
    ...(f.retryAt === undefined ? {} : { retry_at: new Date(f.retryAt).toISOString() }),
  };
}

export function runJson(r: AdSyncRun): SyncRunView {
  return {
    run_id: r.id,
    trigger: r.trigger,
    status: r.status,
    attempt: r.attempt,
    since: r.since,
    until: r.until,
    channels: r.channels,
    rows: r.rows,
    results: r.results.map((x) => ({
      channel: x.channel,
      source: x.source,
      status: x.status,
      rows: x.rows,
      attempts: x.attempts,
      ...(x.error ? { error: failureJson(x.error) } : {}),
    })),
    queued_at: new Date(r.queuedAt).toISOString(),
    started_at: iso(r.startedAt),
    finished_at: iso(r.finishedAt),
  };
}

export function statusJson(s: AdSyncStatus): SyncStatusJson {
  return {
    schedule: s.schedule,
    paused: s.pausedAt !== null,
    paused_at: iso(s.pausedAt),
    next_run_at: iso(s.nextRunAt),
    channels: s.connections.map(connectionJson),
    runs: s.runs.map(runJson),
  };
}

export function campaignJson(r: CampaignDay): CampaignRowView {
  return {
    channel: r.channel,
    campaign_id: r.campaignId,
    campaign_name: r.campaignName,
    date: r.date,
    source: r.source,
    cost: r.cost,
    clicks: r.clicks,
    impressions: r.impressions,
    engagement: r.engagement,
    conversions: r.conversions,
    conversion_value: r.conversionValue,
    conversion_rate: r.conversionRate,
    roi: r.roi,
    synced_at: new Date(r.syncedAt).toISOString(),
  };
}

export function summaryJson(s: ChannelSummary): ChannelSummaryView {
  return {
    channel: s.channel,
    campaigns: s.campaigns,
    days: s.days,
    cost: s.cost,
    clicks: s.clicks,
    impressions: s.impressions,
    engagement: s.engagement,
    conversions: s.conversions,
    conversion_value: s.conversionValue,
    ctr: s.ctr,
    cpc: s.cpc,
    cpa: s.cpa,
    conversion_rate: s.conversionRate,
    roas: s.roas,
    roi: s.roi,
  };
}
