// experiment(key) and preview links; the fake Worker and clock are in web-experiments-fakes.ts.
import { describe, expect, it, vi } from "vitest";
import type { PushBunnyError } from "../src/core/errors";
import { memoryStorage } from "../src/core/storage";
import {
  anonymousId,
  assign,
  client,
  HERO,
  KEY,
  PRICING,
  tokenOf,
  useFakeClock,
  worker,
} from "./web-experiments-fakes";

useFakeClock();

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
