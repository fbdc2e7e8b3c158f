import { defineApiConnector, type FetchContext } from "./api-connector";
import type { GoogleAdsCredentials } from "./credentials";
import { parseDay } from "./dates";
import { AdSyncError, isAdSyncError } from "./errors";
import { durationMs, type HttpClient, type HttpResponse, parseJsonBody, retryAfterMs, send } from "./http";
import { metricValue, preview, type RawMetrics } from "./normalize";
import { withRetry } from "./retry";
import { httpClient, retryContext, type Settings } from "./settings";
import { asArray, asId, asNumber, asRecord, asString, type JsonRecord, tryParseJson } from "./shape";
import type { Connector, ConnectorOptions, DateRange } from "./types";

export const DEFAULT_GOOGLE_ADS_API_VERSION = "v24";
const GOOGLE_ADS_BASE_URL = "https://googleads.googleapis.com";
const GOOGLE_OAUTH_BASE_URL = "https://oauth2.googleapis.com";
const ADS_LABEL = "Google Ads API";
const OAUTH_LABEL = "Google OAuth";
const CHANNEL = "google_ads";
// Refresh a minute early so a token never expires between the check and Google reading it.
const EXPIRY_MARGIN_MS = 60_000;

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** Daily campaign metrics through GoogleAds.SearchStream, with its own OAuth access-token cache. */
export function createGoogleAdsConnector(
  credentials: GoogleAdsCredentials,
  options?: ConnectorOptions,
): Connector {
  // Per connector: one connector serves one set of credentials, so the token is theirs alone.
  let cached: CachedToken | undefined;

  const accessToken = async (
    ctx: FetchContext<GoogleAdsCredentials>,
    forceRefresh: boolean,
  ): Promise<string> => {
    if (!forceRefresh && cached && Date.now() < cached.expiresAt) return cached.value;
    cached = undefined;
    const token = await withRetry(retryContext(CHANNEL, ctx.settings, ctx.signal), () =>
      refreshAccessToken(ctx),
    );
    cached = token;
    return token.value;
  };

  return defineApiConnector({
    channel: CHANNEL,
    label: "Google Ads",
    credentials,
    options,
    secretFields: ["developerToken", "clientSecret", "refreshToken"],
    async fetchRows(ctx) {
      const search = async (token: string): Promise<RawMetrics[]> =>
        withRetry(retryContext(CHANNEL, ctx.settings, ctx.signal), () => searchStream(ctx, token));
      const token = await accessToken(ctx, false);
      try {
        return await search(token);
      } catch (err) {
        if (!(isAdSyncError(err) && err.status === 401)) throw err;
      }
      // A cached token can be revoked or expire early; one fresh token decides whether the
      // credentials themselves are bad (a second 401 then leaves as "auth").
      return await search(await accessToken(ctx, true));
    },
  });
}

/** POST {googleOAuth}/token with the refresh token; `{access_token, expires_in}` on success. */
async function refreshAccessToken(ctx: FetchContext<GoogleAdsCredentials>): Promise<CachedToken> {
  const { credentials, settings, signal } = ctx;
  const response = await send(
    httpClient(CHANNEL, settings),
    OAUTH_LABEL,
    `${settings.baseUrl("googleOAuth", GOOGLE_OAUTH_BASE_URL)}/token`,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        refresh_token: credentials.refreshToken,
      }).toString(),
    },
    signal,
  );
  if (response.status !== 200) throw oauthFailure(response);
  const body = asRecord(parseJsonBody(CHANNEL, OAUTH_LABEL, response));
  const value = asString(body?.access_token);
  if (!value)
    throw new AdSyncError("bad_response", CHANNEL, `${OAUTH_LABEL} token response has no access_token`);
  // Google issues one-hour tokens; assume that if expires_in is missing.
  const expiresInMs = (asNumber(body?.expires_in) ?? 3600) * 1000;
  return { value, expiresAt: Date.now() + expiresInMs - EXPIRY_MARGIN_MS };
}

function oauthFailure(response: HttpResponse): AdSyncError {
  const body = asRecord(tryParseJson(response.text));
  const code = asString(body?.error);
  const status = response.status;
  const text = `${OAUTH_LABEL} HTTP ${status}${code ? ` ${code}` : ""}: ${preview(asString(body?.error_description) ?? response.text)}`;
  if (status === 429)
    return new AdSyncError("rate_limited", CHANNEL, text, {
      status,
      retryAfterMs: retryAfterMs(response.headers),
    });
  if (status >= 500) return new AdSyncError("transient", CHANNEL, text, { status });
  // The only inputs are the client and the refresh token, so any other refusal (invalid_grant:
  // revoked or expired refresh token, invalid_client) is a credentials problem.
  return new AdSyncError("auth", CHANNEL, `${text} — re-authorize and paste a new refresh token`, { status });
}

/** The GAQL query; one row per campaign and day. */
export function gaqlQuery(range: DateRange): string {
  return (
    "SELECT campaign.id, campaign.name, segments.date, metrics.cost_micros, metrics.clicks, " +
    "metrics.impressions, metrics.engagements, metrics.conversions, metrics.conversions_value " +
    `FROM campaign WHERE segments.date BETWEEN '${range.since}' AND '${range.until}'`
  );
}

async function searchStream(
  ctx: FetchContext<GoogleAdsCredentials>,
  accessToken: string,
): Promise<RawMetrics[]> {
  const { credentials, settings, range, signal } = ctx;
  const client = httpClient(CHANNEL, settings);
  const response = await send(
    client,
    ADS_LABEL,
    searchStreamUrl(credentials, settings),
    {
      method: "POST",
      headers: searchHeaders(credentials, accessToken),
      body: JSON.stringify({ query: gaqlQuery(range) }),
    },
    signal,
  );
  if (response.status !== 200) throw googleAdsFailure(response);
  return parseStream(client, parseJsonBody(CHANNEL, ADS_LABEL, response), response);
}

function searchStreamUrl(credentials: GoogleAdsCredentials, settings: Settings): string {
  const base = settings.baseUrl("googleAds", GOOGLE_ADS_BASE_URL);
  const version = credentials.apiVersion ?? DEFAULT_GOOGLE_ADS_API_VERSION;
  return `${base}/${version}/customers/${digits(credentials.customerId)}/googleAds:searchStream`;
}

function searchHeaders(credentials: GoogleAdsCredentials, accessToken: string): Record<string, string> {
  return {
    authorization: `Bearer ${accessToken}`,
    "developer-token": credentials.developerToken,
    "content-type": "application/json",
    accept: "application/json",
    ...(credentials.loginCustomerId ? { "login-customer-id": digits(credentials.loginCustomerId) } : {}),
  };
}

const digits = (id: string): string => id.replace(/-/g, "");

/** The stream is a JSON array of batches `{results, fieldMask, requestId}`; a failure mid-stream arrives as `{error}`. */
function parseStream(client: HttpClient, body: unknown, response: HttpResponse): RawMetrics[] {
  const batches = asArray(body);
  if (!batches)
    throw new AdSyncError("bad_response", CHANNEL, `${ADS_LABEL} searchStream response is not an array`);
  const rows: RawMetrics[] = [];
  for (const item of batches) {
    const batch = asRecord(item);
    if (!batch) throw new AdSyncError("bad_response", CHANNEL, `${ADS_LABEL} stream batch is not an object`);
    if (batch.error !== undefined) throw googleAdsFailure(response, batch);
    for (const result of asArray(batch.results) ?? []) rows.push(toRawMetrics(client, asRecord(result)));
  }
  return rows;
}

function toRawMetrics(client: HttpClient, result: JsonRecord | undefined): RawMetrics {
  const campaign = asRecord(result?.campaign);
  const campaignId = asId(campaign?.id);
  const date = asString(asRecord(result?.segments)?.date);
  if (campaignId === undefined || parseDay(date) === undefined) {
    throw new AdSyncError(
      "bad_response",
      client.channel,
      `${ADS_LABEL} result lacks campaign.id or segments.date`,
    );
  }
  // proto3 JSON omits zero values, and int64 fields arrive as strings.
  const metrics = asRecord(result?.metrics) ?? {};
  const field = (name: string): number => metricValue(metrics[name], `metrics.${name}`, CHANNEL);
  return {
    channel: CHANNEL,
    campaignId,
    campaignName: asString(campaign?.name) ?? "",
    date: date as string,
    cost: field("costMicros") / 1_000_000,
    clicks: field("clicks"),
    impressions: field("impressions"),
    engagement: field("engagements"),
    conversions: field("conversions"),
    conversionValue: field("conversionsValue"),
  };
}

/**
 * Classifies a Google Ads failure: `{"error":{code,message,status,details}}`, the same wrapped in
 * an array (searchStream), or an `{error}` batch inside a 200 stream.
 */
export function googleAdsFailure(response: HttpResponse, streamBatch?: JsonRecord): AdSyncError {
  const error = asRecord((streamBatch ?? errorEnvelope(tryParseJson(response.text)))?.error);
  const status = response.status >= 400 ? response.status : (asNumber(error?.code) ?? response.status);
  const rpcStatus = asString(error?.status) ?? "";
  const failures = googleAdsErrors(error);
  const codes = failures.map((f) => f.code).filter((c) => c !== "");
  const message = failures[0]?.message ?? asString(error?.message) ?? response.text;
  const text = `${ADS_LABEL} HTTP ${status}${rpcStatus ? ` ${rpcStatus}` : ""}${codes.length > 0 ? ` [${codes.join(", ")}]` : ""}: ${preview(message)}`;

  if (status === 429 || rpcStatus === "RESOURCE_EXHAUSTED") {
    const wait = retryAfterMs(response.headers) ?? retryDelayMs(error);
    return new AdSyncError("rate_limited", CHANNEL, text, {
      status,
      retryAfterMs: wait,
    });
  }
  if (status === 401 || rpcStatus === "UNAUTHENTICATED")
    return new AdSyncError("auth", CHANNEL, text, { status: 401 });
  // DEVELOPER_TOKEN_NOT_APPROVED, USER_PERMISSION_DENIED, CUSTOMER_NOT_ENABLED and the like.
  if (status === 403 || rpcStatus === "PERMISSION_DENIED")
    return new AdSyncError("auth", CHANNEL, text, { status });
  if (status >= 500 || ["UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "ABORTED"].includes(rpcStatus)) {
    return new AdSyncError("transient", CHANNEL, text, { status });
  }
  return new AdSyncError("bad_response", CHANNEL, text, { status });
}

function errorEnvelope(body: unknown): JsonRecord | undefined {
  const list = asArray(body);
  if (list) return list.map(asRecord).find((item) => item?.error !== undefined);
  return asRecord(body);
}

interface GoogleAdsErrorItem {
  code: string;
  message: string | undefined;
  details: JsonRecord | undefined;
}

/** The GoogleAdsFailure errors in details: `errorCode` is a one-key object like {"quotaError":"RESOURCE_EXHAUSTED"}. */
function googleAdsErrors(error: JsonRecord | undefined): GoogleAdsErrorItem[] {
  return (asArray(error?.details) ?? [])
    .map(asRecord)
    .filter((d) => asString(d?.["@type"])?.endsWith("GoogleAdsFailure"))
    .flatMap((d) => asArray(d?.errors) ?? [])
    .map(asRecord)
    .map((e) => ({
      code: Object.values(asRecord(e?.errorCode) ?? {})
        .filter((v) => typeof v === "string")
        .join("/"),
      message: asString(e?.message),
      details: asRecord(e?.details),
    }));
}

/** quotaErrorDetails.retryDelay from a GoogleAdsFailure, else a google.rpc.RetryInfo detail. */
function retryDelayMs(error: JsonRecord | undefined): number | undefined {
  for (const failure of googleAdsErrors(error)) {
    const delay = durationMs(asRecord(failure.details?.quotaErrorDetails)?.retryDelay);
    if (delay !== undefined) return delay;
  }
  for (const detail of (asArray(error?.details) ?? []).map(asRecord)) {
    if (asString(detail?.["@type"])?.endsWith("google.rpc.RetryInfo")) {
      const delay = durationMs(detail?.retryDelay);
      if (delay !== undefined) return delay;
    }
  }
  return undefined;
}
