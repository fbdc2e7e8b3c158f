import { fromBase64Url, toBase64Url } from "@pushbunny/core";
import {
  type AdCampaignMetricsRow,
  type AdChannel,
  type ChannelTotals,
  campaignTotals,
  distinctCampaigns,
  listCampaignMetrics,
} from "@pushbunny/db";
import type { AppContext } from "../context";
import { BadRequestError } from "../errors";

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const ratio = (n: number, d: number, round: (x: number) => number) => (d > 0 ? round(n / d) : null);

export interface CampaignRowView {
  channel: AdChannel;
  campaign_id: string;
  campaign_name: string;
  date: string;
  source: "api" | "sandbox";
  cost: number;
  clicks: number;
  impressions: number;
  engagement: number;
  conversions: number;
  conversion_value: number;
  conversion_rate: number | null;
  roi: number | null;
  synced_at: string;
}

const rowView = (r: AdCampaignMetricsRow): CampaignRowView => ({
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
});

// base64url of UTF-8: campaign ids are the channel's and may hold any character.
function encodeCursor(r: AdCampaignMetricsRow): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify([r.date, r.channel, r.campaignId])));
}

function decodeCursor(cursor: string): { date: string; channel: string; campaignId: string } {
  try {
    const [date, channel, campaignId] = JSON.parse(
      new TextDecoder().decode(fromBase64Url(cursor)),
    ) as unknown[];
    if (typeof date === "string" && typeof channel === "string" && typeof campaignId === "string") {
      return { date, channel, campaignId };
    }
  } catch {
    // Falls through to the 400 below.
  }
  throw new BadRequestError("cursor is not one this API returned", [{ path: "cursor", message: "invalid" }]);
}

export interface CampaignQuery {
  channel?: AdChannel;
  campaignId?: string;
  dateFrom?: string;
  dateTo?: string;
  limit: number;
  cursor?: string;
}

/** GET /v1/ads/campaigns: metrics rows, newest day first, keyset-paged. */
export async function listCampaigns({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: CampaignQuery;
}) {
  const rows = await listCampaignMetrics(ctx.db, {
    projectId,
    ...(input.channel ? { channel: input.channel } : {}),
    ...(input.campaignId ? { campaignId: input.campaignId } : {}),
    ...(input.dateFrom ? { fromDay: input.dateFrom } : {}),
    ...(input.dateTo ? { toDay: input.dateTo } : {}),
    ...(input.cursor ? { after: decodeCursor(input.cursor) } : {}),
    limit: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    campaigns: page.map(rowView),
    next_cursor: rows.length > input.limit && last ? encodeCursor(last) : null,
  };
}

export interface ChannelSummary {
  channel: AdChannel | "all";
  campaigns: number;
  days: number;
  cost: number;
  clicks: number;
  impressions: number;
  engagement: number;
  conversions: number;
  conversion_value: number;
  ctr: number | null;
  cpc: number | null;
  cpa: number | null;
  conversion_rate: number | null;
  roas: number | null;
  roi: number | null;
}

function summarise(channel: AdChannel | "all", t: Omit<ChannelTotals, "channel">): ChannelSummary {
  return {
    channel,
    campaigns: t.campaigns,
    days: t.days,
    cost: r2(t.cost),
    clicks: t.clicks,
    impressions: t.impressions,
    engagement: t.engagement,
    conversions: r2(t.conversions),
    conversion_value: r2(t.conversionValue),
    ctr: ratio(t.clicks, t.impressions, r4),
    cpc: ratio(t.cost, t.clicks, r2),
    cpa: ratio(t.cost, t.conversions, r2),
    conversion_rate: ratio(t.conversions, t.clicks, r4),
    roas: ratio(t.conversionValue, t.cost, r4),
    roi: ratio(t.conversionValue - t.cost, t.cost, r4),
  };
}

/** GET /v1/ads/summary: totals and ROI per channel and overall, from the summed rows. */
export async function adsSummary({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { dateFrom?: string; dateTo?: string; channel?: AdChannel };
}) {
  const filter = {
    projectId,
    ...(input.channel ? { channel: input.channel } : {}),
    ...(input.dateFrom ? { fromDay: input.dateFrom } : {}),
    ...(input.dateTo ? { toDay: input.dateTo } : {}),
  };
  const [totals, campaigns] = await Promise.all([
    campaignTotals(ctx.db, filter),
    distinctCampaigns(ctx.db, filter),
  ]);
  const all = totals.reduce(
    (s, t) => ({
      campaigns: s.campaigns + t.campaigns,
      days: Math.max(s.days, t.days),
      cost: s.cost + t.cost,
      clicks: s.clicks + t.clicks,
      impressions: s.impressions + t.impressions,
      engagement: s.engagement + t.engagement,
      conversions: s.conversions + t.conversions,
      conversionValue: s.conversionValue + t.conversionValue,
    }),
    {
      campaigns: 0,
      days: 0,
      cost: 0,
      clicks: 0,
      impressions: 0,
      engagement: 0,
      conversions: 0,
      conversionValue: 0,
    },
  );
  return {
    date_from: input.dateFrom ?? null,
    date_to: input.dateTo ?? null,
    channels: totals.map((t) => summarise(t.channel, t)),
    total: summarise("all", { ...all, campaigns }),
  };
}
