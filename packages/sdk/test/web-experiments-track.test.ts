// track(name), offline sends and reloads; the fake Worker and clock are in web-experiments-fakes.ts.
import { describe, expect, it, vi } from "vitest";
import type { PushBunnyError } from "../src/core/errors";
import { memoryStorage } from "../src/core/storage";
import { TOKEN } from "./helpers";
import {
  anonymousId,
  assign,
  client,
  HERO,
  NOW,
  tokenOf,
  useFakeClock,
  worker,
} from "./web-experiments-fakes";

useFakeClock();

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
