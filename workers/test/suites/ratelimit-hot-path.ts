// The hot classes' cost: leased tokens and sampled flood checks keep a warm /v1/message free of
// round trips and of D1, while never serving past a budget.
import { env } from "cloudflare:workers";
import { newId } from "@pushbunny/core";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppContext } from "../../src/context";
import type { Env } from "../../src/env";
import type { AppEnv } from "../../src/http/types";
import { buildContext } from "../../src/infra/build-context";
import type { LeaseState } from "../../src/ratelimit/exact";
import { FLOOD_SAMPLE, FloodGate } from "../../src/ratelimit/flood";
import { TokenLeaser } from "../../src/ratelimit/leased";
import { clearProjectLimits, projectLimits } from "../../src/ratelimit/project-limits";
import { routeLimits } from "../../src/ratelimit/route-limits";
import { call, json, seedProject } from "../helpers";

/** The Durable Object's lease, in memory, counting calls. */
function fakeBudget(limit: number, windowMs = 60_000) {
  const state = { count: 0, start: 0, calls: 0 };
  const lease = async (want: number, now: number): Promise<LeaseState> => {
    state.calls++;
    if (now >= state.start + windowMs) Object.assign(state, { start: now, count: 0 });
    const granted = Math.max(0, Math.min(want, limit - state.count));
    state.count += granted;
    return {
      success: granted > 0,
      granted,
      limit,
      remaining: limit - state.count,
      resetMs: state.start + windowMs - now,
    };
  };
  return { state, lease };
}

describe("TokenLeaser", () => {
  it("serves a burst from growing blocks: a thousand requests, a dozen leases", async () => {
    let now = 1_000_000;
    const budget = fakeBudget(100_000);
    const leaser = new TokenLeaser((want) => budget.lease(want, now), 100_000);
    for (let i = 0; i < 1_000; i++) {
      expect((await leaser.take(now)).success).toBe(true);
      now += 1;
    }
    expect(budget.state.calls).toBeLessThanOrEqual(12);
    expect(budget.state.count).toBeGreaterThanOrEqual(1_000);
  });

  it("tops blocks up ahead of need, so concurrent load does not send each request to the object", async () => {
    let now = 2_000_000;
    const budget = fakeBudget(1_000_000);
    // The object answers after a few milliseconds, as a Durable Object round trip does.
    const slow = (want: number) =>
      new Promise<LeaseState>((resolve) => setTimeout(() => resolve(budget.lease(want, now)), 3));
    const leaser = new TokenLeaser(slow, 1_000_000);
    const background: Promise<unknown>[] = [];
    let served = 0;
    for (let wave = 0; wave < 50; wave++) {
      const results = await Promise.all(
        Array.from({ length: 32 }, () => leaser.take(now, (p) => background.push(p))),
      );
      served += results.filter((r) => r.success).length;
      now += 2;
    }
    await Promise.all(background);
    expect(served).toBe(1_600);
    // Without topping up, every request in flight while a block refills leases alone (hundreds).
    expect(budget.state.calls).toBeLessThanOrEqual(48);
    expect(budget.state.count).toBeGreaterThanOrEqual(1_600);
  });

  it("never serves past the limit, concurrently, and refuses locally once spent", async () => {
    const now = 5_000_000;
    const budget = fakeBudget(50);
    const leaser = new TokenLeaser((want) => budget.lease(want, now), 50);
    const results = await Promise.all(Array.from({ length: 200 }, () => leaser.take(now)));
    expect(results.filter((r) => r.success)).toHaveLength(50);
    expect(results.find((r) => !r.success)?.resetMs).toBe(60_000);
    const calls = budget.state.calls;
    for (let i = 0; i < 100; i++) expect((await leaser.take(now + i)).success).toBe(false);
    expect(budget.state.calls).toBe(calls);
  });

  it("drops unspent tokens when the window ends and starts over", async () => {
    let now = 9_000_000;
    const budget = fakeBudget(6_400);
    const leaser = new TokenLeaser((want) => budget.lease(want, now), 6_400);
    for (let i = 0; i < 20; i++) await leaser.take(now);
    expect(budget.state.count).toBeGreaterThan(20); // a block is held
    now += 60_000;
    expect((await leaser.take(now)).success).toBe(true);
    expect(budget.state.count).toBe(1); // a new window, leased afresh from one
  });
});

describe("FloodGate", () => {
  it(`consults the binding once per ${FLOOD_SAMPLE} requests of a bucket`, async () => {
    const keys: string[] = [];
    const binding: RateLimit = {
      limit: async ({ key }) => {
        keys.push(key);
        return { success: true };
      },
    };
    const gate = new FloodGate();
    for (let i = 0; i < 4 * FLOOD_SAMPLE; i++) {
      const d = await gate.check(binding, "a", 60_000 + i);
      expect(d.success).toBe(true);
    }
    await gate.check(binding, "b", 60_000);
    expect(keys).toEqual(["a", "a", "a", "a", "b"]);
  });

  it("refuses a bucket until the binding's minute ends once it says no", async () => {
    let allow = false;
    const binding: RateLimit = { limit: async () => ({ success: allow }) };
    const gate = new FloodGate();
    const refused = await gate.check(binding, "k", 120_000 + 15_000);
    expect(refused).toEqual({ success: false, resetMs: 45_000, remaining: 0 });
    allow = true;
    expect((await gate.check(binding, "k", 120_000 + 59_999)).success).toBe(false);
    expect((await gate.check(binding, "k", 180_000)).success).toBe(true);
  });

  it("has real bindings in the test runtime, as in wrangler dev", async () => {
    for (const name of ["RL_MESSAGE", "RL_EVENTS", "RL_SUBSCRIPTION"] as const) {
      expect(await env[name].limit({ key: newId("key") })).toEqual({ success: true });
    }
  });
});

describe("the warm /v1/message path", () => {
  it("spends a project's budget with a handful of Durable Object calls and sampled binding calls", async () => {
    let objectCalls = 0;
    let bindingCalls = 0;
    const counting = {
      idFromName: (name: string) => env.RATE_LIMITS.idFromName(name),
      get: (id: DurableObjectId) => {
        objectCalls++;
        return env.RATE_LIMITS.get(id);
      },
    } as unknown as Env["RATE_LIMITS"];
    const binding: RateLimit = {
      limit: async () => {
        bindingCalls++;
        return { success: true };
      },
    };
    const projectId = newId("prj");
    const keyId = newId("key");
    const app = new Hono<AppEnv>();
    app.use("*", async (c, next) => {
      const ctx = buildContext(env, () => {});
      c.set("ctx", { ...ctx, env: { ...env, RATE_LIMITS: counting, RL_MESSAGE: binding } });
      c.set("operation", { operationId: "getMessage", public: false, access: "message", projectSegment: -1 });
      c.set("principal", {
        kind: "api_key",
        keyId,
        prefix: "pb_test_abcd",
        projectId,
        scopes: ["message"],
      });
      c.set("owner", { projectId, defaultLocale: "en-US", challengerCount: 0 });
      await next();
    });
    app.use("*", routeLimits);
    app.post("*", (c) => c.json({ ok: true }, 200));
    for (let i = 0; i < 500; i++) {
      const res = await app.request("/v1/message", { method: "POST" }, env);
      expect(res.status).toBe(200);
    }
    // Two budgets (key, address): blocks double to 256 within a second.
    expect(objectCalls).toBeLessThanOrEqual(2 * 12);
    expect(bindingCalls).toBe(2 * (500 / FLOOD_SAMPLE));
  });

  it("reads the project's limits without D1 once cached, in isolate memory or in KV", async () => {
    const { projectId, apiKey } = await seedProject();
    await json(
      await call(`/v1/projects/${projectId}/limits`, {
        method: "PUT",
        key: apiKey,
        body: { message: "7000/minute" },
      }),
      200,
    );
    const ctx = buildContext(env, () => {});
    expect((await projectLimits(ctx, projectId)).message.text).toBe("7000/minute");
    const trap = new Proxy(
      {},
      {
        get(_t, prop) {
          throw new Error(`D1 touched on the warm path (db.${String(prop)})`);
        },
      },
    ) as AppContext["db"];
    const cut: AppContext = { ...ctx, db: trap };
    expect((await projectLimits(cut, projectId)).message.text).toBe("7000/minute");
    clearProjectLimits();
    expect((await projectLimits(cut, projectId)).message.text).toBe("7000/minute");
  });
});
