// The event queue with fake timers: batching, backoff, Retry-After, what is never retried,
// persistence across clients, the bound, and client-side dedup.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fullJitter, retryAfterMs } from "../src/core/backoff";
import type { PushBunnyError } from "../src/core/errors";
import { memoryStorage } from "../src/core/storage";
import { createClient } from "../src/index";
import { eventsOf, failure, fakeServer, ok, seeded, TOKEN } from "./helpers";

const BASE = "https://edge.test";
const KEY = "pb_test_key";

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-12-06T12:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

const opened = (n: number) => ({ type: "opened" as const, trackingToken: TOKEN(n) });

describe("batching", () => {
  it("sends when flushAt events wait, in one request, oldest first", async () => {
    const server = fakeServer([ok()]);
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      flushAt: 3,
      flushIntervalMs: 60_000,
    });
    await c.track(opened(1));
    await c.track(opened(2));
    await vi.advanceTimersByTimeAsync(10);
    expect(server.events()).toHaveLength(0);
    await c.track(opened(3));
    await vi.advanceTimersByTimeAsync(0);
    expect(server.events()).toHaveLength(1);
    expect(eventsOf(server.events()[0]).map((e) => e.tracking_token)).toEqual([TOKEN(1), TOKEN(2), TOKEN(3)]);
    expect(server.events()[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(c.pending).toBe(0);
  });

  it("sends what waits once the interval passes", async () => {
    const server = fakeServer([ok()]);
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      flushAt: 100,
      flushIntervalMs: 5000,
    });
    await c.track({ ...opened(1), properties: { screen: "home" } });
    await vi.advanceTimersByTimeAsync(4999);
    expect(server.events()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.events()).toHaveLength(1);
    expect(eventsOf(server.events()[0])).toEqual([
      {
        type: "opened",
        tracking_token: TOKEN(1),
        timestamp: Date.parse("2026-12-06T12:00:00Z"),
        properties: { screen: "home" },
      },
    ]);
  });

  it("flush() sends everything now, in batches of at most 100", async () => {
    const server = fakeServer([ok()]);
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      flushAt: 1000,
      maxQueueSize: 1000,
    });
    for (let i = 0; i < 250; i++) await c.track(opened(i));
    await c.flush();
    expect(server.events().map((r) => eventsOf(r).length)).toEqual([100, 100, 50]);
    expect(c.pending).toBe(0);
  });
});

describe("retries", () => {
  it("backs off with full jitter on 5xx and network errors, then delivers the same event", async () => {
    const server = fakeServer([failure(503), "network", failure(500), ok()]);
    const errors: PushBunnyError[] = [];
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      flushAt: 1,
      retryDelayMs: 1000,
      maxRetryDelayMs: 60_000,
      random: seeded(42),
      onError: (e) => errors.push(e),
    });
    await c.track(opened(1));
    await vi.advanceTimersByTimeAsync(0);
    // The same generator, replayed: attempt n waits floor(r * min(cap, base * 2^n)).
    const r = seeded(42);
    const waits = [0, 1, 2].map((n) => Math.floor(r() * Math.min(60_000, 1000 * 2 ** n)));
    for (const wait of waits) await vi.advanceTimersByTimeAsync(wait);
    const sent = server.events();
    expect(sent).toHaveLength(4);
    const start = sent[0]?.at ?? 0;
    expect(sent.map((s) => s.at - start)).toEqual([
      0,
      waits[0],
      (waits[0] ?? 0) + (waits[1] ?? 0),
      waits.reduce((a, b) => a + b, 0),
    ]);
    // Every attempt carried the identical event: the server dedups it by (token, type).
    for (const s of sent) expect(eventsOf(s)).toEqual(eventsOf(sent[0]));
    expect(errors.map((e) => [e.code, e.status])).toEqual([
      ["http", 503],
      ["network", undefined],
      ["http", 500],
    ]);
    expect(c.pending).toBe(0);
  });

  it("never waits longer than the cap", () => {
    for (let n = 0; n < 40; n++) expect(fullJitter(n, 1000, 30_000, () => 0.999999)).toBeLessThan(30_000);
    expect(fullJitter(3, 1000, 30_000, () => 0.5)).toBe(4000);
    expect(fullJitter(3, 1000, 30_000, () => 0)).toBe(0);
  });

  it("honours Retry-After in seconds on a 429", async () => {
    const server = fakeServer([failure(429, { "retry-after": "7" }, "RATE_LIMITED"), ok()]);
    const c = createClient({ baseUrl: BASE, apiKey: KEY, fetch: server.fetch, flushAt: 1, random: () => 0 });
    await c.track(opened(1));
    await vi.advanceTimersByTimeAsync(6999);
    expect(server.events()).toHaveLength(1);
    // A new event meanwhile does not jump the server's wait.
    await c.track(opened(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(server.events()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.events()).toHaveLength(2);
    expect(eventsOf(server.events()[1])).toHaveLength(2);
  });

  it("honours Retry-After as an HTTP date on a 503", async () => {
    const at = new Date(Date.now() + 12_000).toUTCString();
    const server = fakeServer([failure(503, { "retry-after": at }), ok()]);
    const c = createClient({ baseUrl: BASE, apiKey: KEY, fetch: server.fetch, flushAt: 1, random: () => 0 });
    await c.track(opened(1));
    await vi.advanceTimersByTimeAsync(11_999);
    expect(server.events()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.events()).toHaveLength(2);
  });

  it("reads Retry-After forms", () => {
    const now = Date.parse("2026-12-06T12:00:00Z");
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs("Sun, 06 Dec 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Sun, 06 Dec 2026 11:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });

  it.each([400, 401, 403, 413])("drops a batch answered %i and never retries it", async (status) => {
    const server = fakeServer([failure(status, {}, "BAD_REQUEST"), ok()]);
    const errors: PushBunnyError[] = [];
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      flushAt: 1,
      onError: (e) => errors.push(e),
    });
    await c.track(opened(1));
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(server.events()).toHaveLength(1);
    expect(c.pending).toBe(0);
    expect(errors.map((e) => [e.code, e.status, e.requestId])).toEqual([["http", status, "req_test"]]);
  });

  it("drops events the server refused, reports each, and keeps none for retry", async () => {
    const server = fakeServer([
      ok({ recorded: 1, total: 2, rejected: [{ index: 1, reason: "tracking_token: bad signature" }] }),
    ]);
    const errors: PushBunnyError[] = [];
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      onError: (e) => errors.push(e),
    });
    await c.track(opened(1));
    await c.track({ type: "conversion", trackingToken: "forged" });
    await c.flush();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(server.events()).toHaveLength(1);
    expect(c.pending).toBe(0);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ["rejected", "conversion event refused: tracking_token: bad signature"],
    ]);
  });
});

describe("persistence", () => {
  it("stores an event before sending it and removes it only after a 2xx", async () => {
    const storage = memoryStorage();
    let storedDuringFlight: string | null = null;
    const server = fakeServer([
      () =>
        storage.getItem("pushbunny:events").then((raw) => {
          storedDuringFlight = raw;
          return ok();
        }),
    ]);
    const queued = (raw: string | null) =>
      (JSON.parse(raw ?? "{}") as { q?: { event: { tracking_token: string } }[] }).q?.map(
        (i) => i.event.tracking_token,
      );
    const c = createClient({ baseUrl: BASE, apiKey: KEY, fetch: server.fetch, storage });
    await c.track(opened(1));
    expect(queued(await storage.getItem("pushbunny:events"))).toEqual([TOKEN(1)]);
    await c.flush();
    expect(queued(storedDuringFlight)).toEqual([TOKEN(1)]);
    expect(queued(await storage.getItem("pushbunny:events"))).toEqual([]);
  });

  it("keeps events offline and a new client (a reload) delivers them unchanged", async () => {
    const storage = memoryStorage();
    const offline = fakeServer(["network"]);
    const first = createClient({ baseUrl: BASE, apiKey: KEY, fetch: offline.fetch, storage, flushAt: 1 });
    await first.track(opened(1));
    await first.track({ type: "conversion", trackingToken: TOKEN(1), properties: { plan: "pro" } });
    await vi.advanceTimersByTimeAsync(0);
    expect(offline.events().length).toBeGreaterThan(0);
    const lost = eventsOf(offline.events()[0]);
    // The page is gone; the next one starts with the same storage and a working network.
    await first.shutdown();
    const online = fakeServer([ok()]);
    const second = createClient({ baseUrl: BASE, apiKey: KEY, fetch: online.fetch, storage });
    await vi.advanceTimersByTimeAsync(0);
    expect(online.events()).toHaveLength(1);
    const delivered = eventsOf(online.events()[0]);
    expect(delivered).toHaveLength(2);
    expect(delivered[0]).toEqual(lost[0]);
    expect(second.pending).toBe(0);
  });

  it("bounds the queue: beyond maxQueueSize the oldest are dropped and reported", async () => {
    const errors: PushBunnyError[] = [];
    const server = fakeServer(["network"]);
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      maxQueueSize: 3,
      flushAt: 100,
      onError: (e) => errors.push(e),
    });
    for (let i = 1; i <= 5; i++) await c.track(opened(i));
    expect(c.pending).toBe(3);
    expect(errors.filter((e) => e.code === "dropped")).toHaveLength(2);
    const ok2 = fakeServer([ok()]);
    const next = createClient({ baseUrl: BASE, apiKey: KEY, fetch: ok2.fetch, maxQueueSize: 3 });
    expect(next.pending).toBe(0);
    await c.shutdown();
  });

  it("a store that fails is reported and the events still go out from memory", async () => {
    const errors: PushBunnyError[] = [];
    const broken = {
      getItem: async () => {
        throw new Error("SecurityError");
      },
      setItem: async () => {
        throw new Error("QuotaExceededError");
      },
      removeItem: async () => {},
    };
    const server = fakeServer([ok()]);
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      storage: broken,
      onError: (e) => errors.push(e),
    });
    expect(await c.track(opened(1))).toBe(true);
    await c.flush();
    expect(eventsOf(server.events()[0]).map((e) => e.tracking_token)).toEqual([TOKEN(1)]);
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((e) => e.code))).toEqual(new Set(["storage"]));
  });

  it("two clients on one store (two tabs) keep each other's events", async () => {
    const storage = memoryStorage();
    const down = fakeServer(["network"]);
    const a = createClient({ baseUrl: BASE, apiKey: KEY, fetch: down.fetch, storage, flushAt: 100 });
    const b = createClient({ baseUrl: BASE, apiKey: KEY, fetch: down.fetch, storage, flushAt: 100 });
    await a.track(opened(1));
    await b.track(opened(2));
    await a.track(opened(3));
    await a.shutdown();
    await b.shutdown();
    const up = fakeServer([ok()]);
    const c = createClient({ baseUrl: BASE, apiKey: KEY, fetch: up.fetch, storage });
    await c.flush();
    const tokens = up.events().flatMap((r) => eventsOf(r).map((e) => e.tracking_token));
    expect(tokens.sort()).toEqual([TOKEN(1), TOKEN(2), TOKEN(3)]);
  });
});

describe("dedup", () => {
  it("tracks one open and one conversion per message, also after a reload", async () => {
    const storage = memoryStorage();
    const server = fakeServer([ok()]);
    const c = createClient({ baseUrl: BASE, apiKey: KEY, fetch: server.fetch, storage });
    expect(await c.track(opened(1))).toBe(true);
    expect(await c.track(opened(1))).toBe(false);
    expect(await c.track({ type: "conversion", trackingToken: TOKEN(1) })).toBe(true);
    expect(await c.track({ type: "conversion", trackingToken: TOKEN(1) })).toBe(false);
    await c.flush();
    const again = createClient({ baseUrl: BASE, apiKey: KEY, fetch: server.fetch, storage });
    expect(await again.track({ type: "conversion", trackingToken: TOKEN(1) })).toBe(false);
    expect(await again.track({ type: "conversion", trackingToken: TOKEN(2) })).toBe(true);
    await again.flush();
    expect(server.events().flatMap((r) => eventsOf(r).map((e) => `${e.type} ${e.tracking_token}`))).toEqual([
      `opened ${TOKEN(1)}`,
      `conversion ${TOKEN(1)}`,
      `conversion ${TOKEN(2)}`,
    ]);
  });
});

describe("shutdown", () => {
  it("flushes what waits and then stops the timers", async () => {
    const server = fakeServer([ok()]);
    const c = createClient({
      baseUrl: BASE,
      apiKey: KEY,
      fetch: server.fetch,
      flushAt: 100,
      flushIntervalMs: 1000,
    });
    await c.track(opened(1));
    await c.shutdown();
    expect(server.events()).toHaveLength(1);
    await c.track(opened(2));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.events()).toHaveLength(1);
    expect(c.pending).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
