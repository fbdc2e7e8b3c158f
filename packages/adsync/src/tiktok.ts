import { defineApiConnector, type FetchContext } from "./api-connector";
import type { TikTokCredentials } from "./credentials";
import { parseDay, splitRange } from "./dates";
import { AdSyncError } from "./errors";
import { type HttpClient, type HttpResponse, parseJsonBody, retryAfterMs, send } from "./http";
import { metricValue, preview, type RawMetrics } from "./normalize";
import { withRetry } from "./retry";
import { httpClient, retryContext } from "./settings";
import { asArray, asId, asNumber, asRecord, asString, type JsonRecord, tryParseJson } from "./shape";
import type { Connector, ConnectorOptions, DateRange } from "./types";

const TIKTOK_BASE_URL = "https://business-api.tiktok.com";
const REPORT_PATH = "/open_api/v1.3/report/integrated/get/";
const LABEL = "TikTok Business API";
const CHANNEL = "tiktok";
// With stat_time_day as a dimension the synchronous report refuses ranges longer than 30 days.
const MAX_DAYS_PER_REPORT = 30;

/**
 * What we ask for. Conversions are web purchases tracked by the TikTok Pixel ("Complete Payment"),
 * and total_complete_payment_rate is, despite its name, their total value: the pair matches Meta's
 * purchase actions, so ROI means the same on every channel.
 */
export const TIKTOK_METRICS = [
  "campaign_name",
  "spend",
  "clicks",
  "impressions",
  "likes",
  "comments",
  "shares",
  "follows",
  "complete_payment",
  "total_complete_payment_rate",
] as const;

const ENGAGEMENT_METRICS = ["likes", "comments", "shares", "follows"] as const;

// Return codes from the response body (TikTok answers HTTP 200 even for failures).
const RATE_LIMIT_CODES = new Set([40100, 40133, 42900]);
const AUTH_CODES = new Set([40001, 40002, 40101, 40102, 40104, 40105, 40106, 40107, 40300]);
const isSystemError = (code: number): boolean => code >= 50_000 && code < 60_000;

/** Daily campaign metrics from the synchronous BASIC integrated report. */
export function createTikTokConnector(credentials: TikTokCredentials, options?: ConnectorOptions): Connector {
  return defineApiConnector({
    channel: CHANNEL,
    label: "TikTok",
    credentials,
    options,
    secretFields: ["accessToken"],
    fetchRows: fetchReport,
  });
}

async function fetchReport(ctx: FetchContext<TikTokCredentials>): Promise<RawMetrics[]> {
  const client = httpClient(CHANNEL, ctx.settings);
  const retry = retryContext(CHANNEL, ctx.settings, ctx.signal);
  const rows: RawMetrics[] = [];
  for (const part of splitRange(ctx.range, MAX_DAYS_PER_REPORT)) {
    for (let page = 1, totalPages = 1; page <= totalPages; page++) {
      const url = reportUrl(ctx, part, page);
      const result = await withRetry(retry, () =>
        fetchPage(client, url, ctx.credentials.accessToken, ctx.signal),
      );
      rows.push(...result.rows);
      totalPages = result.totalPages;
    }
  }
  return rows;
}

function reportUrl(ctx: FetchContext<TikTokCredentials>, range: DateRange, page: number): string {
  const url = new URL(`${ctx.settings.baseUrl("tiktok", TIKTOK_BASE_URL)}${REPORT_PATH}`);
  url.search = new URLSearchParams({
    advertiser_id: ctx.credentials.advertiserId,
    report_type: "BASIC",
    data_level: "AUCTION_CAMPAIGN",
    dimensions: JSON.stringify(["campaign_id", "stat_time_day"]),
    metrics: JSON.stringify(TIKTOK_METRICS),
    start_date: range.since,
    end_date: range.until,
    page: String(page),
    page_size: String(ctx.settings.pageSize),
  }).toString();
  return url.toString();
}

interface ReportPage {
  rows: RawMetrics[];
  totalPages: number;
}

async function fetchPage(
  client: HttpClient,
  url: string,
  accessToken: string,
  signal: AbortSignal | undefined,
): Promise<ReportPage> {
  const response = await send(
    client,
    LABEL,
    url,
    { method: "GET", headers: { "access-token": accessToken, accept: "application/json" } },
    signal,
  );
  if (response.status !== 200) throw httpFailure(response);
  const body = asRecord(parseJsonBody(CHANNEL, LABEL, response));
  const code = asNumber(body?.code);
  if (code === undefined) throw new AdSyncError("bad_response", CHANNEL, `${LABEL} response has no code`);
  if (code !== 0) throw codeFailure(code, asString(body?.message) ?? "", response);

  const data = asRecord(body?.data);
  const list = asArray(data?.list);
  if (!list) throw new AdSyncError("bad_response", CHANNEL, `${LABEL} report has no data.list`);
  const totalPages = asNumber(asRecord(data?.page_info)?.total_page) ?? 1;
  return { rows: list.map((item) => toRawMetrics(asRecord(item))), totalPages };
}

function toRawMetrics(item: JsonRecord | undefined): RawMetrics {
  const dimensions = asRecord(item?.dimensions);
  const campaignId = asId(dimensions?.campaign_id);
  // stat_time_day comes as "2026-11-20 00:00:00".
  const date = asString(dimensions?.stat_time_day)?.slice(0, 10);
  if (campaignId === undefined || parseDay(date) === undefined) {
    throw new AdSyncError("bad_response", CHANNEL, `${LABEL} report row lacks campaign_id or stat_time_day`);
  }
  const metrics = asRecord(item?.metrics) ?? {};
  const field = (name: string): number => metricValue(metrics[name], name, CHANNEL);
  return {
    channel: CHANNEL,
    campaignId,
    campaignName: asString(metrics.campaign_name) ?? "",
    date: date as string,
    cost: field("spend"),
    clicks: field("clicks"),
    impressions: field("impressions"),
    engagement: ENGAGEMENT_METRICS.reduce((sum, name) => sum + field(name), 0),
    conversions: field("complete_payment"),
    conversionValue: field("total_complete_payment_rate"),
  };
}

function codeFailure(code: number, message: string, response: HttpResponse): AdSyncError {
  const text = `${LABEL} code ${code}: ${preview(message)}`;
  if (RATE_LIMIT_CODES.has(code)) {
    const wait = retryAfterMs(response.headers);
    return new AdSyncError("rate_limited", CHANNEL, text, { retryAfterMs: wait });
  }
  if (AUTH_CODES.has(code)) {
    return new AdSyncError(
      "auth",
      CHANNEL,
      `${text} — check the access token and its access to this advertiser`,
    );
  }
  if (isSystemError(code)) return new AdSyncError("transient", CHANNEL, text, { code: "channel_error" });
  return new AdSyncError("bad_response", CHANNEL, text, { code: "request_rejected" });
}

/** A non-200 status, which TikTok's gateway sends for throttling and outages; the body may still carry a code. */
function httpFailure(response: HttpResponse): AdSyncError {
  const status = response.status;
  const body = asRecord(tryParseJson(response.text));
  const code = asNumber(body?.code);
  const text = `${LABEL} HTTP ${status}${code === undefined ? "" : ` code ${code}`}: ${preview(asString(body?.message) ?? response.text)}`;
  const wait = retryAfterMs(response.headers);
  if (status === 429)
    return new AdSyncError("rate_limited", CHANNEL, text, {
      status,
      retryAfterMs: wait,
    });
  if (status >= 500)
    return new AdSyncError("transient", CHANNEL, text, {
      status,
      retryAfterMs: wait,
    });
  if (code !== undefined && code !== 0) {
    const byCode = codeFailure(code, asString(body?.message) ?? "", response);
    return new AdSyncError(byCode.kind, CHANNEL, text, { status, retryAfterMs: byCode.retryAfterMs });
  }
  if (status === 401 || status === 403) return new AdSyncError("auth", CHANNEL, text, { status });
  return new AdSyncError("bad_response", CHANNEL, text, { status });
}
