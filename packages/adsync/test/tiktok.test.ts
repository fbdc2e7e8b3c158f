import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CampaignMetrics,
  type ConnectorOptions,
  createConnector,
  createTikTokConnector,
  type TikTokCredentials,
} from "../src/index";
import {
  adSyncFailure,
  expectNoSecrets,
  recordingSleep,
  type ScriptedStub,
  type StubReply,
  startStub,
} from "./stub-server";

const TOKEN = "3f9c1e7a5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e";
const CREDENTIALS: TikTokCredentials = { accessToken: TOKEN, advertiserId: "7012345678901234567" };
const ROUTE = "GET /open_api/v1.3/report/integrated/get/";
const RANGE = { since: "2026-11-20", until: "2026-11-21" };
const SPARK = "1780000000000000001";
const PROMO = "1780000000000000002";

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
  return { baseUrls: { tiktok: stub.baseUrl }, sleep: clock.sleep, timeoutMs: 2_000, ...extra };
}

function item(campaignId: string, day: string, metrics: Record<string, string>) {
  return { dimensions: { campaign_id: campaignId, stat_time_day: `${day} 00:00:00` }, metrics };
}

function report(list: unknown[], page: number, totalPage: number, totalNumber: number): StubReply {
  return {
    json: {
      code: 0,
      message: "OK",
      request_id: `2026112012000${page}`,
      data: { list, page_info: { page, page_size: 2, total_number: totalNumber, total_page: totalPage } },
    },
  };
}

function failure(code: number, message: string): StubReply {
  return { json: { code, message, request_id: "202611201200ERR", data: {} } };
}

const PAGE_1 = report(
  [
    item(SPARK, "2026-11-20", {
      campaign_name: "Spark Ads – Creator Collab",
      spend: "25.50",
      clicks: "120",
      impressions: "30000",
      likes: "300",
      comments: "20",
      shares: "15",
      follows: "5",
      complete_payment: "4",
      total_complete_payment_rate: "180.20",
    }),
    // TikTok sends "-" where a metric does not apply.
    item(PROMO, "2026-11-20", {
      campaign_name: "Spring Sale – Web Conversions",
      spend: "10.00",
      clicks: "-",
      impressions: "5000",
      likes: "-",
      comments: "0",
      shares: "0",
      follows: "0",
      complete_payment: "-",
      total_complete_payment_rate: "-",
    }),
  ],
  1,
  2,
  3,
);

const PAGE_2 = report(
  [
    item(SPARK, "2026-11-21", {
      campaign_name: "Spark Ads – Creator Collab",
      spend: "30.00",
      clicks: "150",
      impressions: "32000",
      likes: "280",
      comments: "25",
      shares: "10",
      follows: "2",
      complete_payment: "5",
      total_complete_payment_rate: "190.00",
    }),
  ],
  2,
  2,
  3,
);

const EXPECTED: CampaignMetrics[] = [
  {
    channel: "tiktok",
    campaignId: SPARK,
    campaignName: "Spark Ads – Creator Collab",
    date: "2026-11-20",
    cost: 25.5,
    clicks: 120,
    impressions: 30000,
    engagement: 340, // 300 + 20 + 15 + 5
    conversions: 4,
    conversionValue: 180.2,
    conversionRate: 0.0333, // 4 / 120
    roi: 6.0667, // (180.20 − 25.50) / 25.50 = 6.066666…
  },
  {
    channel: "tiktok",
    campaignId: PROMO,
    campaignName: "Spring Sale – Web Conversions",
    date: "2026-11-20",
    cost: 10,
    clicks: 0,
    impressions: 5000,
    engagement: 0,
    conversions: 0,
    conversionValue: 0,
    conversionRate: null,
    roi: -1,
  },
  {
    channel: "tiktok",
    campaignId: SPARK,
    campaignName: "Spark Ads – Creator Collab",
    date: "2026-11-21",
    cost: 30,
    clicks: 150,
    impressions: 32000,
    engagement: 317,
    conversions: 5,
    conversionValue: 190,
    conversionRate: 0.0333,
    roi: 5.3333, // 160 / 30
  },
];

describe("TikTok connector", () => {
  it("pages through the report and normalizes the rows", async () => {
    stub.script(ROUTE, PAGE_1, PAGE_2);

    const out = await createTikTokConnector(CREDENTIALS, options({ pageSize: 2 })).fetchMetrics(RANGE);

    expect(out).toEqual(EXPECTED);
    expect(stub.requests).toHaveLength(2);
    const [first, second] = stub.requests;
    expect(Object.fromEntries(first?.query ?? [])).toEqual({
      advertiser_id: "7012345678901234567",
      report_type: "BASIC",
      data_level: "AUCTION_CAMPAIGN",
      dimensions: '["campaign_id","stat_time_day"]',
      metrics:
        '["campaign_name","spend","clicks","impressions","likes","comments","shares","follows","complete_payment","total_complete_payment_rate"]',
      start_date: "2026-11-20",
      end_date: "2026-11-21",
      page: "1",
      page_size: "2",
    });
    expect(second?.query.get("page")).toBe("2");
    for (const req of stub.requests) {
      expect(req.headers["access-token"]).toBe(TOKEN);
      expect(req.url).not.toContain(TOKEN);
    }
  });

  it("splits ranges longer than 30 days into separate reports", async () => {
    stub.script(ROUTE, report([], 1, 0, 0), report([], 1, 1, 0));
    await createConnector("tiktok", CREDENTIALS, options()).fetchMetrics({
      since: "2026-10-01",
      until: "2026-11-09",
    });
    expect(stub.requests.map((r) => [r.query.get("start_date"), r.query.get("end_date")])).toEqual([
      ["2026-10-01", "2026-10-30"],
      ["2026-10-31", "2026-11-09"],
    ]);
  });

  it("backs off on code 40100 (too many requests) and then succeeds", async () => {
    stub.script(ROUTE, failure(40100, "Too many requests. Please retry in some time."), PAGE_1, PAGE_2);
    const out = await createTikTokConnector(
      CREDENTIALS,
      options({ retry: { baseDelayMs: 100 } }),
    ).fetchMetrics(RANGE);
    expect(out).toEqual(EXPECTED);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(100);
  });

  it("waits as long as Retry-After says on HTTP 429, then succeeds", async () => {
    stub.script(
      ROUTE,
      { status: 429, headers: { "retry-after": "4" }, text: "Too Many Requests" },
      PAGE_1,
      PAGE_2,
    );
    const out = await createTikTokConnector(
      CREDENTIALS,
      options({ retry: { baseDelayMs: 100 } }),
    ).fetchMetrics(RANGE);
    expect(out).toEqual(EXPECTED);
    expect(clock.sleeps).toEqual([4_000]);
  });

  it("gives up when Retry-After exceeds maxDelayMs", async () => {
    stub.script(ROUTE, { status: 429, headers: { "retry-after": "45" }, text: "Too Many Requests" });
    const err = await adSyncFailure(
      createTikTokConnector(CREDENTIALS, options({ retry: { maxDelayMs: 10_000 } })).fetchMetrics(RANGE),
      "rate_limited",
    );
    expect(err.retryAfterMs).toBe(45_000);
    expect(clock.sleeps).toEqual([]);
    expect(stub.requests).toHaveLength(1);
  });

  it("reports an invalid or expired token (40105) as auth, without retrying or leaking it", async () => {
    stub.script(ROUTE, failure(40105, `Access token is incorrect or has been revoked: ${TOKEN}`));
    const err = await adSyncFailure(
      createTikTokConnector(CREDENTIALS, options()).fetchMetrics(RANGE),
      "auth",
    );
    expect(err.message).toContain("40105");
    expect(err.retryable).toBe(false);
    expectNoSecrets(err, [TOKEN]);
    expect(stub.requests).toHaveLength(1);
  });

  it("reports missing permission (40001) as auth", async () => {
    stub.script(ROUTE, failure(40001, "No permission to operate advertiser 7012345678901234567"));
    await adSyncFailure(createTikTokConnector(CREDENTIALS, options()).fetchMetrics(RANGE), "auth");
  });

  it("retries a system error code and then succeeds on the same page", async () => {
    stub.script(ROUTE, PAGE_1, failure(51004, "Internal service error"), PAGE_2);
    expect(await createTikTokConnector(CREDENTIALS, options()).fetchMetrics(RANGE)).toEqual(EXPECTED);
    expect(stub.requests.map((r) => r.query.get("page"))).toEqual(["1", "2", "2"]);
  });

  it("retries an HTTP 5xx and gives up with transient after maxAttempts", async () => {
    stub.script(ROUTE, { status: 504, text: "Gateway Timeout" }, { status: 502, text: "Bad Gateway" });
    const err = await adSyncFailure(
      createTikTokConnector(CREDENTIALS, options({ retry: { maxAttempts: 2 } })).fetchMetrics(RANGE),
      "transient",
    );
    expect(err.status).toBe(502);
    expect(clock.sleeps).toHaveLength(1);
  });

  it("reports other codes (bad parameters) as bad_response without retrying", async () => {
    stub.script(ROUTE, failure(40006, "start_date: invalid date format"));
    const err = await adSyncFailure(
      createTikTokConnector(CREDENTIALS, options()).fetchMetrics(RANGE),
      "bad_response",
    );
    expect(err.message).toContain("40006");
    expect(stub.requests).toHaveLength(1);
  });

  it("reports a body that is not JSON as bad_response", async () => {
    stub.script(ROUTE, { text: "<html>maintenance</html>" });
    await adSyncFailure(createTikTokConnector(CREDENTIALS, options()).fetchMetrics(RANGE), "bad_response");
    expect(stub.requests).toHaveLength(1);
  });

  it("reports a row without stat_time_day as bad_response", async () => {
    stub.script(ROUTE, report([{ dimensions: { campaign_id: SPARK }, metrics: { spend: "1" } }], 1, 1, 1));
    await adSyncFailure(createTikTokConnector(CREDENTIALS, options()).fetchMetrics(RANGE), "bad_response");
  });
});
