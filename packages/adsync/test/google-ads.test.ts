import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CampaignMetrics,
  type ConnectorOptions,
  createConnector,
  createGoogleAdsConnector,
  type GoogleAdsCredentials,
} from "../src/index";
import {
  adSyncFailure,
  expectNoSecrets,
  recordingSleep,
  type ScriptedStub,
  type StubReply,
  startStub,
} from "./stub-server";

const CREDENTIALS: GoogleAdsCredentials = {
  developerToken: "DevTok_aBcDeFgHiJkLmNoPqRs",
  clientId: "1234567890-abcdefg.apps.googleusercontent.com",
  clientSecret: "GOCSPX-clientSecretValue42",
  refreshToken: "1//0gRefreshTokenValueThatIsLong",
  customerId: "123-456-7890",
  loginCustomerId: "987-654-3210",
};
const SECRETS = [CREDENTIALS.developerToken, CREDENTIALS.clientSecret, CREDENTIALS.refreshToken];
const TOKEN_ROUTE = "POST /token";
const SEARCH_ROUTE = "POST /v24/customers/1234567890/googleAds:searchStream";
const RANGE = { since: "2026-11-20", until: "2026-11-21" };
const BRAND = "2345678901";
const PMAX = "2345678902";

let stub: ScriptedStub;
let clock: ReturnType<typeof recordingSleep>;

beforeAll(async () => {
  stub = await startStub();
});
afterAll(async () => {
  await stub.close();
});
beforeEach(() => {
  stub.reset();
  clock = recordingSleep();
});
afterEach(() => {
  expect(stub.unscripted.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  expect(stub.leftover()).toEqual([]);
});

function options(extra: ConnectorOptions = {}): ConnectorOptions {
  return {
    baseUrls: { googleAds: stub.baseUrl, googleOAuth: stub.baseUrl },
    sleep: clock.sleep,
    timeoutMs: 2_000,
    ...extra,
  };
}

const tokenReply = (accessToken: string): StubReply => ({
  json: {
    access_token: accessToken,
    expires_in: 3599,
    scope: "https://www.googleapis.com/auth/adwords",
    token_type: "Bearer",
  },
});

function result(id: string, name: string, date: string, metrics: Record<string, unknown>) {
  return {
    campaign: { resourceName: `customers/1234567890/campaigns/${id}`, id, name },
    segments: { date },
    metrics,
  };
}

const FIELD_MASK =
  "campaign.id,campaign.name,segments.date,metrics.costMicros,metrics.clicks,metrics.impressions,metrics.engagements,metrics.conversions,metrics.conversionsValue";

const STREAM: StubReply = {
  json: [
    {
      results: [
        result(BRAND, "Brand – Search – Exact", "2026-11-20", {
          costMicros: "12345678",
          clicks: "40",
          impressions: "1500",
          engagements: "3",
          conversions: 2.5,
          conversionsValue: 99.999,
        }),
        // proto3 JSON leaves zero metrics out.
        result(PMAX, "Performance Max – All Products", "2026-11-20", {
          costMicros: "5000000",
          impressions: "800",
        }),
      ],
      fieldMask: FIELD_MASK,
      requestId: "req-batch-1",
    },
    {
      results: [
        result(BRAND, "Brand – Search – Exact", "2026-11-21", {
          costMicros: "20000000",
          clicks: "64",
          impressions: "2000",
          conversions: 3.333333,
          conversionsValue: 150.5,
        }),
      ],
      fieldMask: FIELD_MASK,
      requestId: "req-batch-2",
    },
  ],
};

const EXPECTED: CampaignMetrics[] = [
  {
    channel: "google_ads",
    campaignId: BRAND,
    campaignName: "Brand – Search – Exact",
    date: "2026-11-20",
    cost: 12.35, // 12345678 micros
    clicks: 40,
    impressions: 1500,
    engagement: 3,
    conversions: 2.5,
    conversionValue: 100, // 99.999
    conversionRate: 0.0625, // 2.5 / 40
    roi: 7.0972, // (100 − 12.35) / 12.35 = 7.097165…
  },
  {
    channel: "google_ads",
    campaignId: PMAX,
    campaignName: "Performance Max – All Products",
    date: "2026-11-20",
    cost: 5,
    clicks: 0,
    impressions: 800,
    engagement: 0,
    conversions: 0,
    conversionValue: 0,
    conversionRate: null,
    roi: -1,
  },
  {
    channel: "google_ads",
    campaignId: BRAND,
    campaignName: "Brand – Search – Exact",
    date: "2026-11-21",
    cost: 20,
    clicks: 64,
    impressions: 2000,
    engagement: 0,
    conversions: 3.33,
    conversionValue: 150.5,
    conversionRate: 0.052, // 3.33 / 64 = 0.05203…
    roi: 6.525, // (150.5 − 20) / 20
  },
];

function adsError(
  httpCode: number,
  status: string,
  errorCode: Record<string, string>,
  message: string,
  extra = {},
) {
  return {
    error: {
      code: httpCode,
      message: "Request contains an invalid argument.",
      status,
      details: [
        {
          "@type": "type.googleapis.com/google.ads.googleads.v24.errors.GoogleAdsFailure",
          errors: [{ errorCode, message, ...extra }],
          requestId: "req-err",
        },
      ],
    },
  };
}

const quotaError = (retryDelay: string) =>
  adsError(
    429,
    "RESOURCE_EXHAUSTED",
    { quotaError: "RESOURCE_EXHAUSTED" },
    "Too many requests. Retry in 30 seconds.",
    {
      details: {
        quotaErrorDetails: {
          rateScope: "DEVELOPER",
          rateName: "Number of operations for basic access",
          retryDelay,
        },
      },
    },
  );

const unauthenticated: StubReply = {
  status: 401,
  json: {
    error: {
      code: 401,
      message: "Request is missing required authentication credential. Expected OAuth 2 access token.",
      status: "UNAUTHENTICATED",
    },
  },
};

describe("Google Ads connector", () => {
  it("refreshes an access token, streams every batch and normalizes the rows", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.first-access-token"));
    stub.script(SEARCH_ROUTE, STREAM);

    const out = await createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE);

    expect(out).toEqual(EXPECTED);
    const [tokenReq, searchReq] = stub.requests;
    expect(tokenReq?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(tokenReq?.rawBody))).toEqual({
      grant_type: "refresh_token",
      client_id: CREDENTIALS.clientId,
      client_secret: CREDENTIALS.clientSecret,
      refresh_token: CREDENTIALS.refreshToken,
    });
    expect(searchReq?.headers.authorization).toBe("Bearer ya29.first-access-token");
    expect(searchReq?.headers["developer-token"]).toBe(CREDENTIALS.developerToken);
    expect(searchReq?.headers["login-customer-id"]).toBe("9876543210");
    expect(searchReq?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(searchReq?.rawBody ?? "")).toEqual({
      query:
        "SELECT campaign.id, campaign.name, segments.date, metrics.cost_micros, metrics.clicks, metrics.impressions, " +
        "metrics.engagements, metrics.conversions, metrics.conversions_value FROM campaign " +
        "WHERE segments.date BETWEEN '2026-11-20' AND '2026-11-21'",
    });
  });

  it("reuses the cached access token on the next fetch", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.cached"));
    stub.script(
      SEARCH_ROUTE,
      { json: [] },
      { json: [{ results: [], fieldMask: FIELD_MASK, requestId: "r" }] },
    );
    const connector = createGoogleAdsConnector(CREDENTIALS, options());
    expect(await connector.fetchMetrics(RANGE)).toEqual([]);
    expect(await connector.fetchMetrics(RANGE)).toEqual([]);
    expect(stub.requests.map((r) => r.pathname)).toEqual([
      "/token",
      "/v24/customers/1234567890/googleAds:searchStream",
      "/v24/customers/1234567890/googleAds:searchStream",
    ]);
    expect(stub.requests[2]?.headers.authorization).toBe("Bearer ya29.cached");
  });

  it("sends no login-customer-id without a manager account", async () => {
    const { loginCustomerId: _, ...direct } = CREDENTIALS;
    stub.script(TOKEN_ROUTE, tokenReply("ya29.t"));
    stub.script(SEARCH_ROUTE, { json: [] });
    await createConnector("google_ads", direct, options()).fetchMetrics(RANGE);
    expect(stub.requests[1]?.headers).not.toHaveProperty("login-customer-id");
  });

  it("refreshes the token once when the search says 401, then succeeds", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.revoked"), tokenReply("ya29.fresh"));
    stub.script(SEARCH_ROUTE, unauthenticated, STREAM);

    const out = await createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE);

    expect(out).toEqual(EXPECTED);
    expect(stub.requests.map((r) => [r.pathname, r.headers.authorization ?? null])).toEqual([
      ["/token", null],
      ["/v24/customers/1234567890/googleAds:searchStream", "Bearer ya29.revoked"],
      ["/token", null],
      ["/v24/customers/1234567890/googleAds:searchStream", "Bearer ya29.fresh"],
    ]);
    expect(clock.sleeps).toEqual([]);
  });

  it("reports auth when a fresh token is refused too", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.a"), tokenReply("ya29.b"));
    stub.script(SEARCH_ROUTE, unauthenticated, unauthenticated);
    const err = await adSyncFailure(
      createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE),
      "auth",
    );
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
    expect(stub.requests).toHaveLength(4);
  });

  it("reports a revoked refresh token (invalid_grant) as auth, without leaking secrets", async () => {
    stub.script(TOKEN_ROUTE, {
      status: 400,
      json: {
        error: "invalid_grant",
        error_description: `Token has been expired or revoked: ${CREDENTIALS.refreshToken}`,
      },
    });
    const err = await adSyncFailure(
      createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE),
      "auth",
    );
    expect(err.message).toContain("invalid_grant");
    expect(err.retryable).toBe(false);
    expectNoSecrets(err, SECRETS);
    expect(stub.requests).toHaveLength(1);
  });

  it("waits for the quota's retryDelay and then succeeds", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.t"));
    stub.script(SEARCH_ROUTE, { status: 429, json: quotaError("30s") }, STREAM);
    const out = await createGoogleAdsConnector(
      CREDENTIALS,
      options({ retry: { baseDelayMs: 100 } }),
    ).fetchMetrics(RANGE);
    expect(out).toEqual(EXPECTED);
    expect(clock.sleeps).toEqual([30_000]);
  });

  it("prefers the Retry-After header on 429", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.t"));
    stub.script(
      SEARCH_ROUTE,
      { status: 429, headers: { "retry-after": "3" }, json: quotaError("30s") },
      { json: [] },
    );
    await createGoogleAdsConnector(CREDENTIALS, options({ retry: { baseDelayMs: 100 } })).fetchMetrics(RANGE);
    expect(clock.sleeps).toEqual([3_000]);
  });

  it("gives up when the quota asks for longer than maxDelayMs", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.t"));
    stub.script(SEARCH_ROUTE, { status: 429, json: [quotaError("120s")] });
    const err = await adSyncFailure(
      createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE),
      "rate_limited",
    );
    expect(err.retryAfterMs).toBe(120_000);
    expect(err.message).toContain("RESOURCE_EXHAUSTED");
    expect(clock.sleeps).toEqual([]);
  });

  it("reports an unapproved developer token (403, array body) as auth", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.t"));
    stub.script(SEARCH_ROUTE, {
      status: 403,
      json: [
        adsError(
          403,
          "PERMISSION_DENIED",
          { authorizationError: "DEVELOPER_TOKEN_NOT_APPROVED" },
          "The developer token is only approved for use with test accounts.",
        ),
      ],
    });
    const err = await adSyncFailure(
      createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE),
      "auth",
    );
    expect(err.message).toContain("DEVELOPER_TOKEN_NOT_APPROVED");
    expect(err.status).toBe(403);
    expectNoSecrets(err, SECRETS);
    expect(stub.requests).toHaveLength(2);
  });

  it("reports INVALID_ARGUMENT as bad_response without retrying", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.t"));
    stub.script(SEARCH_ROUTE, {
      status: 400,
      json: [
        adsError(
          400,
          "INVALID_ARGUMENT",
          { queryError: "BAD_FIELD_NAME" },
          "Unrecognized field in the query.",
        ),
      ],
    });
    const err = await adSyncFailure(
      createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE),
      "bad_response",
    );
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("BAD_FIELD_NAME");
    expect(stub.requests).toHaveLength(2);
  });

  it("classifies an error batch inside a 200 stream", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.t"));
    stub.script(SEARCH_ROUTE, {
      json: [
        { results: [], fieldMask: FIELD_MASK, requestId: "a" },
        { error: { code: 503, message: "The service is currently unavailable.", status: "UNAVAILABLE" } },
      ],
    });
    const err = await adSyncFailure(
      createGoogleAdsConnector(CREDENTIALS, options({ retry: { maxAttempts: 1 } })).fetchMetrics(RANGE),
      "transient",
    );
    expect(err.status).toBe(503);
  });

  it("retries a 5xx on the search and then succeeds, keeping the token", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.t"));
    stub.script(
      SEARCH_ROUTE,
      {
        status: 500,
        json: { error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } },
      },
      STREAM,
    );
    expect(await createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE)).toEqual(EXPECTED);
    expect(clock.sleeps).toHaveLength(1);
    expect(stub.requests.filter((r) => r.pathname === "/token")).toHaveLength(1);
  });

  it("retries a 5xx on the token endpoint too", async () => {
    stub.script(TOKEN_ROUTE, { status: 503, text: "unavailable" }, tokenReply("ya29.t"));
    stub.script(SEARCH_ROUTE, { json: [] });
    expect(await createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE)).toEqual([]);
    expect(clock.sleeps).toHaveLength(1);
  });

  it("gives up with transient after maxAttempts 5xx answers", async () => {
    const down: StubReply = {
      status: 503,
      json: { error: { code: 503, message: "down", status: "UNAVAILABLE" } },
    };
    stub.script(TOKEN_ROUTE, tokenReply("ya29.t"));
    stub.script(SEARCH_ROUTE, down, down, down, down);
    const err = await adSyncFailure(
      createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE),
      "transient",
    );
    expect(err.status).toBe(503);
    expect(stub.requests.filter((r) => r.pathname !== "/token")).toHaveLength(4);
    expect(clock.sleeps).toHaveLength(3);
  });

  it("reports a body that is not JSON as bad_response", async () => {
    stub.script(TOKEN_ROUTE, tokenReply("ya29.t"));
    stub.script(SEARCH_ROUTE, { text: '[{"results": [' });
    await adSyncFailure(createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE), "bad_response");
    expect(stub.requests).toHaveLength(2);
  });

  it("reports a token response without access_token as bad_response", async () => {
    stub.script(TOKEN_ROUTE, { json: { token_type: "Bearer" } });
    await adSyncFailure(createGoogleAdsConnector(CREDENTIALS, options()).fetchMetrics(RANGE), "bad_response");
  });

  it("reports a customer id that is not 10 digits as config, before any request", async () => {
    const err = await adSyncFailure(
      createGoogleAdsConnector({ ...CREDENTIALS, customerId: "12-34" }, options()).fetchMetrics(RANGE),
      "config",
    );
    expect(err.message).toContain("customerId");
    expectNoSecrets(err, SECRETS);
    expect(stub.requests).toHaveLength(0);
  });
});
