import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type {
  AnalysisView,
  ProposalView,
  SimulationView as SimulationResult,
} from "../../src/http/routes/experiments/analysis/views";
import { CRONS } from "../../src/scheduled/crons";
import {
  call,
  eventually,
  expectError,
  experimentWithArms,
  json,
  message,
  runCron,
  seedProject,
} from "../helpers";

interface Stats {
  total_impressions: number;
  total_opens: number;
  variants: { variant_id: string; impressions: number; opens: number }[];
}

const stats = async (key: string, intent: string, extra = "") =>
  json<Stats>(await call(`/v1/stats?intent_id=${intent}${extra}`, { key }), 200);

const simulate = async (key: string, experimentId: string, body: unknown) =>
  json<SimulationResult>(await call(`/v1/experiments/${experimentId}/simulate`, { key, body }), 200);

describe("POST /v1/experiments/{id}/simulate", () => {
  it("injects marked traffic through the ingest path, analyses it, and leaves real stats alone", async () => {
    const { apiKey, experimentId, variants } = await experimentWithArms("sim_winner", [
      "Still thinking it over?",
      "Your cart is about to expire",
    ]);
    const control = variants[0]!;
    const b = variants[1]!;
    await message(apiKey, {
      intent_id: "sim_winner",
      base_example: "Your cart misses you",
      user_id: "real-1",
    });
    await eventually(async () => expect((await stats(apiKey, "sim_winner")).total_impressions).toBe(2));
    const before = await stats(apiKey, "sim_winner");
    const dataAt = () =>
      env.DB.prepare("SELECT data_at FROM experiments WHERE id = ?")
        .bind(experimentId)
        .first<{ data_at: number | null }>();
    const dataBefore = await dataAt();

    const result = await simulate(apiKey, experimentId, {
      users: 6000,
      seed: "t1",
      open_rates: { Control: 0.05, B: 0.12, C: 0.05 },
      conversion_rates: { B: 0.03 },
    });
    const sim = result.simulation;
    expect(sim.impressions).toBe(6000);
    expect(sim.arms.map((a) => a.label)).toEqual(["Control", "B", "C"]);
    expect(sim.arms.reduce((s, a) => s + a.users, 0)).toBe(6000);
    // Equal weights: each arm within a few standard deviations of 2,000.
    for (const a of sim.arms) expect(Math.abs(a.users - 2000)).toBeLessThan(150);
    expect(sim.events.rejected).toBe(0);
    expect(sim.events.conversion).toBeGreaterThan(0);
    expect(sim.events.conversion).toBeLessThanOrEqual(sim.events.opened);

    const a = result.analysis;
    expect(a.source).toBe("simulation");
    expect(a.snapshot.lane).toBe("simulated");
    expect(a.snapshot.totals.impressions).toBe(6000);
    expect(a.snapshot.totals.successes).toBe(sim.events.opened);
    expect(a.decision).toBe("winner");
    expect(a.snapshot.decision.variant_id).toBe(b.id);
    expect(a.winner_recommendation).toMatchObject({ action: "promote", variant_id: b.id });
    expect(a.snapshot.srm?.alarm).toBe(false);
    // Timestamps over the past 7 days: 7 or 8 UTC days of daily rows.
    const days = new Set(a.snapshot.daily.map((d) => d.day));
    expect(days.size).toBeGreaterThanOrEqual(7);
    expect(days.size).toBeLessThanOrEqual(8);
    expect(a.plots.map((p) => p.type)).toEqual(["bar", "pie", "line", "bar"]);

    // Real statistics did not move; asked for, the simulated traffic is added.
    expect(await stats(apiKey, "sim_winner")).toEqual(before);
    const withSim = await stats(apiKey, "sim_winner", "&include_simulated=true");
    expect(withSim.total_impressions).toBe(before.total_impressions + 6000);
    expect(withSim.total_opens).toBe(before.total_opens + sim.events.opened);
    expect(withSim.variants.find((v) => v.variant_id === control.id)?.impressions).toBe(
      (before.variants.find((v) => v.variant_id === control.id)?.impressions ?? 0) +
        (sim.arms.find((x) => x.label === "Control")?.users ?? 0),
    );

    // Simulated rows do not count as new real data for the loop or the hourly analysis.
    expect(await dataAt()).toEqual(dataBefore);

    // The latest simulation analysis is served; the real one does not exist yet.
    const got = await json<AnalysisView>(
      await call(`/v1/experiments/${experimentId}/analysis?simulated=true`, { key: apiKey }),
      200,
    );
    expect(got.analysis_id).toBe(a.analysis_id);
    await expectError(
      await call(`/v1/experiments/${experimentId}/analysis`, { key: apiKey }),
      404,
      "NOT_FOUND",
      /no analysis yet/,
    );
  });

  it("replaces the previous simulation, and the same seed gives the same traffic", async () => {
    const { apiKey, experimentId } = await experimentWithArms("sim_replace", ["Come back for it"]);
    const first = await simulate(apiKey, experimentId, { users: 500, seed: "same" });
    const second = await simulate(apiKey, experimentId, { users: 500, seed: "same" });
    expect(second.simulation.arms).toEqual(first.simulation.arms);
    expect(second.simulation.events).toEqual(first.simulation.events);
    // The one real message that created the experiment lands through the queue.
    await eventually(async () => expect((await stats(apiKey, "sim_replace")).total_impressions).toBe(1));
    const withSim = await stats(apiKey, "sim_replace", "&include_simulated=true");
    expect(withSim.total_impressions).toBe(500 + 1);
    expect(withSim.total_opens).toBe(second.simulation.events.opened);
    const weighted = await simulate(apiKey, experimentId, { users: 1000, weights: { Control: 3, B: 1 } });
    const users = weighted.simulation.arms.map((a) => a.users);
    expect(users[0]! / 1000).toBeGreaterThan(0.7);
    expect(users[0]! / 1000).toBeLessThan(0.8);
  });

  it("takes no body at all (the defaults: 2,000 users over 7 days)", async () => {
    const { apiKey, experimentId } = await experimentWithArms("sim_nobody", ["Just checking in"]);
    const res = await exports.default.fetch(`http://pushbunny.test/v1/experiments/${experimentId}/simulate`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const result = await json<SimulationResult>(res, 200);
    expect(result.simulation).toMatchObject({ users: 2000, days: 7, seed: "pushbunny", impressions: 2000 });
  });

  it("refuses bad input with a 400 envelope that names the field", async () => {
    const { apiKey, experimentId } = await experimentWithArms("sim_bad", ["Another one"]);
    const cases: [unknown, RegExp][] = [
      [{ users: 5 }, /users/],
      [{ users: 1_000_000 }, /users/],
      [{ users: "many" }, /users/],
      [{ days: 0 }, /days/],
      [{ open_rates: { Control: 1.5 } }, /open_rates/],
      [{ open_rates: { Z: 0.1 } }, /open_rates: 'Z' is not an active arm/],
      [
        { open_rates: { B: 0.02 }, conversion_rates: { B: 0.05 } },
        /conversion_rates: B converts more often than it is opened/,
      ],
      [{ weights: { Control: 0, B: 0 } }, /weights/],
      [{ surprise: true }, /surprise|Unrecognized/],
    ];
    for (const [body, message] of cases) {
      const res = await call(`/v1/experiments/${experimentId}/simulate`, { key: apiKey, body });
      const err = await expectError(res, 400, "BAD_REQUEST");
      expect(`${err.message} ${JSON.stringify(err.issues)}`, JSON.stringify(body)).toMatch(message);
    }
    await expectError(
      await call(`/v1/experiments/${experimentId}/simulate`, { key: apiKey, raw: "{not json" }),
      400,
      "BAD_REQUEST",
    );
  });

  it("is scoped to the key's project", async () => {
    const { experimentId } = await experimentWithArms("sim_scope", ["Other copy"]);
    const other = await seedProject();
    await expectError(
      await call(`/v1/experiments/${experimentId}/simulate`, { key: other.apiKey, body: {} }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/v1/experiments/${experimentId}/analyze`, { key: other.apiKey, method: "POST" }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/v1/experiments/${experimentId}/analysis`, { key: other.apiKey }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/v1/experiments/${experimentId}/analyze`, { method: "POST" }),
      401,
      "UNAUTHORIZED",
    );
  });
});

describe("analysis of real traffic", () => {
  it("POST analyze stores a narrated snapshot that says when the data is still too thin", async () => {
    const { apiKey, experimentId } = await experimentWithArms("ana_thin", ["Need a hand?"]);
    const a = await json<AnalysisView>(
      await call(`/v1/experiments/${experimentId}/analyze`, { key: apiKey, method: "POST" }),
      200,
    );
    expect(a.source).toBe("manual");
    expect(a.provider).toBe("offline");
    expect(a.fallback_reason).toBeNull();
    expect(a.decision).toBe("collecting");
    expect(a.flags).toEqual(["collecting"]);
    expect(a.summary).toMatch(/^Still collecting/);
    expect(a.winner_recommendation).toEqual({
      action: "keep_testing",
      variant_id: null,
      rationale: a.snapshot.decision.reason,
    });
    expect(a.snapshot.lane).toBe("real");
    const got = await json<AnalysisView>(
      await call(`/v1/experiments/${experimentId}/analysis`, { key: apiKey }),
      200,
    );
    expect(got).toEqual(a);
  });

  it("the hourly cron narrates experiments with new real data once, and again only after more data", async () => {
    const { apiKey, experimentId } = await experimentWithArms("ana_cron", ["Still there?"]);
    const now = Date.now();
    await env.DB.prepare("UPDATE experiments SET data_at = ? WHERE id = ?")
      .bind(now - 1000, experimentId)
      .run();
    const count = async () =>
      (
        await env.DB.prepare(
          "SELECT count(*) AS n FROM analyses WHERE experiment_id = ? AND source = 'scheduled'",
        )
          .bind(experimentId)
          .first<{ n: number }>()
      )?.n;
    await runCron(CRONS.experimentAnalysis, now);
    expect(await count()).toBe(1);
    await runCron(CRONS.experimentAnalysis, now + 60_000);
    expect(await count()).toBe(1);
    // New data, but within the hour: waits for the interval.
    await env.DB.prepare("UPDATE experiments SET data_at = ? WHERE id = ?")
      .bind(now + 120_000, experimentId)
      .run();
    await runCron(CRONS.experimentAnalysis, now + 180_000);
    expect(await count()).toBe(1);
    await runCron(CRONS.experimentAnalysis, now + 3_600_000 + 1000);
    expect(await count()).toBe(2);
    const latest = await json<AnalysisView>(
      await call(`/v1/experiments/${experimentId}/analysis`, { key: apiKey }),
      200,
    );
    expect(latest.source).toBe("scheduled");
  });
});

describe("POST /v1/experiments/{id}/iterate", () => {
  it("proposes challengers, applies them once on confirm, and records it in the history", async () => {
    const { apiKey, experimentId } = await experimentWithArms("iter_apply", ["Still want it?"]);
    const proposal = await json<ProposalView>(
      await call(`/v1/experiments/${experimentId}/iterate`, { key: apiKey, method: "POST" }),
      201,
    );
    expect(proposal.status).toBe("pending");
    expect(proposal.angle).toBe("more_challengers");
    expect(proposal.provider).toBe("offline");
    expect(proposal.challengers.length).toBeGreaterThan(0);
    expect(proposal.challengers.length).toBeLessThanOrEqual(3);
    // Nothing changed yet.
    const before = await json<{ variants: unknown[] }>(
      await call(`/v1/experiments/${experimentId}`, { key: apiKey }),
      200,
    );

    const applied = await json<{
      proposal: ProposalView;
      experiment: { variants: { text: string; source: string }[]; history: { action: string }[] };
    }>(
      await call(`/v1/experiments/${experimentId}/iterate/${proposal.proposal_id}/confirm`, {
        key: apiKey,
        method: "POST",
      }),
      200,
    );
    expect(applied.proposal.status).toBe("applied");
    expect(applied.experiment.variants.length).toBe(before.variants.length + proposal.challengers.length);
    for (const text of proposal.challengers) {
      expect(applied.experiment.variants.some((v) => v.text === text && v.source === "llm")).toBe(true);
    }
    expect(applied.experiment.history[0]?.action).toBe("iteration_applied");
    await expectError(
      await call(`/v1/experiments/${experimentId}/iterate/${proposal.proposal_id}/confirm`, {
        key: apiKey,
        method: "POST",
      }),
      409,
      "CONFLICT",
      /already applied/,
    );
    const got = await json<ProposalView>(
      await call(`/v1/experiments/${experimentId}/iterate/${proposal.proposal_id}`, { key: apiKey }),
      200,
    );
    expect(got.status).toBe("applied");
  });

  it("skips a proposed challenger that reads the same as copy added since the proposal", async () => {
    const { apiKey, experimentId } = await experimentWithArms("iter_same", ["Still here?"]);
    const proposal = await json<ProposalView>(
      await call(`/v1/experiments/${experimentId}/iterate`, { key: apiKey, method: "POST" }),
      201,
    );
    const [first, ...rest] = proposal.challengers;
    expect(first).toBeDefined();
    // Differs from the proposed copy only in case and a trailing "!", which the rule folds away.
    const handWritten = `${first!.toUpperCase()}!`;
    await json(
      await call(`/v1/experiments/${experimentId}/variants`, { key: apiKey, body: { text: handWritten } }),
      201,
    );
    const applied = await json<{ experiment: { variants: { text: string; source: string }[] } }>(
      await call(`/v1/experiments/${experimentId}/iterate/${proposal.proposal_id}/confirm`, {
        key: apiKey,
        method: "POST",
      }),
      200,
    );
    const llm = applied.experiment.variants.filter((v) => v.source === "llm").map((v) => v.text);
    expect(llm).not.toContain(first);
    expect(llm).toEqual(expect.arrayContaining(rest));
    expect(applied.experiment.variants.filter((v) => v.text === handWritten)).toHaveLength(1);
  });

  it("builds on a real winner and proposes retiring arms with no chance", async () => {
    const { apiKey, projectId, experimentId, variants } = await experimentWithArms("iter_winner", [
      "Big news inside",
      "Open me",
    ]);
    const [control, b, c] = variants;
    const day = new Date().toISOString().slice(0, 10);
    await env.DB.prepare(
      `INSERT INTO variant_daily_stats (project_id, experiment_id, variant_id, day, impressions, opens, conversions)
       VALUES (?1, ?2, ?3, ?6, 3000, 150, 0), (?1, ?2, ?4, ?6, 3000, 330, 0), (?1, ?2, ?5, ?6, 3000, 90, 0)
       ON CONFLICT (variant_id, day) DO UPDATE SET impressions = excluded.impressions, opens = excluded.opens`,
    )
      .bind(projectId, experimentId, control!.id, b!.id, c!.id, day)
      .run();
    const proposal = await json<ProposalView>(
      await call(`/v1/experiments/${experimentId}/iterate`, { key: apiKey, method: "POST" }),
      201,
    );
    expect(proposal.angle).toBe("build_on_winner");
    expect(proposal.rationale).toMatch(/^B won/);
    expect(proposal.retire.map((r) => r.variant_id)).toEqual([c!.id]);
    const applied = await json<{ experiment: { variants: { variant_id: string; status: string }[] } }>(
      await call(`/v1/experiments/${experimentId}/iterate/${proposal.proposal_id}/confirm`, {
        key: apiKey,
        method: "POST",
      }),
      200,
    );
    expect(applied.experiment.variants.find((v) => v.variant_id === c!.id)?.status).toBe("retired");
  });

  it("a newer proposal supersedes a pending one; a discarded one cannot be applied", async () => {
    const { apiKey, experimentId } = await experimentWithArms("iter_discard", ["Hello again"]);
    const first = await json<ProposalView>(
      await call(`/v1/experiments/${experimentId}/iterate`, { key: apiKey, method: "POST" }),
      201,
    );
    const second = await json<ProposalView>(
      await call(`/v1/experiments/${experimentId}/iterate`, { key: apiKey, method: "POST" }),
      201,
    );
    await expectError(
      await call(`/v1/experiments/${experimentId}/iterate/${first.proposal_id}/confirm`, {
        key: apiKey,
        method: "POST",
      }),
      409,
      "CONFLICT",
      /already superseded/,
    );
    const discarded = await json<{ proposal: ProposalView; experiment: null }>(
      await call(`/v1/experiments/${experimentId}/iterate/${second.proposal_id}/discard`, {
        key: apiKey,
        method: "POST",
      }),
      200,
    );
    expect(discarded.proposal.status).toBe("discarded");
    expect(discarded.experiment).toBeNull();
    await expectError(
      await call(`/v1/experiments/${experimentId}/iterate/${second.proposal_id}/confirm`, {
        key: apiKey,
        method: "POST",
      }),
      409,
      "CONFLICT",
    );
    await expectError(
      await call(`/v1/experiments/${experimentId}/iterate/prp_nope`, { key: apiKey }),
      404,
      "NOT_FOUND",
    );
  });

  it("refuses to iterate on numbers from a broken split", async () => {
    const { apiKey, projectId, experimentId, variants } = await experimentWithArms("iter_srm", [
      "Second copy",
    ]);
    await message(apiKey, { intent_id: "iter_srm", base_example: "Your cart misses you" });
    const alloc = await env.DB.prepare(
      "SELECT version FROM allocations WHERE experiment_id = ? ORDER BY version DESC LIMIT 1",
    )
      .bind(experimentId)
      .first<{ version: number }>();
    expect(alloc).not.toBeNull();
    await env.DB.batch(
      variants.map((v, i) =>
        env.DB.prepare(
          "INSERT INTO variant_allocation_stats (project_id, experiment_id, variant_id, allocation, impressions) VALUES (?, ?, ?, ?, ?) ON CONFLICT (variant_id, allocation) DO UPDATE SET impressions = excluded.impressions",
        ).bind(projectId, experimentId, v.id, alloc!.version, i === 0 ? 5000 : 1000),
      ),
    );
    await expectError(
      await call(`/v1/experiments/${experimentId}/iterate`, { key: apiKey, method: "POST" }),
      409,
      "CONFLICT",
      /sample ratio mismatch/,
    );
  });
});
