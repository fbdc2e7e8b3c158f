import { defineApiConnector, type FetchContext } from "./api-connector";
import type { MetaCredentials } from "./credentials";
import { parseDay } from "./dates";
import { AdSyncError } from "./errors";
import { type HttpClient, type HttpResponse, parseJsonBody, retryAfterMs, send } from "./http";
import { metricValue, preview, type RawMetrics } from "./normalize";
import { withRetry } from "./retry";
import { httpClient, retryContext } from "./settings";
import { asArray, asId, asNumber, asRecord, asString, type JsonRecord, tryParseJson } from "./shape";
import type { Channel, Connector, ConnectorOptions } from "./types";

export const DEFAULT_META_API_VERSION = "v24.0";
const META_BASE_URL = "https://graph.facebook.com";
const LABEL = "Meta Graph API";

export type MetaChannel = "facebook" | "instagram";

const FIELDS = [
  "campaign_id",
  "campaign_name",
  "spend",
  "clicks",
  "impressions",
  "inline_post_engagement",
  "actions",
  "action_values",
  "date_start",
  "date_stop",
].join(",");

// The same purchase is reported under several overlapping action types; omni_purchase already
// includes the others (web, app, offline), so summing them would count a sale two or three times.
const PURCHASE_ACTION_TYPES = ["omni_purchase", "purchase", "offsite_conversion.fb_pixel_purchase"] as const;

// Graph API throttling codes: app (4), user (17), page (32), custom rate limit (613), and the
// business-use-case limits (80000–80014, ads insights is 80000).
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
const isBusinessUseCaseLimit = (code: number): boolean => code >= 80_000 && code <= 80_014;

/** Campaign insights for one Meta ad account, split by publisher_platform and kept for `channel` only. */
export function createMetaConnector(
  channel: MetaChannel,
  credentials: MetaCredentials,
  options?: ConnectorOptions,
): Connector {
  return defineApiConnector({
    channel,
    label: "Meta",
    credentials,
    options,
    secretFields: ["accessToken"],
    fetchRows: (ctx) => fetchInsights(channel, ctx),
  });
}

async function fetchInsights(
  channel: MetaChannel,
  ctx: FetchContext<MetaCredentials>,
): Promise<RawMetrics[]> {
  const { credentials, settings, range, signal } = ctx;
  const base = settings.baseUrl("meta", META_BASE_URL);
  const client = httpClient(channel, settings);
  const retry = retryContext(channel, settings, signal);
  const accountId = credentials.adAccountId.replace(/^act_/, "");
  const version = credentials.apiVersion ?? DEFAULT_META_API_VERSION;

  const first = new URL(`${base}/${version}/act_${accountId}/insights`);
  first.search = new URLSearchParams({
    level: "campaign",
    fields: FIELDS,
    time_range: JSON.stringify({ since: range.since, until: range.until }),
    time_increment: "1",
    breakdowns: "publisher_platform",
    // Attribute like Ads Manager does, so the numbers match what the operator sees there.
    use_unified_attribution_setting: "true",
    limit: String(settings.pageSize),
  }).toString();

  const rows: RawMetrics[] = [];
  const visited = new Set<string>();
  let url: string | undefined = first.toString();
  while (url !== undefined) {
    const pageUrl: string = url;
    visited.add(pageUrl);
    const page = await withRetry(retry, () => fetchPage(client, pageUrl, credentials.accessToken, signal));
    for (const row of page.rows) {
      if (asString(row.publisher_platform) === channel) rows.push(toRawMetrics(channel, row));
    }
    url = nextPageUrl(channel, page.next, base, visited);
  }
  return rows;
}

interface InsightsPage {
  rows: JsonRecord[];
  next: unknown;
}

async function fetchPage(
  client: HttpClient,
  url: string,
  accessToken: string,
  signal: AbortSignal | undefined,
): Promise<InsightsPage> {
  // The Graph API accepts the token as a bearer header; in the query string it would end up in logs.
  const response = await send(
    client,
    LABEL,
    url,
    { method: "GET", headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" } },
    signal,
  );
  if (response.status < 200 || response.status >= 300) throw metaFailure(client.channel, response);
  const body = asRecord(parseJsonBody(client.channel, LABEL, response));
  const data = asArray(body?.data);
  if (!body || !data) {
    throw new AdSyncError("bad_response", client.channel, `${LABEL} insights response has no data array`);
  }
  const rows = data.map((item) => {
    const row = asRecord(item);
    if (!row) throw new AdSyncError("bad_response", client.channel, `${LABEL} insights row is not an object`);
    return row;
  });
  return { rows, next: asRecord(body.paging)?.next };
}

/**
 * The next page, if any. paging.next is an absolute URL chosen by the server, so it must stay on
 * the configured host (the bearer token goes wherever we follow), and Graph may add the token to it.
 */
function nextPageUrl(
  channel: MetaChannel,
  next: unknown,
  base: string,
  visited: ReadonlySet<string>,
): string | undefined {
  if (next === undefined || next === null || next === "") return undefined;
  const fail = (why: string): AdSyncError =>
    new AdSyncError("bad_response", channel, `${LABEL} paging.next ${why}`);
  if (typeof next !== "string") throw fail("is not a string");
  let url: URL;
  try {
    url = new URL(next);
  } catch {
    throw fail("is not a URL");
  }
  if (url.origin !== new URL(base).origin) throw fail(`points to another host (${url.host})`);
  url.searchParams.delete("access_token");
  const href = url.toString();
  if (visited.has(href)) throw fail("repeats a page already read");
  return href;
}

function toRawMetrics(channel: MetaChannel, row: JsonRecord): RawMetrics {
  const campaignId = asId(row.campaign_id);
  const date = asString(row.date_start);
  if (campaignId === undefined || parseDay(date) === undefined) {
    throw new AdSyncError("bad_response", channel, `${LABEL} insights row lacks campaign_id or date_start`);
  }
  const field = (name: string): number => metricValue(row[name], name, channel);
  return {
    channel,
    campaignId,
    campaignName: asString(row.campaign_name) ?? "",
    date: date as string,
    cost: field("spend"),
    clicks: field("clicks"),
    impressions: field("impressions"),
    engagement: field("inline_post_engagement"),
    conversions: purchaseTotal(channel, row.actions, "actions"),
    conversionValue: purchaseTotal(channel, row.action_values, "action_values"),
  };
}

/** The value of the broadest purchase action type present (see PURCHASE_ACTION_TYPES). */
function purchaseTotal(channel: MetaChannel, list: unknown, name: string): number {
  const actions = (asArray(list) ?? []).map(asRecord);
  for (const type of PURCHASE_ACTION_TYPES) {
    const matches = actions.filter((a) => a?.action_type === type);
    if (matches.length > 0) {
      return matches.reduce((sum, a) => sum + metricValue(a?.value, `${name}.${type}`, channel), 0);
    }
  }
  return 0;
}

/** Classifies a non-2xx Graph API response; its body is `{"error":{"message","type","code","error_subcode",…}}`. */
export function metaFailure(channel: Channel, response: HttpResponse): AdSyncError {
  const error = asRecord(asRecord(tryParseJson(response.text))?.error);
  const code = asNumber(error?.code);
  const subcode = asNumber(error?.error_subcode);
  const message = asString(error?.message) ?? preview(response.text);
  const codes = code === undefined ? "" : ` (#${code}${subcode === undefined ? "" : `/${subcode}`})`;
  const text = `${LABEL} HTTP ${response.status}${codes}: ${preview(message)}`;
  const status = response.status;

  if (code === 190 || code === 102) {
    return new AdSyncError("auth", channel, `${text} — the access token is invalid or expired`, { status });
  }
  if (
    response.status === 429 ||
    (code !== undefined && (RATE_LIMIT_CODES.has(code) || isBusinessUseCaseLimit(code)))
  ) {
    const wait = retryAfterMs(response.headers) ?? businessUseCaseWaitMs(response.headers);
    return new AdSyncError("rate_limited", channel, text, {
      status,
      retryAfterMs: wait,
    });
  }
  // 10 and 200–299 are permission errors (token lacks ads_read, or no access to this account);
  // 100/33 is Graph's "object does not exist or you cannot see it", here the ad account.
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299) || (code === 100 && subcode === 33)) {
    return new AdSyncError("auth", channel, `${text} — the token cannot read this ad account`, { status });
  }
  // 1 (unknown) and 2 (service unavailable) are Graph's own transient failures; it also flags others.
  if (response.status >= 500 || code === 1 || code === 2 || error?.is_transient === true) {
    return new AdSyncError("transient", channel, text, { status });
  }
  if (response.status === 401 || response.status === 403)
    return new AdSyncError("auth", channel, text, { status });
  return new AdSyncError("bad_response", channel, text, { status });
}

/**
 * The wait Meta predicts in X-Business-Use-Case-Usage:
 * `{"<business id>":[{"type":"ads_insights","estimated_time_to_regain_access":5,…}]}`, in minutes.
 */
function businessUseCaseWaitMs(headers: Headers): number | undefined {
  const usage = asRecord(tryParseJson(headers.get("x-business-use-case-usage") ?? ""));
  const minutes = Object.values(usage ?? {})
    .flatMap((entries) => asArray(entries) ?? [])
    .map((entry) => asNumber(asRecord(entry)?.estimated_time_to_regain_access) ?? 0);
  const longest = Math.max(0, ...minutes);
  return longest > 0 ? longest * 60_000 : undefined;
}
