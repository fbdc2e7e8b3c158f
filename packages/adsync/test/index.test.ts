import { describe, expect, it } from "vitest";
import * as adsync from "../src/index";
import { AdSyncError, type Channel, createConnector, isAdSyncError } from "../src/index";
import { adSyncFailure } from "./stub-server";

const RANGE = { since: "2026-11-20", until: "2026-11-20" };

describe("public interface", () => {
  it("exports the agreed runtime names", () => {
    expect(Object.keys(adsync).sort()).toEqual(
      [
        "AdSyncError",
        "CHANNELS",
        "MAX_RANGE_DAYS",
        "createConnector",
        "createGoogleAdsConnector",
        "createMetaConnector",
        "createSandboxConnector",
        "createTikTokConnector",
        "credentialIssues",
        "credentialProblems",
        "describeFailure",
        "isAdSyncError",
        "redactTokens",
      ].sort(),
    );
    expect(adsync.CHANNELS).toEqual(["facebook", "instagram", "google_ads", "tiktok"]);
    expect(Object.isFrozen(adsync.CHANNELS)).toBe(true);
  });

  it("picks the real client when credentials are given", () => {
    const meta = { accessToken: "EAAGtoken1234567890abcdefghijklmnop", adAccountId: "1" };
    expect(createConnector("facebook", meta).source).toBe("api");
    expect(createConnector("instagram", meta).channel).toBe("instagram");
    expect(
      createConnector("tiktok", { accessToken: "t0ken1234567890abcdef", advertiserId: "7" }).source,
    ).toBe("api");
  });

  it("refuses an unknown channel at once", () => {
    expect(() => createConnector("snapchat" as Channel, null)).toThrow(TypeError);
  });

  it("reports credentials for another channel as config on fetch", async () => {
    const connector = createConnector("google_ads", {
      accessToken: "EAAGtoken1234567890abcdefghijklmnop",
      adAccountId: "1",
    });
    const err = await adSyncFailure(connector.fetchMetrics(RANGE), "config");
    expect(err.message).toContain("developerToken: required");
    expect(err.message).not.toContain("EAAGtoken1234567890abcdefghijklmnop");
  });

  it.each([
    [{ timeoutMs: 0 }, "timeoutMs"],
    [{ pageSize: 5000 }, "pageSize"],
    [{ retry: { maxAttempts: 0 } }, "retry.maxAttempts"],
    [{ baseUrls: { tiktok: "ftp://example.com" } }, "baseUrls.tiktok"],
  ])("reports bad options %j as config on fetch", async (options, field) => {
    let called = false;
    const connector = createConnector(
      "tiktok",
      { accessToken: "t0ken1234567890abcdef", advertiserId: "7" },
      {
        ...options,
        fetch: async () => {
          called = true;
          return new Response("{}");
        },
      },
    );
    const err = await adSyncFailure(connector.fetchMetrics(RANGE), "config");
    expect(err.message).toContain(field);
    expect(called).toBe(false);
  });

  it("calls an injected fetch as a plain function", async () => {
    const seen: unknown[] = [];
    const injected = function (this: unknown, input: RequestInfo | URL) {
      seen.push(this, String(input));
      return Promise.resolve(
        Response.json({ code: 0, message: "OK", data: { list: [], page_info: { total_page: 1 } } }),
      );
    } as typeof fetch;
    const connector = createConnector(
      "tiktok",
      { accessToken: "t0ken1234567890abcdef", advertiserId: "7" },
      { fetch: injected },
    );
    expect(await connector.fetchMetrics(RANGE)).toEqual([]);
    // workerd throws "Illegal invocation" if the global fetch is called with some other `this`.
    expect(seen[0]).toBeUndefined();
    expect(String(seen[1])).toMatch(
      /^https:\/\/business-api\.tiktok\.com\/open_api\/v1\.3\/report\/integrated\/get\/\?/,
    );
  });

  it("recognizes AdSyncErrors, also from another module instance", () => {
    const own = new AdSyncError("auth", "facebook", "nope");
    const foreign = Object.assign(new Error("x"), { name: "AdSyncError", kind: "auth", channel: "tiktok" });
    expect(isAdSyncError(own)).toBe(true);
    expect(isAdSyncError(foreign)).toBe(true);
    expect(isAdSyncError(new Error("x"))).toBe(false);
    expect(isAdSyncError({ name: "AdSyncError", kind: "auth" })).toBe(false);
    expect(own.retryable).toBe(false);
    expect(new AdSyncError("rate_limited", "tiktok", "slow down").retryable).toBe(true);
  });
});
