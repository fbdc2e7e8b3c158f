export type Channel = "facebook" | "instagram" | "google_ads" | "tiktok";

/** Every channel, in the order the dashboard lists them. */
export const CHANNELS: readonly Channel[] = Object.freeze(["facebook", "instagram", "google_ads", "tiktok"]);

/** True for one of CHANNELS; for values that arrive from outside (requests, queues, storage). */
export function isChannel(value: unknown): value is Channel {
  return typeof value === "string" && (CHANNELS as readonly string[]).includes(value);
}

/** One campaign on one UTC day, normalized across channels. Money in the account currency, as a decimal number (Google cost_micros / 1e6). */
export interface CampaignMetrics {
  channel: Channel;
  campaignId: string;
  campaignName: string;
  /** YYYY-MM-DD, the day as the channel reports it. */
  date: string;
  /** Rounded to 2 decimals. */
  cost: number;
  clicks: number;
  impressions: number;
  /** Meta inline_post_engagement; Google metrics.engagements; TikTok likes + comments + shares + follows. */
  engagement: number;
  /** Fractional for Google (data-driven attribution), 2 decimals. */
  conversions: number;
  /** Attributed revenue, 2 decimals. */
  conversionValue: number;
  /** conversions / clicks, 4 decimals; null when clicks = 0. */
  conversionRate: number | null;
  /** (conversionValue − cost) / cost, 4 decimals; null when cost = 0. */
  roi: number | null;
}

/** Inclusive YYYY-MM-DD bounds. */
export interface DateRange {
  since: string;
  until: string;
}

export interface FetchOptions {
  signal?: AbortSignal;
}

/** One source of campaign metrics: a real ad API or the sandbox. */
export interface Connector {
  readonly channel: Channel;
  readonly source: "api" | "sandbox";
  /** All campaigns × days in range (all pages). Throws AdSyncError. */
  fetchMetrics(range: DateRange, options?: FetchOptions): Promise<CampaignMetrics[]>;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ConnectorOptions {
  /** Default: the global fetch, looked up per call. */
  fetch?: typeof fetch;
  /** Override API hosts (stub servers in tests). */
  baseUrls?: { meta?: string; googleAds?: string; googleOAuth?: string; tiktok?: string };
  retry?: Partial<RetryPolicy>;
  /** Injectable so tests don't wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Per HTTP request, body included; default 20_000. */
  timeoutMs?: number;
  /** Rows per page (Meta limit, TikTok page_size); default 500. */
  pageSize?: number;
  /** Sandbox seed; default "pushbunny". */
  seed?: string;
}
