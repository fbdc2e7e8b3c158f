import { AdSyncError } from "./errors";
import type { CampaignMetrics, Channel } from "./types";

/** One report row in channel-neutral units, before rounding and derived ratios. */
export interface RawMetrics {
  channel: Channel;
  campaignId: string;
  campaignName: string;
  date: string;
  cost: number;
  clicks: number;
  impressions: number;
  engagement: number;
  conversions: number;
  conversionValue: number;
}

type Summed = "cost" | "clicks" | "impressions" | "engagement" | "conversions" | "conversionValue";
const SUMMED: readonly Summed[] = [
  "cost",
  "clicks",
  "impressions",
  "engagement",
  "conversions",
  "conversionValue",
];

/**
 * Rounds half away from zero at `decimals` places. Scaling through the exponent avoids the binary
 * error of `x * 100` (1.005 * 100 is 100.49999…), and the `|| 0` drops negative zero.
 */
export function round(value: number, decimals: number): number {
  const text = String(Math.abs(value));
  // Exponent notation (1e-7, 1e+21) cannot take another exponent; at those sizes the plain way is exact enough.
  if (text.includes("e")) return Math.round(value * 10 ** decimals) / 10 ** decimals || 0;
  const magnitude = Math.round(Number(`${text}e${decimals}`));
  const rounded = Number(`${magnitude}e-${decimals}`);
  return (value < 0 ? -rounded : rounded) || 0;
}

/**
 * Merges rows for the same campaign and day by summing (Meta splits a day per placement), rounds,
 * derives conversion rate and ROI from the rounded totals, and sorts by (date, campaignId).
 */
export function normalizeRows(rows: readonly RawMetrics[]): CampaignMetrics[] {
  const merged = new Map<string, RawMetrics>();
  for (const row of rows) {
    const key = `${row.channel}\u0000${row.campaignId}\u0000${row.date}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { ...row });
      continue;
    }
    for (const field of SUMMED) seen[field] += row[field];
    if (row.campaignName) seen.campaignName = row.campaignName;
  }
  return [...merged.values()].map(finalize).sort(byDateThenCampaign);
}

function finalize(row: RawMetrics): CampaignMetrics {
  const cost = round(row.cost, 2);
  const clicks = Math.round(row.clicks);
  const conversions = round(row.conversions, 2);
  const conversionValue = round(row.conversionValue, 2);
  return {
    channel: row.channel,
    campaignId: row.campaignId,
    campaignName: row.campaignName,
    date: row.date,
    cost,
    clicks,
    impressions: Math.round(row.impressions),
    engagement: Math.round(row.engagement),
    conversions,
    conversionValue,
    conversionRate: clicks === 0 ? null : round(conversions / clicks, 4),
    roi: cost === 0 ? null : round((conversionValue - cost) / cost, 4),
  };
}

function byDateThenCampaign(a: CampaignMetrics, b: CampaignMetrics): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.campaignId !== b.campaignId) return a.campaignId < b.campaignId ? -1 : 1;
  return 0;
}

/**
 * A metric as the channels send it: a number, or a decimal string (int64 fields and all of TikTok's).
 * Missing, empty and TikTok's "-" mean no activity; anything else is a response we do not understand.
 */
export function metricValue(value: unknown, field: string, channel: Channel): number {
  if (value === undefined || value === null || value === "" || value === "-") return 0;
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n)) {
    throw new AdSyncError("bad_response", channel, `${field} is not a number: ${preview(String(value))}`);
  }
  return n;
}

/** Start of a text for error messages, flattened and cut to 200 characters. */
export function preview(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
