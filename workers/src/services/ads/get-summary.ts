import { type AdChannel, type ChannelTotals, campaignTotals, distinctCampaigns } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const ratio = (n: number, d: number, round: (x: number) => number) => (d > 0 ? round(n / d) : null);

/** Totals of one channel (or all) over a day range, with the usual ad ratios; null where the denominator is 0. */
export interface ChannelSummary {
  channel: AdChannel | "all";
  campaigns: number;
  days: number;
  cost: number;
  clicks: number;
  impressions: number;
  engagement: number;
  conversions: number;
  conversionValue: number;
  ctr: number | null;
  cpc: number | null;
  cpa: number | null;
  conversionRate: number | null;
  roas: number | null;
  roi: number | null;
}

export interface AdsSummary {
  dateFrom: string | null;
  dateTo: string | null;
  channels: ChannelSummary[];
  total: ChannelSummary;
}

function summarize(channel: AdChannel | "all", t: Omit<ChannelTotals, "channel">): ChannelSummary {
  return {
    channel,
    campaigns: t.campaigns,
    days: t.days,
    cost: r2(t.cost),
    clicks: t.clicks,
    impressions: t.impressions,
    engagement: t.engagement,
    conversions: r2(t.conversions),
    conversionValue: r2(t.conversionValue),
    ctr: ratio(t.clicks, t.impressions, r4),
    cpc: ratio(t.cost, t.clicks, r2),
    cpa: ratio(t.cost, t.conversions, r2),
    conversionRate: ratio(t.conversions, t.clicks, r4),
    roas: ratio(t.conversionValue, t.cost, r4),
    roi: ratio(t.conversionValue - t.cost, t.cost, r4),
  };
}

const ZERO: Omit<ChannelTotals, "channel"> = {
  campaigns: 0,
  days: 0,
  cost: 0,
  clicks: 0,
  impressions: 0,
  engagement: 0,
  conversions: 0,
  conversionValue: 0,
};

/** Totals and ROI per channel and overall, from the summed rows (a Meta campaign on two channels counts once overall). */
export async function getAdsSummary({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { dateFrom?: string; dateTo?: string; channel?: AdChannel };
}): Promise<AdsSummary> {
  if (input.dateFrom && input.dateTo && input.dateFrom > input.dateTo) {
    throw BadRequestError.fromIssues([{ path: "date_from", message: "after date_to" }]);
  }
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
    ZERO,
  );
  return {
    dateFrom: input.dateFrom ?? null,
    dateTo: input.dateTo ?? null,
    channels: totals.map((t) => summarize(t.channel, t)),
    total: summarize("all", { ...all, campaigns }),
  };
}
