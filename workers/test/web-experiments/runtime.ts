import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildContext } from "../../src/infra/build-context";
import { recordWebExposure } from "../../src/services/web/record-web-exposure";
import { clearIsolateRuntimeConfigs, loadRuntimeConfig } from "../../src/services/web/runtime-config";
import { call, eventually, expectError, json, keyWithScopes, message, seedProject } from "../helpers";
import {
  activate,
  collectingContext,
  create,
  definition,
  expose,
  NO_D1,
  type ResultsView,
  results,
  SEGMENTS,
  type WebView,
} from "./helpers";

describe("web experiments: runtime", () => {
  it("lifecycle draft → active → finished: config, exposures, events, results and the analysis", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const sdkKey = await keyWithScopes(projectId, "message");
    await create(apiKey, "checkout");
    const empty = await json<{ experiments: unknown[]; refresh_seconds: number }>(
      await call("/v1/web/experiments", { key: sdkKey }),
      200,
    );
    expect(empty).toEqual({ experiments: [], refresh_seconds: 300 });
    await expectError(
      await call("/v1/web/exposures", { key: sdkKey, body: { experiment: "checkout", anonymous_id: "a1" } }),
      409,
      "CONFLICT",
      "web experiment 'checkout' is draft: exposures are recorded only while it is active",
    );
    await expectError(
      await call("/v1/web/exposures", { key: sdkKey, body: { experiment: "nope", anonymous_id: "a1" } }),
      404,
      "NOT_FOUND",
    );

    const active = await activate(apiKey, "checkout");
    expect(active.status).toBe("active");
    expect(active.activated_at).not.toBeNull();
    await expectError(
      await call("/v1/web-experiments/checkout/activate", { key: apiKey, method: "POST" }),
      409,
      "CONFLICT",
      "web experiment 'checkout' is active: it can become active only from draft or pr_open",
    );
    const config = await json<{ experiments: { key: string; segments: unknown[]; metrics: string[] }[] }>(
      await call("/v1/web/experiments", { key: sdkKey }),
      200,
    );
    expect(config.experiments).toEqual([
      {
        key: "checkout",
        segments: SEGMENTS.map((s) => ({ key: s.key, traffic_percent: s.traffic_percent })),
        metrics: ["signup", "add_to_cart", "scroll.50"],
      },
    ]);

    // 40 visitors: each exposed twice (counted once), 10 sign up, 5 add to cart.
    const tokens: { id: string; segment: string; token: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const first = await expose(sdkKey, "checkout", `visitor-${i}`);
      const again = await expose(sdkKey, "checkout", `visitor-${i}`);
      expect(again.segment).toBe(first.segment);
      tokens.push({ id: `visitor-${i}`, segment: first.segment, token: first.tracking_token });
    }
    const now = Date.now();
    const events = [
      ...tokens.slice(0, 10).map((t) => ({ tracking_token: t.token, event: "signup", timestamp: now })),
      ...tokens.slice(0, 5).map((t) => ({ tracking_token: t.token, event: "add_to_cart", timestamp: now })),
      // Repeats never double count.
      ...tokens.slice(0, 3).map((t) => ({ tracking_token: t.token, event: "signup", timestamp: now })),
    ];
    const recorded = await json<{ recorded: number; total: number; rejected: unknown[] }>(
      await call("/v1/web/events", { key: sdkKey, body: { events } }),
      200,
    );
    expect(recorded).toEqual({ recorded: events.length, total: events.length, rejected: [] });

    const expected = (metricSlice: number) =>
      Object.fromEntries(
        SEGMENTS.map((s) => [s.key, tokens.slice(0, metricSlice).filter((t) => t.segment === s.key).length]),
      );
    const exposures = Object.fromEntries(
      SEGMENTS.map((s) => [s.key, tokens.filter((t) => t.segment === s.key).length]),
    );
    const settled = await eventually(async () => {
      const r = await results(apiKey, "checkout");
      const by = (f: (s: ResultsView["segments"][number]) => number) =>
        Object.fromEntries(r.segments.map((s) => [s.key, f(s)]));
      expect(by((s) => s.exposures)).toEqual(exposures);
      expect(by((s) => s.primary.conversions)).toEqual(expected(10));
      expect(by((s) => s.secondary.find((m) => m.metric === "add_to_cart")?.count ?? -1)).toEqual(
        expected(5),
      );
      return r;
    });
    const control = settled.segments[0];
    if (!control) throw new Error("no control");
    if (control.exposures > 0)
      expect(control.primary.rate).toBeCloseTo(control.primary.conversions / control.exposures, 10);
    expect(settled.segments.reduce((s, seg) => s + seg.primary.p_best, 0)).toBeCloseTo(1, 2);

    // The engine's own views of the same experiment work on kind web too.
    const stats = await json<{ variants?: unknown[] }>(
      await call(`/v1/experiments/${settled.experiment_id}`, { key: apiKey }),
      200,
    );
    expect(stats).toBeTruthy();

    const finished = await json<{
      experiment: WebView;
      analysis: { experiment_id: string; decision: string };
      results: ResultsView;
    }>(await call("/v1/web-experiments/checkout/finish", { key: apiKey, method: "POST" }), 200);
    expect(finished.experiment.status).toBe("finished");
    expect(finished.experiment.finished_at).not.toBeNull();
    expect(finished.analysis.experiment_id).toBe(settled.experiment_id);
    expect(finished.results.segments.map((s) => s.primary.conversions)).toEqual(
      settled.segments.map((s) => s.primary.conversions),
    );
    await expectError(
      await call("/v1/web/exposures", {
        key: sdkKey,
        body: { experiment: "checkout", anonymous_id: "late" },
      }),
      409,
      "CONFLICT",
      /is finished/,
    );
    const lateEvent = await json<{ recorded: number; rejected: { reason: string }[] }>(
      await call("/v1/web/events", {
        key: sdkKey,
        body: { events: [{ tracking_token: tokens[20]?.token, event: "signup", timestamp: Date.now() }] },
      }),
      200,
    );
    expect(lateEvent.rejected[0]?.reason).toBe("tracking_token is not of an active web experiment");
    expect(
      (await json<{ experiments: unknown[] }>(await call("/v1/web/experiments", { key: sdkKey }), 200))
        .experiments,
    ).toEqual([]);
    await expectError(
      await call("/v1/web-experiments/checkout/finish", { key: apiKey, method: "POST" }),
      409,
      "CONFLICT",
      "web experiment 'checkout' is finished: it can become finished only from active",
    );
    const audit = await env.DB.prepare(
      "SELECT action FROM audit_log WHERE project_id = ? AND target_type = 'web_experiment' ORDER BY at, id",
    )
      .bind(projectId)
      .all<{ action: string }>();
    expect(audit.results.map((a) => a.action)).toEqual([
      "web_experiment.created",
      "web_experiment.activated",
      "web_experiment.finished",
    ]);
  });

  it("events: unknown metrics, other projects' tokens and message tokens are refused; scopes are kept apart", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const other = await seedProject({ challengerCount: 0 });
    const sdkKey = await keyWithScopes(projectId, "message");
    await create(apiKey, "signup-form");
    await activate(apiKey, "signup-form");
    await create(other.apiKey, "signup-form");
    await activate(other.apiKey, "signup-form");
    const mine = await expose(sdkKey, "signup-form", "visitor-x");
    const theirs = await expose(other.apiKey, "signup-form", "visitor-x");
    const pushed = await message(apiKey, { intent_id: "cart", base_example: "Your cart misses you" });
    const now = Date.now();
    const out = await json<{ recorded: number; rejected: { index: number; reason: string }[] }>(
      await call("/v1/web/events", {
        key: sdkKey,
        body: {
          events: [
            { tracking_token: mine.tracking_token, event: "purchase", timestamp: now },
            { tracking_token: theirs.tracking_token, event: "signup", timestamp: now },
            { tracking_token: pushed.tracking_token, event: "signup", timestamp: now },
            { tracking_token: "trk_v1.forged", event: "signup", timestamp: now },
            { tracking_token: mine.tracking_token, event: "scroll.50", timestamp: now },
          ],
        },
      }),
      200,
    );
    expect(out.recorded).toBe(1);
    expect(out.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(out.rejected[0]?.reason).toBe("web experiment 'signup-form' does not track 'purchase'");
    expect(out.rejected[1]?.reason).toBe("tracking_token belongs to another project");
    expect(out.rejected[2]?.reason).toBe("tracking_token is not of an active web experiment");
    expect(out.rejected[3]?.reason).toMatch(/^tracking_token: /);
    await eventually(async () => {
      const r = await results(apiKey, "signup-form");
      const seg = r.segments.find((s) => s.key === mine.segment);
      expect(seg?.secondary.find((m) => m.metric === "scroll.50")?.count).toBe(1);
      expect(seg?.primary.conversions).toBe(0);
    });
    // /v1/events keeps its own rule: a web metric type is not one it takes.
    const plain = await json<{ rejected: { reason: string }[] }>(
      await call("/v1/events", {
        key: sdkKey,
        body: [{ type: "m:scroll.50", tracking_token: mine.tracking_token, timestamp: now }],
      }),
      200,
    );
    expect(plain.rejected[0]?.reason).toBe("type must be 'opened' or 'conversion'");

    // The SDK's key reaches the runtime, never the management API; a read key cannot write.
    await expectError(await call("/v1/web-experiments", { key: sdkKey }), 403, "FORBIDDEN");
    await expectError(
      await call("/v1/web-experiments", { key: sdkKey, body: definition("sneaky") }),
      403,
      "FORBIDDEN",
    );
    const readKey = await keyWithScopes(projectId, "read");
    await expectError(
      await call("/v1/web-experiments/signup-form/finish", { key: readKey, method: "POST" }),
      403,
      "FORBIDDEN",
    );
    await expectError(await call("/v1/web/experiments", { key: readKey }), 403, "FORBIDDEN");
    await expectError(await call("/v1/web/experiments", { key: null }), 401, "UNAUTHORIZED");
    // Another project's key sees none of it.
    const stranger = await seedProject({ challengerCount: 0 });
    await expectError(
      await call("/v1/web-experiments/signup-form/results", { key: stranger.apiKey }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("/v1/web/exposures", {
        key: sdkKey,
        body: { experiment: "signup-form", anonymous_id: "bad\u0000id" },
      }),
      400,
      "BAD_REQUEST",
      "anonymous_id: must be 1 to 128 printable characters",
    );
  });

  it("exposures are sticky and weighted by traffic (10,000 visitors), and a repeat is one impression", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const made = await create(apiKey, "weights");
    await activate(apiKey, "weights");
    const { ctx, sent } = collectingContext();
    const counts: Record<string, number> = {};
    const first = new Map<string, string>();
    for (let i = 0; i < 10_000; i++) {
      const out = await recordWebExposure({
        ctx,
        projectId,
        input: { experiment: "weights", anonymousId: `anon-${i}` },
      });
      counts[out.segment] = (counts[out.segment] ?? 0) + 1;
      first.set(`anon-${i}`, out.segment);
    }
    for (const s of SEGMENTS) {
      expect(Math.abs((counts[s.key] ?? 0) / 10_000 - s.traffic_percent / 100), s.key).toBeLessThan(0.015);
    }
    // Sticky: the same visitor gets the same segment and the same impression id.
    for (let i = 0; i < 200; i++) {
      const again = await recordWebExposure({
        ctx,
        projectId,
        input: { experiment: "weights", anonymousId: `anon-${i}` },
      });
      expect(again.segment).toBe(first.get(`anon-${i}`));
    }
    expect(sent[10_000]?.id).toBe(sent[0]?.id);
    expect(sent[0]).toMatchObject({ userId: "anon-0", experimentId: made.experiment_id });
    expect(sent[0]?.allocation).toEqual(expect.any(Number));

    // Through the API and the real queue: three exposures of one visitor are one impression.
    const sdkKey = await keyWithScopes(projectId, "message");
    for (let i = 0; i < 3; i++) await expose(sdkKey, "weights", "repeat-visitor");
    await eventually(async () => {
      const row = await env.DB.prepare(
        "SELECT count(*) AS n, max(user_id) AS user FROM impressions WHERE project_id = ? AND user_id = 'repeat-visitor'",
      )
        .bind(projectId)
        .first<{ n: number; user: string }>();
      expect(row?.n).toBe(1);
      const r = await results(apiKey, "weights");
      expect(r.segments.reduce((s, seg) => s + seg.exposures, 0)).toBe(1);
    });
  });

  it("the runtime config is served from memory and KV with no D1 read once warm", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    await create(apiKey, "warm");
    await activate(apiKey, "warm");
    const cold = await loadRuntimeConfig(
      buildContext(env, () => {}),
      projectId,
    );
    expect(cold.experiments.map((e) => e.key)).toEqual(["warm"]);
    const { ctx, sent } = collectingContext({ db: NO_D1 });
    expect((await loadRuntimeConfig(ctx, projectId)).experiments.map((e) => e.key)).toEqual(["warm"]); // memory
    clearIsolateRuntimeConfigs();
    expect((await loadRuntimeConfig(ctx, projectId)).experiments.map((e) => e.key)).toEqual(["warm"]); // KV
    clearIsolateRuntimeConfigs();
    const exposure = await recordWebExposure({
      ctx,
      projectId,
      input: { experiment: "warm", anonymousId: "w1" },
    });
    expect(SEGMENTS.map((s) => s.key)).toContain(exposure.segment);
    expect(sent).toHaveLength(1);
  });
});
