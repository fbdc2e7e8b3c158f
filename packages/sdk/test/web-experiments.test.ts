// Web experiments: experiment(key) and track(name) against a fake Worker that answers the
// /v1/web/* contract the way the real one does (its segment from the shared hash, one token per
// (experiment, visitor)), with fake timers for the queue's schedule.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { assignSegment } from "../../core/src/web-assignment";
import type { PushBunnyError } from "../src/core/errors";
import { memoryStorage, type Storage } from "../src/core/storage";
import type { WebExperiment } from "../src/core/types";
import { createClient } from "../src/index";
import { failure, fakeServer, ok, type Seen, TOKEN } from "./helpers";

const BASE = "https://edge.test";
const KEY = "pb_test_key";
const NOW = Date.parse("2026-12-06T12:00:00Z");

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const HERO: WebExperiment = {
  key: "hero",
  segments: [
    { key: "control", traffic_percent: 50 },
    { key: "bold", traffic_percent: 50 },
  ],
  metrics: ["signup", "scroll"],
};
const PRICING: WebExperiment = {
  key: "pricing",
  segments: [
    { key: "monthly", traffic_percent: 30 },
    { key: "annual", traffic_percent: 70 },
  ],
  metrics: ["checkout", "signup"],
};
const NAV: WebExperiment = { key: "nav", segments: [{ key: "a", traffic_percent: 100 }], metrics: ["click"] };

const assign = (e: WebExperiment, id: string) =>
  assignSegment(
    e.key,
    id,
    e.segments.map((s) => ({ key: s.key, trafficPercent: s.traffic_percent })),
  );
const tokenOf = (experiment: string, id: string) => `wtk.${experiment}.${id}`;

interface WorkerState {
  experiments: WebExperiment[];
  /** Answers instead of the normal one: "network", or a status for the path. */
  down: boolean;
  exposureStatus?: number;
  /** A segment the server answers regardless of the hash (to prove its answer wins). */
  forceSegment?: string;
  /** Event names the server refuses in POST /v1/web/events. */
  refuse: Set<string>;
  /** `experiment anonymous_id` of every exposure answered 200. */
  answered: string[];
}

/** A fake Worker with the /v1/web/* routes, /v1/events, and a switch to go offline. */
function worker(experiments: WebExperiment[] = [HERO, PRICING, NAV]) {
  const state: WorkerState = { experiments, down: false, refuse: new Set(), answered: [] };
  const server = fakeServer([
    (req: Seen) => {
      if (state.down) return "network";
      const path = new URL(req.url).pathname;
      if (path === "/v1/web/experiments") return ok({ experiments: state.experiments, refresh_seconds: 300 });
      if (path === "/v1/web/exposures") {
        if (state.exposureStatus) return failure(state.exposureStatus, {}, "CONFLICT");
        const { experiment, anonymous_id } = req.body as { experiment: string; anonymous_id: string };
        const e = state.experiments.find((x) => x.key === experiment);
        if (!e) return failure(404, {}, "NOT_FOUND");
        state.answered.push(`${experiment} ${anonymous_id}`);
        return ok({
          experiment,
          segment: state.forceSegment ?? assign(e, anonymous_id),
          tracking_token: tokenOf(experiment, anonymous_id),
        });
      }
      if (path === "/v1/web/events") {
        const events = (req.body as { events: { event: string }[] }).events;
        const rejected = events.flatMap((e, index) =>
          state.refuse.has(e.event)
            ? [{ index, reason: `event '${e.event}' is not a metric of this experiment` }]
            : [],
        );
        return ok({ recorded: events.length - rejected.length, total: events.length, rejected });
      }
      if (path === "/v1/events") return ok();
      return failure(404, {}, "NOT_FOUND");
    },
  ]);
  const at = (path: string) => server.seen.filter((r) => new URL(r.url).pathname === path);
  return {
    state,
    fetch: server.fetch,
    seen: server.seen,
    configs: () => at("/v1/web/experiments"),
    exposures: () =>
      at("/v1/web/exposures").map((r) => r.body as { experiment: string; anonymous_id: string }),
    webEvents: () =>
      at("/v1/web/events").flatMap(
        (r) =>
          (
            r.body as {
              events: { tracking_token: string; event: string; timestamp: number; properties?: object }[];
            }
          ).events,
      ),
    events: () => at("/v1/events"),
  };
}

const client = (
  w: ReturnType<typeof worker>,
  storage: Storage,
  extra: { userId?: string; onError?: (e: PushBunnyError) => void } = {},
) =>
  createClient({
    baseUrl: BASE,
    apiKey: KEY,
    fetch: w.fetch,
    storage,
    flushIntervalMs: 1000,
    random: () => 0.5,
    ...extra,
  });

const anonymousId = async (storage: Storage) => (await storage.getItem("pushbunny:anonymous_id")) ?? "";

describe("experiment()", () => {
  it("answers the hash's segment for a stored anonymous id, sticky across restarts, with one exposure", async () => {
    const storage = memoryStorage();
    const w = worker();
    const first = client(w, storage);
    const segment = await first.experiment("hero");
    const id = await anonymousId(storage);
    expect(id).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(segment).toBe(assign(HERO, id));
    // Called again on the page and concurrently: still one exposure.
    expect(await Promise.all([first.experiment("hero"), first.experiment("hero")])).toEqual([
      segment,
      segment,
    ]);
    await first.flush();
    expect(w.exposures()).toEqual([{ experiment: "hero", anonymous_id: id }]);
    expect(w.seen.find((r) => r.url.endsWith("/v1/web/exposures"))?.headers.authorization).toBe(
      `Bearer ${KEY}`,
    );
    await first.shutdown();

    // A reload: the same id, the same segment, no second exposure and no config request (fresh).
    const second = client(w, storage);
    expect(await second.experiment("hero")).toBe(segment);
    await second.flush();
    expect(await anonymousId(storage)).toBe(id);
    expect(w.exposures()).toHaveLength(1);
    expect(w.configs()).toHaveLength(1);
    expect(second.pending).toBe(0);
  });

  it("spreads visitors over the segments by traffic", async () => {
    const w = worker();
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const c = client(w, memoryStorage());
      const s = await c.experiment("pricing");
      counts.set(String(s), (counts.get(String(s)) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(["annual", "monthly"]);
    // 30% of 400 = 120; ±4.5 sd of a binomial(400, 0.3) keeps this from flaking on random UUIDs.
    expect(Math.abs((counts.get("monthly") ?? 0) - 120)).toBeLessThan(42);
  });

  it("uses userId instead of an anonymous id when the app knows the user", async () => {
    const storage = memoryStorage();
    const w = worker();
    const c = client(w, storage, { userId: "user_42" });
    expect(await c.experiment("pricing")).toBe(assign(PRICING, "user_42"));
    await c.flush();
    expect(w.exposures()).toEqual([{ experiment: "pricing", anonymous_id: "user_42" }]);
    expect(await storage.getItem("pushbunny:anonymous_id")).toBeNull();
  });

  it("answers null for an unknown or inactive experiment and records nothing", async () => {
    const w = worker([HERO]);
    const c = client(w, memoryStorage());
    expect(await c.experiment("pricing")).toBeNull();
    expect(await c.experiment("")).toBeNull();
    await c.flush();
    expect(w.exposures()).toEqual([]);
  });

  it("answers null, and never resends, once the server says the experiment is not active", async () => {
    const errors: PushBunnyError[] = [];
    const storage = memoryStorage();
    const w = worker();
    w.state.exposureStatus = 409;
    const c = client(w, storage, { onError: (e) => errors.push(e) });
    // Rendered from the (stale) config before the server answered.
    expect(await c.experiment("hero")).not.toBeNull();
    await c.flush();
    expect(await c.experiment("hero")).toBeNull();
    expect(await c.track("signup")).toBe(false);
    await c.flush();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(w.exposures()).toHaveLength(1);
    expect(errors.map((e) => [e.code, e.status])).toEqual([["http", 409]]);
    expect(c.pending).toBe(0);
  });

  it("takes the server's segment when it differs", async () => {
    const storage = memoryStorage();
    const w = worker();
    const c = client(w, storage);
    const local = await c.experiment("hero");
    w.state.forceSegment = local === "bold" ? "control" : "bold";
    await c.flush();
    expect(await c.experiment("hero")).toBe(w.state.forceSegment);
    // Also after a reload.
    expect(await client(w, storage).experiment("hero")).toBe(w.state.forceSegment);
  });

  it("never throws: no config and no network answers null and reports", async () => {
    const errors: PushBunnyError[] = [];
    const w = worker();
    w.state.down = true;
    const c = client(w, memoryStorage(), { onError: (e) => errors.push(e) });
    expect(await c.experiment("hero")).toBeNull();
    expect(await c.track("signup")).toBe(false);
    expect(errors[0]?.code).toBe("network");
  });

  it("keeps the config for refresh_seconds, refreshes it in the background, and uses the stored one offline", async () => {
    const storage = memoryStorage();
    const w = worker();
    const c = client(w, storage);
    await c.experiment("hero");
    await vi.advanceTimersByTimeAsync(299_000);
    await c.experiment("nav");
    expect(w.configs()).toHaveLength(1);
    // Stale: answered from what is known, refreshed behind it; the refresh drops a finished experiment.
    await vi.advanceTimersByTimeAsync(2000);
    w.state.experiments = [HERO];
    expect(await c.experiment("nav")).toBe("a");
    await vi.advanceTimersByTimeAsync(0);
    expect(w.configs()).toHaveLength(2);
    expect(await c.experiment("nav")).toBeNull();
    await c.shutdown();

    // Offline, a new client (a reload) still renders from storage.
    w.state.down = true;
    const offline = client(w, storage);
    expect(await offline.experiment("hero")).toBe(assign(HERO, await anonymousId(storage)));
  });
});

describe("preview links", () => {
  it("#seg-<segment> shows an experiment not active yet; nothing a preview does is counted", async () => {
    vi.stubGlobal("location", { hash: "#seg-bold" });
    const w = worker([]);
    const c = client(w, memoryStorage());
    expect(await c.experiment("hero")).toBe("bold");
    expect(await c.experiment("draft-experiment")).toBe("bold");
    expect(await c.track("signup")).toBe(false);
    await c.flush();
    expect(w.exposures()).toEqual([]);
    expect(w.webEvents()).toEqual([]);
  });

  it("a known experiment's preview must name one of its segments; otherwise the visitor is assigned and counted", async () => {
    const storage = memoryStorage();
    const w = worker();
    const c = client(w, storage);
    vi.stubGlobal("location", { hash: "#seg-bold" });
    expect(await c.experiment("hero")).toBe("bold");
    // `annual` is pricing's segment: shown for pricing, ignored for hero.
    vi.stubGlobal("location", { hash: "#pricing&seg-annual" });
    expect(await c.experiment("pricing")).toBe("annual");
    const segment = await c.experiment("hero");
    const id = await anonymousId(storage);
    expect(segment).toBe(assign(HERO, id));
    await c.flush();
    expect(w.exposures()).toEqual([{ experiment: "hero", anonymous_id: id }]);
    // hero's metric counts (its preview was ignored); pricing's preview counts nothing.
    expect(await c.track("signup")).toBe(true);
    expect(await c.track("checkout")).toBe(false);
    await c.flush();
    expect(w.webEvents().map((e) => [e.tracking_token, e.event])).toEqual([[tokenOf("hero", id), "signup"]]);
  });

  it("only a slug is a preview: anything else in the hash is ignored", async () => {
    const storage = memoryStorage();
    const w = worker();
    const c = client(w, storage);
    const real = await c.experiment("hero");
    expect(real).toBe(assign(HERO, await anonymousId(storage)));
    for (const hash of [
      "#seg-<img src=x onerror=alert(1)>",
      "#seg-Bold",
      "#seg-bold%20x",
      "#seg-bold/../x",
      "#seg-",
      `#seg-${"a".repeat(64)}`,
      "#section-seg-bold",
    ]) {
      vi.stubGlobal("location", { hash });
      expect(await c.experiment("hero"), hash).toBe(real);
      // Not active and not a preview: no segment at all.
      expect(await c.experiment("draft-experiment"), hash).toBeNull();
    }
    vi.stubGlobal("location", { hash: `#x&seg-${"b".repeat(63)}&y` });
    expect(await c.experiment("draft-experiment")).toBe("b".repeat(63));
  });
});

describe("track(name)", () => {
  it("fans a metric out to every exposed experiment that tracks it, once each", async () => {
    const storage = memoryStorage();
    const w = worker();
    const c = client(w, storage);
    await c.experiment("hero");
    await c.experiment("pricing");
    await c.experiment("nav");
    await c.flush();
    const id = await anonymousId(storage);
    expect(await c.track("signup", { plan: "pro" })).toBe(true);
    expect(await c.track("checkout")).toBe(true);
    // A metric no active experiment tracks, and a repeat: nothing to send.
    expect(await c.track("unknown")).toBe(false);
    expect(await c.track("signup")).toBe(false);
    await c.flush();
    expect(w.webEvents()).toEqual([
      { tracking_token: tokenOf("hero", id), event: "signup", timestamp: NOW, properties: { plan: "pro" } },
      {
        tracking_token: tokenOf("pricing", id),
        event: "signup",
        timestamp: NOW,
        properties: { plan: "pro" },
      },
      { tracking_token: tokenOf("pricing", id), event: "checkout", timestamp: NOW },
    ]);
    expect(w.events()).toEqual([]);
    expect(c.pending).toBe(0);
  });

  it("counts nothing for an experiment the visitor was never exposed to", async () => {
    const w = worker();
    const c = client(w, memoryStorage());
    await c.experiment("nav");
    expect(await c.track("signup")).toBe(false);
    await c.flush();
    expect(w.webEvents()).toEqual([]);
  });

  it("keeps the old track(event) working beside it, each on its endpoint", async () => {
    const storage = memoryStorage();
    const w = worker();
    const c = client(w, storage);
    await c.experiment("hero");
    await c.flush();
    expect(await c.track({ type: "opened", trackingToken: TOKEN(1) })).toBe(true);
    expect(await c.track("scroll")).toBe(true);
    expect(await c.track({ type: "opened", trackingToken: TOKEN(1) })).toBe(false);
    await c.flush();
    expect(w.events().flatMap((r) => (r.body as { events: unknown[] }).events)).toEqual([
      { type: "opened", tracking_token: TOKEN(1), timestamp: NOW },
    ]);
    expect(w.webEvents().map((e) => e.event)).toEqual(["scroll"]);
  });

  it("drops a metric the server rejects, reports it, and never retries it", async () => {
    const errors: PushBunnyError[] = [];
    const w = worker();
    w.state.refuse.add("scroll");
    const c = client(w, memoryStorage(), { onError: (e) => errors.push(e) });
    await c.experiment("hero");
    await c.track("scroll");
    await c.track("signup");
    await c.flush();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(w.webEvents().map((e) => e.event)).toEqual(["scroll", "signup"]);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ["rejected", "scroll event refused: event 'scroll' is not a metric of this experiment"],
    ]);
    expect(c.pending).toBe(0);
  });
});

describe("offline and reloads", () => {
  it("an exposure and a metric made offline are sent once after a reload, the metric with the exposure's token", async () => {
    const storage = memoryStorage();
    const w = worker();
    // A first visit fetched the config and was exposed to one experiment; then the network went away.
    const visit = client(w, storage);
    await visit.experiment("nav");
    await visit.shutdown();
    const seenBefore = w.seen.length;
    w.state.down = true;

    const offline = client(w, storage, { onError: () => {} });
    const segment = await offline.experiment("hero");
    expect(segment).toBe(assign(HERO, await anonymousId(storage)));
    expect(await offline.track("signup")).toBe(true);
    // Held, not lost: the exposure and the metric wait for a token.
    expect(offline.pending).toBeGreaterThanOrEqual(2);
    await offline.flush();
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(
      w.seen
        .slice(seenBefore)
        .every((r) => r.url.endsWith("/v1/web/exposures") || r.url.endsWith("/experiments")),
    ).toBe(true);
    await offline.shutdown();

    // The page is reloaded online half an hour later.
    w.state.down = false;
    const online = client(w, storage);
    await vi.advanceTimersByTimeAsync(0);
    await online.flush();
    const id = await anonymousId(storage);
    const heroExposures = w.seen.filter(
      (r) => r.url.endsWith("/v1/web/exposures") && (r.body as { experiment: string }).experiment === "hero",
    );
    // Every offline attempt carried the same exposure; the one answered is the only one kept.
    expect(new Set(heroExposures.map((r) => JSON.stringify(r.body)))).toEqual(
      new Set([JSON.stringify({ experiment: "hero", anonymous_id: id })]),
    );
    const sent = w.webEvents();
    expect(sent.map((e) => [e.tracking_token, e.event])).toEqual([[tokenOf("hero", id), "signup"]]);
    // Its time moved up to when the token arrived, so the server's clock check accepts it.
    expect(sent[0]?.timestamp).toBeGreaterThanOrEqual(NOW + 30 * 60_000);
    expect(online.pending).toBe(0);
    expect(await online.experiment("hero")).toBe(segment);

    // Nothing more goes out later: no double count.
    const total = w.seen.length;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    await online.flush();
    expect(w.seen.slice(total).map((r) => r.url)).toEqual([]);
  });

  it("two tabs on one store send an exposure once", async () => {
    const storage = memoryStorage();
    const w = worker();
    const visit = client(w, storage);
    await visit.experiment("nav");
    await visit.shutdown();
    w.state.answered.splice(0);
    w.state.down = true;
    const a = client(w, storage, { onError: () => {} });
    const b = client(w, storage, { onError: () => {} });
    const segment = await a.experiment("hero");
    // Tab a's attempt fails (two tabs sending at the same instant may both be answered: the
    // server counts an (experiment, visitor) once either way).
    await vi.advanceTimersByTimeAsync(0);
    expect(w.exposures()).toHaveLength(2);
    w.state.down = false;
    // Tab b sees the exposure tab a stored, and sends it; tab a then finds it answered.
    expect(await b.experiment("hero")).toBe(segment);
    await b.flush();
    await a.flush();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(w.state.answered).toEqual([`hero ${await anonymousId(storage)}`]);
    await a.shutdown();
    await b.shutdown();
  });

  it("retries an exposure after a 5xx with backoff, then sends held metrics", async () => {
    const errors: PushBunnyError[] = [];
    const w = worker();
    w.state.exposureStatus = 503;
    const c = client(w, memoryStorage(), { onError: (e) => errors.push(e) });
    await c.experiment("hero");
    await c.track("signup");
    await vi.advanceTimersByTimeAsync(0);
    expect(w.exposures()).toHaveLength(1);
    w.state.exposureStatus = undefined;
    // random: () => 0.5 makes the first jittered wait 500 ms.
    await vi.advanceTimersByTimeAsync(499);
    expect(w.exposures()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.exposures()).toHaveLength(2);
    await c.flush();
    expect(w.webEvents().map((e) => e.event)).toEqual(["signup"]);
    expect(errors.map((e) => e.status)).toContain(503);
    expect(c.pending).toBe(0);
  });

  it("a store holding something else under its key reads as empty", async () => {
    for (const junk of ["null", "42", "{not json", '{"x":"nope","c":null}']) {
      const storage = memoryStorage();
      await storage.setItem("pushbunny:events:web", junk);
      const w = worker();
      const c = client(w, storage, { onError: () => {} });
      expect(await c.experiment("nav")).toBe("a");
      await c.flush();
      expect(w.exposures()).toHaveLength(1);
    }
  });

  it("an event queue stored by an earlier SDK version still flushes to /v1/events", async () => {
    const storage = memoryStorage();
    const old = {
      q: [{ id: "old1", event: { type: "opened", tracking_token: TOKEN(7), timestamp: NOW - 1000 } }],
      s: [`opened ${TOKEN(7)}`],
    };
    await storage.setItem("pushbunny:events", JSON.stringify(old));
    const w = worker();
    const c = client(w, storage);
    await vi.advanceTimersByTimeAsync(0);
    await c.flush();
    expect(w.events().map((r) => (r.body as { events: unknown[] }).events)).toEqual([[old.q[0]?.event]]);
    expect(w.webEvents()).toEqual([]);
    // Its dedup memory survived too.
    expect(await c.track({ type: "opened", trackingToken: TOKEN(7) })).toBe(false);
  });

  it("a mixed queue goes out as one batch per endpoint, oldest kind first", async () => {
    const storage = memoryStorage();
    const w = worker();
    const c = client(w, storage);
    await c.experiment("hero");
    await c.flush();
    w.state.down = true;
    await c.track({ type: "opened", trackingToken: TOKEN(1) });
    await c.track("signup");
    await c.track({ type: "opened", trackingToken: TOKEN(2) });
    const stored = JSON.parse((await storage.getItem("pushbunny:events")) ?? "{}") as { q: { k?: string }[] };
    expect(stored.q.map((i) => i.k ?? "event")).toEqual(["event", "w", "event"]);
    w.state.down = false;
    await c.flush();
    const posts = w.seen.filter((r) => r.url.endsWith("/events")).slice(-2);
    expect(
      posts.map((r) => [new URL(r.url).pathname, (r.body as { events: unknown[] }).events.length]),
    ).toEqual([
      ["/v1/events", 2],
      ["/v1/web/events", 1],
    ]);
  });
});
