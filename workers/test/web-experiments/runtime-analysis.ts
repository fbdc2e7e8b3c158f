import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildContext } from "../../src/infra/build-context";
import { recordTrackingMessages } from "../../src/services/events/record-tracking";
import { optimizeExperiment } from "../../src/services/experiments/run-optimization-loop";
import { recordWebExposure } from "../../src/services/web/record-web-exposure";
import { call, eventually, expectError, json, keyWithScopes, seedProject } from "../helpers";
import { activate, collectingContext, create, expose, results } from "./helpers";

describe("web experiments: runtime", () => {
  it("the raw export pages through every exposure and metric event, oldest first", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const sdkKey = await keyWithScopes(projectId, "message");
    await create(apiKey, "export");
    await activate(apiKey, "export");
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) tokens.push((await expose(sdkKey, "export", `exp-${i}`)).tracking_token);
    const now = Date.now();
    await json(
      await call("/v1/web/events", {
        key: sdkKey,
        body: {
          events: [
            { tracking_token: tokens[0], event: "signup", timestamp: now, properties: { plan: "pro" } },
            { tracking_token: tokens[1], event: "add_to_cart", timestamp: now },
          ],
        },
      }),
      200,
    );
    await eventually(async () => {
      const r = await results(apiKey, "export");
      expect(r.segments.reduce((s, seg) => s + seg.exposures, 0)).toBe(5);
      expect(r.segments.reduce((s, seg) => s + seg.primary.conversions, 0)).toBe(1);
    });
    const all: {
      type: string;
      metric: string | null;
      anonymous_id: string | null;
      segment: string;
      properties: unknown;
    }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { events: typeof all; next_cursor: string | null } = await json(
        await call(
          `/v1/web-experiments/export/events?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
          {
            key: apiKey,
          },
        ),
        200,
      );
      all.push(...page.events);
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(
      all
        .filter((e) => e.type === "exposure")
        .map((e) => e.anonymous_id)
        .sort(),
    ).toEqual(["exp-0", "exp-1", "exp-2", "exp-3", "exp-4"]);
    expect(all.filter((e) => e.type === "metric")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ metric: "signup", anonymous_id: "exp-0", properties: { plan: "pro" } }),
        expect.objectContaining({ metric: "add_to_cart", anonymous_id: "exp-1" }),
      ]),
    );
    expect(all).toHaveLength(7);
    await expectError(
      await call("/v1/web-experiments/export/events?cursor=bogus", { key: apiKey }),
      400,
      "BAD_REQUEST",
      /cursor/,
    );
  });

  it("the sample-ratio check raises its alarm when exposures skew from the traffic", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const made = await create(apiKey, "skewed");
    await activate(apiKey, "skewed");
    const { ctx, sent } = collectingContext();
    for (let i = 0; i < 2_000; i++) {
      await recordWebExposure({ ctx, projectId, input: { experiment: "skewed", anonymousId: `s-${i}` } });
    }
    const green = made.segments.find((s) => s.key === "green")?.variant_id;
    // A broken deployment loses most of one segment's exposures.
    let dropped = 0;
    const kept = sent.filter((m) => m.variantId !== green || dropped++ % 4 === 0);
    const writer = buildContext(env, () => {});
    for (let i = 0; i < kept.length; i += 500) {
      await recordTrackingMessages({ ctx: writer, input: kept.slice(i, i + 500) });
    }
    const skewed = await results(apiKey, "skewed");
    expect(skewed.srm?.alarm).toBe(true);
    expect(skewed.srm?.p_value).toBeLessThan(0.001);

    const fair = await create(apiKey, "fair");
    // Pausing the engine experiment by hand publishes a control-only split the web never serves:
    // exposures stay recorded under the segments' split, so the check stays quiet.
    await json(
      await call(`/v1/experiments/${fair.experiment_id}/pause`, { key: apiKey, method: "POST", body: {} }),
      200,
    );
    await activate(apiKey, "fair");
    const even = collectingContext();
    for (let i = 0; i < 2_000; i++) {
      await recordWebExposure({
        ctx: even.ctx,
        projectId,
        input: { experiment: "fair", anonymousId: `f-${i}` },
      });
    }
    for (let i = 0; i < even.sent.length; i += 500) {
      await recordTrackingMessages({ ctx: writer, input: even.sent.slice(i, i + 500) });
    }
    const ok = await results(apiKey, "fair");
    expect(ok.experiment_id).toBe(fair.experiment_id);
    expect(ok.srm?.alarm).toBe(false);
  });

  it("the optimization loop never retires a segment or changes the split; analysis, simulate and propose work, confirm is refused", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const made = await create(apiKey, "loop");
    await activate(apiKey, "loop");
    const [control, green, big] = made.segments;
    if (!control || !green || !big) throw new Error("segments missing");
    const day = new Date().toISOString().slice(0, 10);
    for (const [variantId, impressions, conversions] of [
      [control.variant_id, 2000, 200],
      [green.variant_id, 3000, 310],
      [big.variant_id, 5000, 100],
    ] as const) {
      await env.DB.prepare(
        `INSERT INTO variant_daily_stats (project_id, experiment_id, variant_id, day, impressions, opens, conversions)
         VALUES (?, ?, ?, ?, ?, 0, ?)`,
      )
        .bind(projectId, made.experiment_id, variantId, day, impressions, conversions)
        .run();
    }
    const weightsBefore = await env.DB.prepare(
      "SELECT version, weights FROM allocations WHERE experiment_id = ? ORDER BY version DESC LIMIT 1",
    )
      .bind(made.experiment_id)
      .first<{ version: number; weights: string }>();
    const ctx = buildContext(env, () => {});
    for (let round = 0; round < 2; round++) {
      await env.DB.prepare("UPDATE experiments SET data_at = ? WHERE id = ?")
        .bind(Date.now() + round + 1, made.experiment_id)
        .run();
      const outcome = await optimizeExperiment({
        ctx,
        input: { projectId, experimentId: made.experiment_id },
      });
      expect(outcome.retired).toEqual([]);
      expect(outcome.promoted).toBeNull();
      expect(outcome.requestedChallengers).toBe(false);
    }
    const statuses = await env.DB.prepare("SELECT status FROM variants WHERE experiment_id = ?")
      .bind(made.experiment_id)
      .all<{ status: string }>();
    expect(statuses.results.every((v) => v.status === "active")).toBe(true);
    const weightsAfter = await env.DB.prepare(
      "SELECT version, weights FROM allocations WHERE experiment_id = ? ORDER BY version DESC LIMIT 1",
    )
      .bind(made.experiment_id)
      .first<{ version: number; weights: string }>();
    expect(weightsAfter).toEqual(weightsBefore);
    // Republishing the pool (anything that touches the engine experiment) keeps the split too.
    await json(
      await call(`/v1/experiments/${made.experiment_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { min_sample: 200 },
      }),
      200,
    );
    const afterPatch = await env.DB.prepare(
      "SELECT weights FROM allocations WHERE experiment_id = ? ORDER BY version DESC LIMIT 1",
    )
      .bind(made.experiment_id)
      .first<{ weights: string }>();
    expect(afterPatch?.weights).toBe(weightsBefore?.weights);

    const analysis = await json<{ experiment_id: string }>(
      await call(`/v1/experiments/${made.experiment_id}/analyze`, { key: apiKey, method: "POST" }),
      200,
    );
    expect(analysis.experiment_id).toBe(made.experiment_id);
    const simulated = await call(`/v1/experiments/${made.experiment_id}/simulate`, {
      key: apiKey,
      method: "POST",
      body: { users: 500, conversion_rates: { Control: 0.05 } },
    });
    expect(simulated.status, await simulated.clone().text()).toBe(200);
    const proposal = await call(`/v1/experiments/${made.experiment_id}/iterate`, {
      key: apiKey,
      method: "POST",
    });
    expect(proposal.status, await proposal.clone().text()).toBeLessThan(300);
    const proposalId = (await proposal.json<{ proposal_id?: string }>()).proposal_id;
    expect(proposalId).toEqual(expect.any(String));
    await expectError(
      await call(`/v1/experiments/${made.experiment_id}/iterate/${proposalId}/confirm`, {
        key: apiKey,
        method: "POST",
      }),
      409,
      "CONFLICT",
      /this is a web experiment/,
    );
    const pending = await json<{ status: string }>(
      await call(`/v1/experiments/${made.experiment_id}/iterate/${proposalId}`, { key: apiKey }),
      200,
    );
    expect(pending.status).toBe("pending");
  });
});
