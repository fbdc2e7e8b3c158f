import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { utcDay } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import type { StatsView as StatsOutput } from "../src/http/routes/stats/get-stats";
import worker from "../src/index";
import { buildContext } from "../src/infra/build-context";
import { clearIsolatePools, type Pool, poolKvKey } from "../src/infra/pool";
import { QUEUES } from "../src/queue/messages";
import { CRONS } from "../src/scheduled/crons";
import { POSTERIOR_REFRESH_MS } from "../src/services/experiments/refresh-posteriors";
import { optimizeExperiment } from "../src/services/experiments/run-optimization-loop";
import { call, eventually, experimentWithArms, json, message, runCron, variantsOf } from "./helpers";

async function runConsumer(bodies: unknown[], now?: number) {
  const batch = createMessageBatch(
    QUEUES.events,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  const realNow = Date.now;
  if (now !== undefined) Date.now = () => now;
  try {
    await worker.queue(batch, env, ctx);
    await waitOnExecutionContext(ctx);
  } finally {
    Date.now = realNow;
  }
  return getQueueResult(batch, ctx);
}

async function patch(apiKey: string, experimentId: string, body: Record<string, unknown>) {
  return json(await call(`/v1/experiments/${experimentId}`, { key: apiKey, method: "PATCH", body }), 200);
}

async function kvPool(projectId: string, intentId: string): Promise<Pool> {
  const pool = await env.KV.get<Pool>(await poolKvKey({ projectId, intentId, locale: "en-US" }), "json");
  if (!pool) throw new Error("no pool in KV");
  return pool;
}

/** Per-variant aggregate counts written straight into the daily table (the loop's input). */
async function seedCounts(
  projectId: string,
  experimentId: string,
  rows: { variantId: string; impressions: number; opens: number }[],
) {
  const day = utcDay(Date.now());
  for (const r of rows) {
    await env.DB.prepare(
      `INSERT INTO variant_daily_stats (project_id, experiment_id, variant_id, day, impressions, opens, conversions)
       VALUES (?, ?, ?, ?, ?, ?, 0)
       ON CONFLICT (variant_id, day) DO UPDATE SET impressions = excluded.impressions, opens = excluded.opens`,
    )
      .bind(projectId, experimentId, r.variantId, day, r.impressions, r.opens)
      .run();
  }
  await env.DB.prepare("UPDATE experiments SET data_at = ? WHERE id = ?")
    .bind(Date.now(), experimentId)
    .run();
}

function impressionBodies(
  projectId: string,
  experimentId: string,
  variantId: string,
  n: number,
  tag: string,
) {
  return Array.from({ length: n }, (_, i) => ({
    kind: "impression",
    id: `imp_${tag}${i.toString(36).padStart(6, "0")}`,
    projectId,
    experimentId,
    variantId,
    userId: null,
    createdAt: Date.now() - 1000,
  }));
}

function openBodies(projectId: string, experimentId: string, variantId: string, n: number, tag: string) {
  const events = Array.from({ length: n }, (_, i) => ({
    impressionId: `imp_${tag}${i.toString(36).padStart(6, "0")}`,
    experimentId,
    variantId,
    type: "opened",
    occurredAt: Date.now() - 500,
    impressionAt: Date.now() - 1000,
    properties: null,
  }));
  return { kind: "events", projectId, receivedAt: Date.now(), events };
}

describe("sticky selection", () => {
  it("gives a user the same copy every time and spreads users over the arms", async () => {
    const { apiKey, experimentId, variants } = await experimentWithArms("sticky", [
      "Come back!",
      "We saved it",
    ]);
    await patch(apiKey, experimentId, { strategy: "sticky" });
    const seen = new Map<string, number>();
    for (let u = 0; u < 60; u++) {
      const first = await message(apiKey, {
        intent_id: "sticky",
        base_example: "Your cart misses you",
        user_id: `u${u}`,
      });
      const again = await message(apiKey, {
        intent_id: "sticky",
        base_example: "Your cart misses you",
        user_id: `u${u}`,
      });
      expect(again.variant_id).toBe(first.variant_id);
      seen.set(first.variant_id, (seen.get(first.variant_id) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(variants.map((v) => v.id).sort());
    for (const n of seen.values()) expect(n).toBeGreaterThan(5);
  });

  it("falls back to the default rotation without a user id", async () => {
    const { apiKey, experimentId, variants } = await experimentWithArms("sticky-anon", [
      "Come back!",
      "We saved it",
    ]);
    await patch(apiKey, experimentId, { strategy: "sticky" });
    const counts = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const m = await message(apiKey, { intent_id: "sticky-anon", base_example: "Your cart misses you" });
      counts.set(m.variant_id, (counts.get(m.variant_id) ?? 0) + 1);
    }
    expect(variants.map((v) => counts.get(v.id))).toEqual([10, 10, 10]);
  });
});

describe("thompson posteriors", () => {
  it("are refreshed by the event consumer, throttled, and swept within 60 s", async () => {
    const { apiKey, projectId, experimentId, variants } = await experimentWithArms("bandit", ["Come back!"]);
    await patch(apiKey, experimentId, { strategy: "thompson", min_sample: 10 });
    const [control, challenger] = variants;
    if (!control || !challenger) throw new Error("arms missing");
    const before = await kvPool(projectId, "bandit");
    expect(before.strategy).toBe("thompson");
    expect(before.weights).toEqual([0.5, 0.5]);

    // 200 impressions each; the challenger earns 60 opens, the control 10.
    const t0 = Date.now();
    for (const [v, tag] of [
      [control, "a"],
      [challenger, "b"],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        const bodies = impressionBodies(projectId, experimentId, v.id, 100, `${tag}${i}`);
        expect((await runConsumer(bodies, t0)).explicitAcks.length).toBe(100);
      }
    }
    await runConsumer([openBodies(projectId, experimentId, control.id, 10, "a0")], t0);
    await runConsumer([openBodies(projectId, experimentId, challenger.id, 60, "b0")], t0);
    // The first batch refreshed at once; the rest fell inside the 30 s throttle.
    const throttled = await kvPool(projectId, "bandit");
    // A batch after the throttle interval republishes with everything recorded so far.
    await runConsumer(
      [openBodies(projectId, experimentId, challenger.id, 1, "b1")],
      t0 + POSTERIOR_REFRESH_MS + 1,
    );
    const fresh = await kvPool(projectId, "bandit");
    expect(fresh.allocation).toBeGreaterThan(throttled.allocation);
    expect(fresh.weights[1]).toBeGreaterThan(0.95);
    expect(fresh.weights[0]).toBeGreaterThanOrEqual(0.01);

    // Data recorded inside the throttle window is picked up by the every-minute sweep.
    await runConsumer(
      [openBodies(projectId, experimentId, control.id, 40, "a1")],
      t0 + POSTERIOR_REFRESH_MS + 2,
    );
    const stale = await kvPool(projectId, "bandit");
    expect(stale.allocation).toBe(fresh.allocation);
    await runCron(CRONS.everyMinute, t0 + POSTERIOR_REFRESH_MS + 60_000);
    const swept = await kvPool(projectId, "bandit");
    expect(swept.allocation).toBeGreaterThan(fresh.allocation);
    expect(swept.weights[0]).toBeGreaterThan(fresh.weights[0] ?? 1);

    // The edge serves from the published weights with no D1 read.
    clearIsolatePools();
    const served = new Map<string, number>();
    for (let u = 0; u < 40; u++) {
      const m = await message(apiKey, {
        intent_id: "bandit",
        base_example: "Your cart misses you",
        user_id: `b${u}`,
      });
      served.set(m.variant_id, (served.get(m.variant_id) ?? 0) + 1);
    }
    const expectedBest = (swept.weights[1] ?? 0) > 0.5 ? challenger.id : control.id;
    expect(served.get(expectedBest) ?? 0).toBeGreaterThan(20);
  });
});

describe("statistics in /v1/stats", () => {
  it("reports intervals, tests, P(best), SRM per allocation period and a decision", async () => {
    const { apiKey, projectId, experimentId, variants } = await experimentWithArms("stats3", ["Come back!"]);
    const [control, challenger] = variants;
    if (!control || !challenger) throw new Error("arms missing");
    // Served through the real edge: 40 messages round-robin, drained by the real consumer.
    const sent = [];
    for (let i = 0; i < 40; i++)
      sent.push(await message(apiKey, { intent_id: "stats3", base_example: "Your cart misses you" }));
    const stats = await eventually(async () => {
      const s = await json<StatsOutput>(await call("/v1/stats?intent_id=stats3", { key: apiKey }), 200);
      // The message that created the experiment was served before the challenger existed.
      expect(s.total_impressions).toBe(41);
      return s;
    });
    const exp = stats.experiments[0];
    expect(exp?.srm?.alarm).toBe(false);
    expect(exp?.srm?.p_value).toBeGreaterThan(0.5);
    expect(stats.decision?.status).toBe("collecting");
    const row = stats.variants.find((v) => v.variant_id === challenger.id);
    expect(row?.statistics?.ci95.low).toBe(0);
    expect(row?.statistics?.vs_control).not.toBeNull();
    expect(stats.variants.find((v) => v.variant_id === control.id)?.statistics?.vs_control).toBeNull();

    // A broken split: 300 extra impressions of one arm under the current allocation.
    const version = (await kvPool(projectId, "stats3")).allocation;
    const skew = impressionBodies(projectId, experimentId, control.id, 100, "sk").map((b) => ({
      ...b,
      allocation: version,
    }));
    for (let i = 0; i < 3; i++) {
      await runConsumer(skew.map((b) => ({ ...b, id: `${b.id}${i}` })));
    }
    const alarmed = await json<StatsOutput>(await call("/v1/stats?intent_id=stats3", { key: apiKey }), 200);
    expect(alarmed.experiments[0]?.srm?.alarm).toBe(true);
    expect(alarmed.decision?.status).toBe("srm_alarm");
  });
});

describe("optimization loop", () => {
  it("retires a loser that stays below the threshold and asks for conditioned challengers", async () => {
    const { apiKey, projectId, experimentId, variants } = await experimentWithArms("loop-retire", [
      "Come back!",
      "We saved it",
    ]);
    await patch(apiKey, experimentId, { challenger_count: 2 });
    const [control, good, bad] = variants;
    if (!control || !good || !bad) throw new Error("arms missing");
    await seedCounts(projectId, experimentId, [
      { variantId: control.id, impressions: 2000, opens: 200 },
      { variantId: good.id, impressions: 2000, opens: 210 },
      { variantId: bad.id, impressions: 2000, opens: 80 },
    ]);
    const ctx = buildContext(env, () => {});
    const first = await optimizeExperiment({ ctx, input: { projectId, experimentId } });
    expect(first.retired).toEqual([]);
    await env.DB.prepare("UPDATE experiments SET data_at = ? WHERE id = ?")
      .bind(Date.now() + 1, experimentId)
      .run();
    const second = await optimizeExperiment({ ctx, input: { projectId, experimentId } });
    expect(second.retired).toEqual([bad.id]);
    expect(second.requestedChallengers).toBe(true);

    const detail = await json<{ history: { actor: string; action: string; reason: string }[] }>(
      await call(`/v1/experiments/${experimentId}`, { key: apiKey }),
      200,
    );
    expect(detail.history.map((h) => `${h.actor}:${h.action}`)).toEqual(
      expect.arrayContaining(["loop:variant_retired", "loop:challengers_requested"]),
    );
    // The offline provider fills the slot through the jobs queue; the loser never comes back.
    const after = await eventually(async () => {
      const vs = await variantsOf(experimentId);
      expect(vs.filter((v) => v.source === "llm")).toHaveLength(1);
      return vs;
    });
    expect(after.find((v) => v.id === bad.id)?.status).toBe("retired");
    clearIsolatePools();
    for (let i = 0; i < 9; i++) {
      const m = await message(apiKey, { intent_id: "loop-retire", base_example: "Your cart misses you" });
      expect(m.variant_id).not.toBe(bad.id);
    }
  });

  it("promotes a clear winner when on_winner is promote, and only records it otherwise", async () => {
    const { apiKey, projectId, experimentId, variants } = await experimentWithArms("loop-win", [
      "Come back!",
    ]);
    const [control, winner] = variants;
    if (!control || !winner) throw new Error("arms missing");
    await seedCounts(projectId, experimentId, [
      { variantId: control.id, impressions: 3000, opens: 150 },
      { variantId: winner.id, impressions: 3000, opens: 300 },
    ]);
    const ctx = buildContext(env, () => {});
    const kept = await optimizeExperiment({ ctx, input: { projectId, experimentId } });
    expect(kept.decision).toBe("winner");
    expect(kept.promoted).toBeNull();

    await patch(apiKey, experimentId, { on_winner: "promote", holdout_share: 0.1 });
    const promoted = await optimizeExperiment({ ctx, input: { projectId, experimentId } });
    expect(promoted.promoted).toBe(winner.id);
    const pool = await kvPool(projectId, "loop-win");
    expect(pool.variants.map((v) => v.id)).toEqual([winner.id]);
    expect(pool.holdout?.share).toBe(0.1);
    const detail = await json<{ winner_variant_id: string; history: { actor: string; action: string }[] }>(
      await call(`/v1/experiments/${experimentId}`, { key: apiKey }),
      200,
    );
    expect(detail.winner_variant_id).toBe(winner.id);
    expect(detail.history.map((h) => `${h.actor}:${h.action}`)).toEqual(
      expect.arrayContaining(["loop:winner_declared", "loop:winner_promoted"]),
    );
  });

  it("does not act on an experiment whose split is broken", async () => {
    const { projectId, experimentId, variants } = await experimentWithArms("loop-srm", [
      "Come back!",
      "We saved it",
    ]);
    const [control, , bad] = variants;
    if (!control || !bad) throw new Error("arms missing");
    const version = (await kvPool(projectId, "loop-srm")).allocation;
    await env.DB.prepare(
      `INSERT INTO variant_allocation_stats (project_id, experiment_id, variant_id, allocation, impressions)
       VALUES (?1, ?2, ?3, ?4, 3000), (?1, ?2, ?5, ?4, 1000)`,
    )
      .bind(projectId, experimentId, control.id, version, bad.id)
      .run();
    await seedCounts(projectId, experimentId, [
      { variantId: control.id, impressions: 3000, opens: 300 },
      { variantId: bad.id, impressions: 1000, opens: 10 },
    ]);
    const ctx = buildContext(env, () => {});
    for (let i = 0; i < 2; i++) {
      const out = await optimizeExperiment({ ctx, input: { projectId, experimentId } });
      expect(out.decision).toBe("srm_alarm");
      expect(out.retired).toEqual([]);
    }
  });
});
