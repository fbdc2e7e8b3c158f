import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CampaignMetrics,
  type ConnectorOptions,
  createConnector,
  createMetaConnector,
  type MetaCredentials,
} from "../src/index";
import {
  adSyncFailure,
  expectNoSecrets,
  recordingSleep,
  type ScriptedStub,
  type StubReply,
  startStub,
} from "./stub-server";

const TOKEN = "EAAGm0PX4ZCpsBAKZCtestSystemUserToken1234567890";
const CREDENTIALS: MetaCredentials = { accessToken: TOKEN, adAccountId: "act_1029384756" };
const ROUTE = "GET /v24.0/act_1029384756/insights";
const RANGE = { since: "2026-11-20", until: "2026-11-21" };
const A = "120210000000000001";
const B = "120210000000000002";

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
  expect(stub.unscripted.map((r) => r.url)).toEqual([]);
  expect(stub.leftover()).toEqual([]);
});

function options(extra: ConnectorOptions = {}): ConnectorOptions {
  return { baseUrls: { meta: stub.baseUrl }, sleep: clock.sleep, timeoutMs: 2_000, ...extra };
}

function row(
  campaignId: string,
  name: string,
  date: string,
  platform: string,
  values: Record<string, unknown>,
) {
  return {
    campaign_id: campaignId,
    campaign_name: name,
    date_start: date,
    date_stop: date,
    publisher_platform: platform,
    ...values,
  };
}

const purchases = (type: string, count: string, value: string) => ({
  actions: [
    { action_type: "link_click", value: "999" },
    { action_type: type, value: count },
  ],
  action_values: [{ action_type: type, value }],
});

function page1(next: string): StubReply {
  return {
    json: {
      data: [
        row(A, "Spring Sale – Retargeting", "2026-11-20", "facebook", {
          spend: "100.50",
          clicks: "200",
          impressions: "10000",
          inline_post_engagement: "150",
          // The same 6 sales under three overlapping action types: they must count once.
          actions: [
            { action_type: "omni_purchase", value: "6" },
            { action_type: "purchase", value: "6" },
            { action_type: "offsite_conversion.fb_pixel_purchase", value: "6" },
          ],
          action_values: [
            { action_type: "omni_purchase", value: "450.75" },
            { action_type: "purchase", value: "450.75" },
            { action_type: "offsite_conversion.fb_pixel_purchase", value: "450.75" },
          ],
        }),
        row(A, "Spring Sale – Retargeting", "2026-11-20", "instagram", {
          spend: "40.25",
          clicks: "80",
          impressions: "6000",
          inline_post_engagement: "90",
          ...purchases("purchase", "2", "120.00"),
        }),
        row(B, "Always-on – Prospecting", "2026-11-20", "facebook", {
          spend: "33.33",
          clicks: "0",
          impressions: "2500",
          inline_post_engagement: "12",
        }),
        row(B, "Always-on – Prospecting", "2026-11-20", "audience_network", {
          spend: "5.00",
          clicks: "9",
          impressions: "700",
          inline_post_engagement: "0",
        }),
      ],
      paging: { cursors: { before: "MAZDZD", after: "MQZDZD" }, next },
    },
  };
}

const page2: StubReply = {
  json: {
    data: [
      row(A, "Spring Sale – Retargeting", "2026-11-21", "facebook", {
        spend: "80.00",
        clicks: "160",
        impressions: "9000",
        inline_post_engagement: "100",
        ...purchases("offsite_conversion.fb_pixel_purchase", "3", "210.40"),
      }),
      // A second facebook row for a day already seen: summed into it.
      row(A, "Spring Sale – Retargeting", "2026-11-20", "facebook", {
        spend: "10.00",
        clicks: "20",
        impressions: "1000",
        inline_post_engagement: "5",
        ...purchases("purchase", "1", "45.00"),
      }),
      row(B, "Always-on – Prospecting", "2026-11-21", "instagram", {
        spend: "0",
        clicks: "0",
        impressions: "0",
        inline_post_engagement: "0",
      }),
    ],
    paging: { cursors: { before: "MgZDZD", after: "MwZDZD" } },
  },
};

/** Graph API puts the token in paging.next when it was given one; the connector must strip it. */
const nextUrl = (): string =>
  `${stub.baseUrl}/v24.0/act_1029384756/insights?after=MQZDZD&limit=500&access_token=${TOKEN}`;

/** Type-checks an expected row, so a renamed field fails to compile rather than to match. */
const metric = (m: CampaignMetrics): CampaignMetrics => m;

describe("Meta insights connector", () => {
  it("reads every page and keeps the facebook rows, normalized", async () => {
    stub.script(ROUTE, page1(nextUrl()), page2);

    const out = await createMetaConnector("facebook", CREDENTIALS, options()).fetchMetrics(RANGE);

    expect(out).toEqual([
      metric({
        channel: "facebook",
        campaignId: A,
        campaignName: "Spring Sale – Retargeting",
        date: "2026-11-20",
        cost: 110.5,
        clicks: 220,
        impressions: 11000,
        engagement: 155,
        conversions: 7,
        conversionValue: 495.75,
        conversionRate: 0.0318, // 7 / 220 = 0.031818…
        roi: 3.4864, // (495.75 − 110.5) / 110.5 = 3.486425…
      }),
      metric({
        channel: "facebook",
        campaignId: B,
        campaignName: "Always-on – Prospecting",
        date: "2026-11-20",
        cost: 33.33,
        clicks: 0,
        impressions: 2500,
        engagement: 12,
        conversions: 0,
        conversionValue: 0,
        conversionRate: null,
        roi: -1,
      }),
      metric({
        channel: "facebook",
        campaignId: A,
        campaignName: "Spring Sale – Retargeting",
        date: "2026-11-21",
        cost: 80,
        clicks: 160,
        impressions: 9000,
        engagement: 100,
        conversions: 3,
        conversionValue: 210.4,
        conversionRate: 0.0188, // 3 / 160 = 0.01875, half rounds up
        roi: 1.63, // (210.40 − 80) / 80
      }),
    ]);

    expect(stub.requests).toHaveLength(2);
    const [first, second] = stub.requests;
    expect(first?.pathname).toBe("/v24.0/act_1029384756/insights");
    expect(Object.fromEntries(first?.query ?? [])).toEqual({
      level: "campaign",
      fields:
        "campaign_id,campaign_name,spend,clicks,impressions,inline_post_engagement,actions,action_values,date_start,date_stop",
      time_range: '{"since":"2026-11-20","until":"2026-11-21"}',
      time_increment: "1",
      breakdowns: "publisher_platform",
      use_unified_attribution_setting: "true",
      limit: "500",
    });
    expect(second?.query.get("after")).toBe("MQZDZD");
    for (const req of stub.requests) {
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req.url).not.toContain(TOKEN);
      expect(req.query.has("access_token")).toBe(false);
    }
  });

  it("keeps only the instagram rows for the instagram channel", async () => {
    stub.script(ROUTE, page1(nextUrl()), page2);

    const out = await createConnector("instagram", CREDENTIALS, options()).fetchMetrics(RANGE);

    expect(out).toEqual([
      metric({
        channel: "instagram",
        campaignId: A,
        campaignName: "Spring Sale – Retargeting",
        date: "2026-11-20",
        cost: 40.25,
        clicks: 80,
        impressions: 6000,
        engagement: 90,
        conversions: 2,
        conversionValue: 120,
        conversionRate: 0.025,
        roi: 1.9814, // 79.75 / 40.25 = 1.981366…
      }),
      metric({
        channel: "instagram",
        campaignId: B,
        campaignName: "Always-on – Prospecting",
        date: "2026-11-21",
        cost: 0,
        clicks: 0,
        impressions: 0,
        engagement: 0,
        conversions: 0,
        conversionValue: 0,
        conversionRate: null,
        roi: null,
      }),
    ]);
  });

  it("accepts an ad account id without act_, a custom API version and page size", async () => {
    stub.script("GET /v22.0/act_555/insights", { json: { data: [] } });
    const connector = createMetaConnector(
      "facebook",
      { accessToken: TOKEN, adAccountId: "555", apiVersion: "v22.0" },
      options({ pageSize: 25 }),
    );
    expect(await connector.fetchMetrics(RANGE)).toEqual([]);
    expect(stub.requests[0]?.query.get("limit")).toBe("25");
  });

  it("waits as long as Retry-After says on 429, then succeeds", async () => {
    stub.script(
      ROUTE,
      {
        status: 429,
        headers: { "retry-after": "2" },
        json: {
          error: { message: "(#4) Application request limit reached", type: "OAuthException", code: 4 },
        },
      },
      { json: { data: [] } },
    );
    const out = await createMetaConnector(
      "facebook",
      CREDENTIALS,
      options({ retry: { baseDelayMs: 100 } }),
    ).fetchMetrics(RANGE);
    expect(out).toEqual([]);
    expect(clock.sleeps).toEqual([2_000]);
    expect(stub.requests).toHaveLength(2);
  });

  it("gives up at once when Retry-After exceeds maxDelayMs, passing the wait on", async () => {
    stub.script(ROUTE, {
      status: 429,
      headers: { "retry-after": "120" },
      json: { error: { message: "(#17) User request limit reached", type: "OAuthException", code: 17 } },
    });
    const err = await adSyncFailure(
      createMetaConnector("facebook", CREDENTIALS, options()).fetchMetrics(RANGE),
      "rate_limited",
    );
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(120_000);
    expect(err.status).toBe(429);
    expect(clock.sleeps).toEqual([]);
    expect(stub.requests).toHaveLength(1);
  });

  it("reads the wait from X-Business-Use-Case-Usage when a throttled 400 has no Retry-After", async () => {
    const usage = {
      "1029384756": [
        {
          type: "ads_insights",
          call_count: 100,
          total_cputime: 34,
          total_time: 40,
          estimated_time_to_regain_access: 5,
        },
      ],
    };
    stub.script(ROUTE, {
      status: 400,
      headers: { "x-business-use-case-usage": JSON.stringify(usage) },
      json: {
        error: {
          message: "(#80000) There have been too many calls from this ad-account.",
          type: "OAuthException",
          code: 80000,
          error_subcode: 2446079,
          fbtrace_id: "A1b2C3",
        },
      },
    });
    const err = await adSyncFailure(
      createMetaConnector("facebook", CREDENTIALS, options()).fetchMetrics(RANGE),
      "rate_limited",
    );
    expect(err.retryAfterMs).toBe(5 * 60_000);
    expect(err.message).toContain("#80000");
    expect(stub.requests).toHaveLength(1);
  });

  it("backs off on a rate-limit code without any hint, then succeeds", async () => {
    stub.script(
      ROUTE,
      {
        status: 403,
        json: { error: { message: "(#613) Calls to this api have exceeded the rate limit.", code: 613 } },
      },
      { json: { data: [] } },
    );
    const connector = createMetaConnector("facebook", CREDENTIALS, options({ retry: { baseDelayMs: 100 } }));
    expect(await connector.fetchMetrics(RANGE)).toEqual([]);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(0);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(100);
  });

  it("reports an expired token (190/463) as auth without retrying or leaking the token", async () => {
    stub.script(ROUTE, {
      status: 400,
      json: {
        error: {
          message: `Error validating access token: Session has expired on Friday, 20-Nov-26. Token ${TOKEN}`,
          type: "OAuthException",
          code: 190,
          error_subcode: 463,
          fbtrace_id: "AbCdEf",
        },
      },
    });
    const err = await adSyncFailure(
      createMetaConnector("facebook", CREDENTIALS, options()).fetchMetrics(RANGE),
      "auth",
    );
    expect(err.retryable).toBe(false);
    expect(err.channel).toBe("facebook");
    expect(err.message).toContain("#190/463");
    expect(err.message).toContain("[redacted]");
    expectNoSecrets(err, [TOKEN]);
    expect(stub.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("reports a token without access to the ad account as auth", async () => {
    stub.script(ROUTE, {
      status: 403,
      json: {
        error: { message: "(#200) Ad account owner has NOT grant ads_management or ads_read", code: 200 },
      },
    });
    await adSyncFailure(createMetaConnector("facebook", CREDENTIALS, options()).fetchMetrics(RANGE), "auth");
  });

  it("retries a 5xx and then succeeds", async () => {
    stub.script(ROUTE, { status: 502, text: "<html>Bad Gateway</html>" }, page1(""));
    const out = await createMetaConnector("facebook", CREDENTIALS, options()).fetchMetrics(RANGE);
    expect(out.map((m) => m.campaignId)).toEqual([A, B]);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(500);
  });

  it("gives up with a transient error after maxAttempts 5xx answers", async () => {
    const unavailable: StubReply = {
      status: 503,
      json: { error: { message: "Service temporarily unavailable", code: 2, is_transient: true } },
    };
    stub.script(ROUTE, unavailable, unavailable, unavailable);
    const err = await adSyncFailure(
      createMetaConnector("facebook", CREDENTIALS, options({ retry: { maxAttempts: 3 } })).fetchMetrics(
        RANGE,
      ),
      "transient",
    );
    expect(err.status).toBe(503);
    expect(err.retryable).toBe(true);
    expect(stub.requests).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it("treats a dropped connection as transient and retries it", async () => {
    stub.script(ROUTE, "drop", { json: { data: [] } });
    expect(await createMetaConnector("facebook", CREDENTIALS, options()).fetchMetrics(RANGE)).toEqual([]);
    expect(stub.requests).toHaveLength(2);
  });

  it("times out a request that never answers", async () => {
    stub.script(ROUTE, "hang");
    const err = await adSyncFailure(
      createMetaConnector(
        "facebook",
        CREDENTIALS,
        options({ timeoutMs: 100, retry: { maxAttempts: 1 } }),
      ).fetchMetrics(RANGE),
      "transient",
    );
    expect(err.message).toContain("did not answer within 100 ms");
  });

  it("reports a body that is not JSON as bad_response, without retrying", async () => {
    stub.script(ROUTE, { text: '{"data":[{"campaign_id":' });
    const err = await adSyncFailure(
      createMetaConnector("facebook", CREDENTIALS, options()).fetchMetrics(RANGE),
      "bad_response",
    );
    expect(err.retryable).toBe(false);
    expect(stub.requests).toHaveLength(1);
  });

  it("refuses to follow paging.next to another host (the token would go with it)", async () => {
    stub.script(ROUTE, page1("https://evil.example.com/v24.0/act_1029384756/insights?after=x"));
    const err = await adSyncFailure(
      createMetaConnector("facebook", CREDENTIALS, options()).fetchMetrics(RANGE),
      "bad_response",
    );
    expect(err.message).toContain("another host");
    expect(stub.requests).toHaveLength(1);
  });

  it("reports a metric that is not a number as bad_response", async () => {
    stub.script(ROUTE, {
      json: {
        data: [row(A, "x", "2026-11-20", "facebook", { spend: "twelve", clicks: "1", impressions: "2" })],
      },
    });
    const err = await adSyncFailure(
      createMetaConnector("facebook", CREDENTIALS, options()).fetchMetrics(RANGE),
      "bad_response",
    );
    expect(err.message).toContain("spend");
  });

  it("reports bad credentials as config, before any request", async () => {
    const connector = createMetaConnector("facebook", { accessToken: " ", adAccountId: "abc" }, options());
    const err = await adSyncFailure(connector.fetchMetrics(RANGE), "config");
    expect(err.message).toContain("accessToken: must not be empty");
    expect(err.message).toContain("adAccountId");
    expect(stub.requests).toHaveLength(0);
  });

  it("stops when the caller aborts during a backoff", async () => {
    const controller = new AbortController();
    stub.script(ROUTE, { status: 500, text: "oops" });
    const connector = createMetaConnector(
      "facebook",
      CREDENTIALS,
      options({
        sleep: () => {
          controller.abort();
          return new Promise(() => {});
        },
      }),
    );
    const err = await adSyncFailure(
      connector.fetchMetrics(RANGE, { signal: controller.signal }),
      "transient",
    );
    expect(err.message).toContain("aborted by the caller");
    expect(err.retryable).toBe(false);
    expect(stub.requests).toHaveLength(1);
  });
});
