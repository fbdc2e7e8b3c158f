// message(): the copy the edge picked, or the base example when it cannot answer; stats().
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, type PushBunnyError } from "../src/index";
import { failure, fakeServer, ok } from "./helpers";

const BASE = "https://edge.test/";
const KEY = "pb_test_key";
const intent = { intentId: "cart_abandonment", baseExample: "You left items in your cart", locale: "en-US" };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("message", () => {
  it("returns the edge's copy and sends the upstream body", async () => {
    const server = fakeServer([
      ok({
        text: "Still thinking it over?",
        variant_id: "var_1",
        experiment_id: "exp_1",
        tracking_token: "trk_1",
        locale: "en-US",
      }),
    ]);
    const c = createClient({ baseUrl: BASE, apiKey: KEY, fetch: server.fetch });
    const m = await c.message({
      ...intent,
      userId: "user_42",
      context: { first_name: "Ada", items: 3, vip: true },
    });
    expect(m).toEqual({
      text: "Still thinking it over?",
      variantId: "var_1",
      experimentId: "exp_1",
      trackingToken: "trk_1",
      locale: "en-US",
      fallback: false,
    });
    expect(server.seen[0]?.url).toBe("https://edge.test/v1/message");
    expect(server.seen[0]?.body).toEqual({
      intent_id: "cart_abandonment",
      base_example: "You left items in your cart",
      locale: "en-US",
      user_id: "user_42",
      context: { first_name: "Ada", items: "3", vip: "true" },
    });
  });

  it("falls back to the base example when the edge does not answer in time", async () => {
    const server = fakeServer(["hang"]);
    const errors: PushBunnyError[] = [];
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      timeoutMs: 800,
      onError: (e) => errors.push(e),
    });
    const pending = c.message(intent);
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(799);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toEqual({
      text: intent.baseExample,
      variantId: null,
      experimentId: null,
      trackingToken: null,
      locale: "en-US",
      fallback: true,
    });
    expect(errors.map((e) => e.code)).toEqual(["timeout"]);
  });

  it.each([
    ["a 500", failure(500)],
    ["a 401", failure(401, {}, "UNAUTHORIZED")],
    ["a network error", "network" as const],
    ["a body that is not JSON", new Response("<html>", { status: 200 })],
  ])("falls back on %s", async (_, answer) => {
    const server = fakeServer([answer]);
    const errors: PushBunnyError[] = [];
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      onError: (e) => errors.push(e),
    });
    const m = await c.message({ intentId: "x", baseExample: "Base copy" });
    expect(m).toMatchObject({ text: "Base copy", fallback: true, trackingToken: null, locale: null });
    expect(errors).toHaveLength(1);
  });

  it("does not track a fallback message (no token)", async () => {
    const server = fakeServer(["network"]);
    const c = createClient({ baseUrl: BASE, apiKey: KEY, fetch: server.fetch });
    const m = await c.message(intent);
    expect(await c.track({ type: "opened", trackingToken: m.trackingToken as string })).toBe(false);
    expect(c.pending).toBe(0);
  });
});

describe("stats", () => {
  it("asks GET /v1/stats with the query and returns the body", async () => {
    const body = { intent_id: "cart_abandonment", total_impressions: 3, variants: [] };
    const server = fakeServer([ok(body)]);
    const c = createClient({ baseUrl: BASE, apiKey: KEY, fetch: server.fetch });
    expect(await c.stats({ intent_id: "cart abandonment", locale: "en-US" })).toEqual(body);
    expect(server.seen[0]?.method).toBe("GET");
    expect(server.seen[0]?.url).toBe("https://edge.test/v1/stats?intent_id=cart%20abandonment&locale=en-US");
  });

  it("throws the server's error", async () => {
    const server = fakeServer([failure(403, {}, "FORBIDDEN")]);
    const c = createClient({ baseUrl: BASE, apiKey: KEY, fetch: server.fetch });
    await expect(c.stats({ intent_id: "x" })).rejects.toMatchObject({
      code: "http",
      status: 403,
      requestId: "req_test",
    });
  });
});
