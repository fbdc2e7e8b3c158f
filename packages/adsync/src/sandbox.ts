import { checkRange, daysIn, parseDay } from "./dates";
import { sanitizeError, throwIfAborted } from "./errors";
import { normalizeRows, type RawMetrics } from "./normalize";
import { between, intBetween, logBetween, type Rng, rngFor } from "./prng";
import { type Channel, type Connector, isChannel } from "./types";

export const DEFAULT_SANDBOX_SEED = "pushbunny";

type Span = readonly [min: number, max: number];

/** What a channel's campaigns typically look like; every campaign draws its own numbers from these spans. */
interface ChannelShape {
  /** Channels of one family share campaigns: a Meta campaign delivers on Facebook and Instagram alike. */
  family: "meta" | "google" | "tiktok";
  names: readonly string[];
  newId: (rng: Rng) => string;
  dailyImpressions: Span;
  ctr: Span;
  cpc: Span;
  /** Engagements per impression. */
  engagementRate: Span;
  /** Google's data-driven attribution splits conversions; the others count whole purchases. */
  fractionalConversions: boolean;
  /** Delivery multiplier by UTC weekday, Sunday first. */
  weekday: readonly number[];
}

const META_NAMES = [
  "Spring Sale – Retargeting",
  "Always-on – Prospecting",
  "Advantage+ Shopping – Catalog",
  "Cart Abandoners – DPA",
  "Lookalike 1% – Purchasers",
  "New Collection – Broad",
  "Brand Awareness – Video",
  "Loyalty – Past Buyers",
];
// Social feeds peak at the weekend, search during the working week.
const SOCIAL_WEEK = [1.12, 0.95, 0.93, 0.96, 0.98, 1.03, 1.1];

const SHAPES: Record<Channel, ChannelShape> = {
  facebook: {
    family: "meta",
    names: META_NAMES,
    newId: metaCampaignId,
    dailyImpressions: [8_000, 120_000],
    ctr: [0.009, 0.022],
    cpc: [0.5, 1.6],
    engagementRate: [0.01, 0.035],
    fractionalConversions: false,
    weekday: SOCIAL_WEEK,
  },
  instagram: {
    family: "meta",
    names: META_NAMES,
    newId: metaCampaignId,
    dailyImpressions: [5_000, 90_000],
    ctr: [0.005, 0.014],
    cpc: [0.6, 1.8],
    engagementRate: [0.015, 0.05],
    fractionalConversions: false,
    weekday: SOCIAL_WEEK,
  },
  google_ads: {
    family: "google",
    names: [
      "Brand – Search – Exact",
      "Generic – Search – Running Shoes",
      "Performance Max – All Products",
      "Shopping – Bestsellers",
      "Competitors – Search",
      "Display – Remarketing",
      "YouTube – In-stream Awareness",
    ],
    newId: (rng) => idOf(rng, String(intBetween(rng, 1, 2)), intBetween(rng, 10, 11)),
    dailyImpressions: [3_000, 40_000],
    ctr: [0.015, 0.029],
    cpc: [0.8, 3.2],
    engagementRate: [0, 0.004],
    fractionalConversions: true,
    weekday: [0.82, 1.08, 1.1, 1.08, 1.04, 0.95, 0.8],
  },
  tiktok: {
    family: "tiktok",
    names: [
      "Spark Ads – Creator Collab",
      "Spring Sale – Web Conversions",
      "Smart+ Catalog – Purchases",
      "UGC Hooks – Traffic",
      "Retargeting – Video Viewers 50%",
      "New Drop – Broad Audience",
    ],
    newId: (rng) => idOf(rng, "17", intBetween(rng, 16, 19)),
    dailyImpressions: [10_000, 150_000],
    ctr: [0.005, 0.014],
    cpc: [0.25, 0.9],
    engagementRate: [0.02, 0.06],
    fractionalConversions: false,
    weekday: [1.15, 0.92, 0.9, 0.93, 0.97, 1.05, 1.15],
  },
};

/** Meta ids: 18 digits starting 120 for current campaigns, 17 starting 238 for older ones. */
function metaCampaignId(rng: Rng): string {
  return rng() < 0.6 ? idOf(rng, "120", 18) : idOf(rng, "238", 17);
}

function idOf(rng: Rng, prefix: string, length: number): string {
  let id = prefix;
  while (id.length < length) id += String(intBetween(rng, 0, 9));
  return id;
}

interface SandboxCampaign {
  id: string;
  name: string;
  impressions: number;
  ctr: number;
  cpc: number;
  conversionRate: number;
  /** Order value that, with this campaign's CPC and conversion rate, lands on its target ROAS. */
  orderValue: number;
  engagementRate: number;
}

/**
 * The campaigns of one channel for a seed. The first always loses money and the second always
 * makes it, so every seed shows both kinds; the rest fall anywhere in between.
 */
function campaignsFor(seed: string, channel: Channel): SandboxCampaign[] {
  const shape = SHAPES[channel];
  const family = rngFor(seed, shape.family, "campaigns");
  const count = intBetween(family, 3, 6);
  const names = shuffled(family, shape.names).slice(0, count);
  return names.map((name, index) => {
    const id = shape.newId(family);
    const rng = rngFor(seed, channel, id, "profile");
    const cpc = between(rng, ...shape.cpc);
    const conversionRate = between(rng, 0.015, 0.06);
    const roas =
      index === 0 ? between(rng, 0.45, 0.9) : index === 1 ? between(rng, 1.6, 4) : between(rng, 0.6, 3.2);
    return {
      id,
      name,
      impressions: logBetween(rng, ...shape.dailyImpressions),
      ctr: between(rng, ...shape.ctr),
      cpc,
      conversionRate,
      orderValue: (roas * cpc) / conversionRate,
      engagementRate: between(rng, ...shape.engagementRate),
    };
  });
}

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = intBetween(rng, 0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/** One campaign's day, drawn from (seed, channel, campaign, date) alone, so it never depends on the range asked. */
function dayOf(seed: string, channel: Channel, campaign: SandboxCampaign, date: string): RawMetrics {
  const shape = SHAPES[channel];
  const rng = rngFor(seed, channel, campaign.id, date);
  const weekday = shape.weekday[new Date(parseDay(date) ?? 0).getUTCDay()] ?? 1;
  const impressions = Math.round(
    clamp(campaign.impressions * weekday * between(rng, 0.8, 1.2), 2_000, 200_000),
  );
  const clicks = Math.round(impressions * clamp(campaign.ctr * between(rng, 0.85, 1.15), 0.005, 0.03));
  const expected = clicks * clamp(campaign.conversionRate * between(rng, 0.7, 1.3), 0.01, 0.08);
  const conversions = shape.fractionalConversions ? expected : Math.round(expected);
  return {
    channel,
    campaignId: campaign.id,
    campaignName: campaign.name,
    date,
    cost: clicks * campaign.cpc * between(rng, 0.9, 1.1),
    clicks,
    impressions,
    engagement: Math.round(impressions * campaign.engagementRate * between(rng, 0.8, 1.2)),
    conversions,
    conversionValue: conversions * campaign.orderValue * between(rng, 0.85, 1.15),
  };
}

/** Deterministic, plausible metrics for local development and demos; no network, no credentials. */
export function createSandboxConnector(channel: Channel, options: { seed?: string } = {}): Connector {
  if (!isChannel(channel)) throw new TypeError(`unknown ad channel ${JSON.stringify(channel)}`);
  const seed = options.seed ?? DEFAULT_SANDBOX_SEED;
  return {
    channel,
    source: "sandbox",
    async fetchMetrics(range, fetchOptions = {}) {
      try {
        throwIfAborted(channel, fetchOptions.signal);
        const checked = checkRange(channel, range);
        const campaigns = campaignsFor(seed, channel);
        const rows = daysIn(checked).flatMap((date) => campaigns.map((c) => dayOf(seed, channel, c, date)));
        return normalizeRows(rows);
      } catch (err) {
        throw sanitizeError(err, channel, []);
      }
    },
  };
}
