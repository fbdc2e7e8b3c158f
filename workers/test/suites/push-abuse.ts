import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MemoryRateLimiter } from "../../src/ratelimit/memory";
import { call, eventually, expectError, json, seedProject } from "../helpers";
import { anonymous, fakeSubscriber, freshIp, PUSH, storedSubscription as row } from "../push-helpers";

// The anonymous side of Web Push, continued: endpoint normalization, redirects, rate limits
// and the subscribe page's CSP.

describe("endpoints in one form", () => {
  it("stores one browser once whatever the spelling, and refuses whitespace and look-alike loopbacks", async () => {
    const { apiKey, projectId } = await seedProject();
    const fake = await fakeSubscriber();
    const shouted = `  ${fake.endpoint.replace("http://127.0.0.1", "HTTP://127.0.0.1")}\n`;
    const a = await json<{ subscription_id: string; endpoint: string }>(
      await call("/v1/subscriptions", { key: apiKey, body: { endpoint: shouted, keys: fake.keys } }),
      201,
    );
    expect(a.endpoint).toBe(fake.endpoint);
    const b = await json<{ subscription_id: string }>(
      await anonymous(projectId, { endpoint: fake.endpoint, keys: fake.keys }),
      200,
    );
    expect(b.subscription_id).toBe(a.subscription_id);
    const port = new URL(PUSH).port;
    const refused: [string, RegExp][] = [
      [`${fake.endpoint}/a b`, /whitespace or control/],
      [`http://0.0.0.0:${port}/push/${fake.id}`, /https/],
      [`http://localhost.example.com:${port}/push/${fake.id}`, /https/],
      [`http://2130706433:${port}/push/${fake.id}`, /https/],
      [`http://0x7f000001:${port}/push/${fake.id}`, /https/],
    ];
    for (const [endpoint, message] of refused) {
      const err = await expectError(
        await call("/v1/subscriptions", { key: apiKey, body: { endpoint, keys: fake.keys } }),
        400,
        "BAD_REQUEST",
      );
      expect(err.message, endpoint).toMatch(message);
    }
  });
});

describe("push services that redirect", () => {
  it("a 3xx is a failed delivery, recorded, and never followed with the VAPID header", async () => {
    const { apiKey } = await seedProject();
    const fake = await fakeSubscriber([302]);
    const sub = await json<{ subscription_id: string }>(
      await call("/v1/subscriptions", { key: apiKey, body: { endpoint: fake.endpoint, keys: fake.keys } }),
      201,
    );
    const sent = await json<{ notification_id: string }>(
      await call("/v1/notifications/send", {
        key: apiKey,
        body: { payload: { title: "x" }, target: { subscription_ids: [sub.subscription_id] } },
      }),
      202,
    );
    await eventually(async () => {
      const n = await json<{ deliveries: Record<string, number> }>(
        await call(`/v1/notifications/${sent.notification_id}`, { key: apiKey }),
        200,
      );
      expect(n.deliveries).toMatchObject({ failed: 1, pending: 0 });
    }, 20_000);
    const delivery = await env.DB.prepare(
      "SELECT status, last_status, error FROM deliveries WHERE notification_id = ?",
    )
      .bind(sent.notification_id)
      .first<{ status: string; last_status: number; error: string }>();
    expect(delivery).toMatchObject({ status: "failed", last_status: 302 });
    expect(delivery?.error).toMatch(/redirect, not followed/);
    const seen = (await (await fetch(`${PUSH}/_control/deliveries?id=${fake.id}`)).json()) as {
      deliveries: unknown[];
      redirectsFollowed: number;
    };
    expect(seen.deliveries).toHaveLength(1);
    expect(seen.redirectsFollowed).toBe(0);
    // The subscription stays.
    expect((await row(sub.subscription_id))?.enabled).toBe(1);
  });
});

describe("rate limits on the anonymous routes", () => {
  it("the limiter: a window per key from its first request; Retry-After is the rest of it", async () => {
    const limiter = new MemoryRateLimiter();
    const rule = { limit: 2, windowMs: 60_000 };
    const t0 = 1_000_000_059_000; // one second before a clock minute: the window must not reset at it
    expect(await limiter.limit("a", rule, t0)).toEqual({ success: true, retryAfterMs: 0 });
    expect(await limiter.limit("a", rule, t0 + 500)).toEqual({ success: true, retryAfterMs: 0 });
    expect(await limiter.limit("a", rule, t0 + 2_000)).toEqual({ success: false, retryAfterMs: 58_000 });
    expect((await limiter.limit("b", rule, t0 + 2_000)).success).toBe(true);
    expect(await limiter.limit("a", rule, t0 + 60_000)).toEqual({ success: true, retryAfterMs: 0 });
  });

  it("per address: 429 RATE_LIMITED with Retry-After once the minute's budget is spent", async () => {
    const { projectId } = await seedProject();
    const ip = freshIp();
    for (let i = 0; i < 30; i++) {
      const res = await anonymous(projectId, {}, ip);
      expect(res.status, await res.clone().text()).toBe(400);
    }
    const limited = await anonymous(projectId, {}, ip);
    const retryAfter = Number(limited.headers.get("retry-after"));
    await expectError(limited, 429, "RATE_LIMITED", /too many requests from this address/);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another address is not affected.
    expect((await anonymous(projectId, {})).status).toBe(400);
  });

  it("per project: spread over many addresses, one project's budget still runs out", async () => {
    const { projectId } = await seedProject();
    const other = await seedProject();
    const statuses: number[] = [];
    for (let i = 0; i < 600; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => anonymous(projectId, {})));
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses.every((s) => s === 400)).toBe(true);
    await expectError(await anonymous(projectId, {}), 429, "RATE_LIMITED", /for this project/);
    expect((await anonymous(other.projectId, {})).status).toBe(400);
  });

  it("limits the receipts per address too", async () => {
    const ip = freshIp();
    let last: Response | undefined;
    for (let i = 0; i <= 300; i++) {
      last = await call("/push/receipts", {
        body: { receipt: "x", event: "displayed" },
        headers: { "cf-connecting-ip": ip },
      });
    }
    await expectError(last as Response, 429, "RATE_LIMITED");
  });
});

describe("the subscribe page under the default CSP", () => {
  it("has no inline script or style, and serves them as files", async () => {
    const { projectId } = await seedProject();
    const page = await call(`/push/${projectId}/subscribe`);
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await page.text();
    expect(html).not.toMatch(/<style|<script(?![^>]*\bsrc=)/);
    expect(html).toContain(`data-project="${projectId}"`);
    const js = await call("/push/subscribe.js");
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect(await js.text()).toContain("document.body.dataset.project");
    const css = await call("/push/subscribe.css");
    expect(css.headers.get("content-type")).toMatch(/text\/css/);
  });
});
