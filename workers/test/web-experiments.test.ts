// Web experiments (issue 17 §1): the definition API, the lifecycle, the SDK's runtime endpoints
// (config from KV, server-assigned exposures, metric events) and the results on the engine.
import { env } from "cloudflare:workers";
import { newId } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import type { AppContext } from "../src/context";
import { WEB_EVENTS_PER_IP, WEB_EXPOSURES_PER_IP } from "../src/http/routes/web/limits";
import { buildContext } from "../src/infra/build-context";
import type { ImpressionMessage } from "../src/queue/messages";
import { recordTrackingMessages } from "../src/services/events/record-tracking";
import { optimizeExperiment } from "../src/services/experiments/run-optimization-loop";
import { getWebConfig } from "../src/services/web/get-web-config";
import { recordWebExposure } from "../src/services/web/record-web-exposure";
import {
  clearIsolateRuntimeConfigs,
  loadRuntimeConfig,
  type RuntimeConfig,
  runtimeConfigKvKey,
} from "../src/services/web/runtime-config";
import { activateWebExperiment } from "../src/services/web-experiments/activate-web-experiment";
import { failWebExperiment } from "../src/services/web-experiments/fail-web-experiment";
import { markImplementing } from "../src/services/web-experiments/mark-implementing";
import { markPrOpen } from "../src/services/web-experiments/mark-pr-open";
import { call, eventually, expectError, json, keyWithScopes, message, seedProject } from "./helpers";

interface WebView {
  key: string;
  experiment_id: string;
  status: string;
  status_reason: string | null;
  segments: { key: string; name: string; traffic_percent: number; description: string; variant_id: string }[];
  preview_links: { segment: string; url: string }[];
  activated_at: string | null;
  finished_at: string | null;
}

interface ResultsView {
  experiment_id: string;
  segments: {
    key: string;
    exposures: number;
    primary: { conversions: number; rate: number; p_best: number; ci95: { low: number; high: number } };
    secondary: { metric: string; count: number; rate: number }[];
  }[];
  srm: { p_value: number; alarm: boolean } | null;
}

const SEGMENTS = [
  { key: "control", name: "Today's button", traffic_percent: 20, description: "as it is" },
  { key: "green", name: "Green button", traffic_percent: 30, description: "green CTA" },
  { key: "big", name: "Big button", traffic_percent: 50, description: "larger CTA" },
];

function definition(key: string, overrides: Record<string, unknown> = {}) {
  return {
    key,
    hypothesis: "A louder call to action gets more sign-ups",
    target_type: "page",
    target: "/pricing",
    segments: SEGMENTS,
    primary_metric: "signup",
    secondary_metrics: ["add_to_cart", "scroll.50"],
    preview_url: "https://staging.example.com/pricing",
    ...overrides,
  };
}

async function create(apiKey: string, key: string, overrides: Record<string, unknown> = {}) {
  return json<WebView>(
    await call("/v1/web-experiments", { key: apiKey, body: definition(key, overrides) }),
    201,
  );
}

async function activate(apiKey: string, key: string) {
  return json<WebView>(
    await call(`/v1/web-experiments/${key}/activate`, { key: apiKey, method: "POST", body: {} }),
    200,
  );
}

async function expose(apiKey: string, experiment: string, anonymousId: string) {
  return json<{ experiment: string; segment: string; tracking_token: string }>(
    await call("/v1/web/exposures", { key: apiKey, body: { experiment, anonymous_id: anonymousId } }),
    200,
  );
}

async function results(apiKey: string, key: string) {
  return json<ResultsView>(await call(`/v1/web-experiments/${key}/results`, { key: apiKey }), 200);
}

/** A context whose events queue only collects what it is sent (no consumer runs). */
function collectingContext(overrides: Partial<AppContext> = {}) {
  const sent: ImpressionMessage[] = [];
  const base = buildContext(env, () => {});
  const ctx: AppContext = {
    ...base,
    queues: {
      ...base.queues,
      events: {
        send: async (body: unknown) => {
          sent.push(body as ImpressionMessage);
        },
      } as unknown as Queue<unknown>,
    },
    ...overrides,
  };
  return { ctx, sent };
}

/** A D1 client that throws on any use: proof that a path never touches D1. */
const NO_D1 = new Proxy(
  {},
  {
    get(_t, prop) {
      throw new Error(`D1 touched (db.${String(prop)})`);
    },
  },
) as AppContext["db"];

describe("web experiments: definition", () => {
  it("creates a draft riding on an engine experiment of kind web, split by the segments' traffic", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const made = await create(apiKey, "pricing-cta");
    expect(made).toMatchObject({ key: "pricing-cta", status: "draft", activated_at: null });
    expect(made.segments.map((s) => [s.key, s.traffic_percent])).toEqual([
      ["control", 20],
      ["green", 30],
      ["big", 50],
    ]);
    expect(made.preview_links).toEqual(
      SEGMENTS.map((s) => ({ segment: s.key, url: `https://staging.example.com/pricing#seg-${s.key}` })),
    );
    const engine = await env.DB.prepare(
      "SELECT kind, intent_id, strategy, goal_metric, on_winner, challenger_count FROM experiments WHERE id = ? AND project_id = ?",
    )
      .bind(made.experiment_id, projectId)
      .first();
    expect(engine).toEqual({
      kind: "web",
      intent_id: "web:pricing-cta",
      strategy: "sticky",
      goal_metric: "conversion",
      on_winner: "keep_testing",
      challenger_count: 0,
    });
    const { results: variants } = await env.DB.prepare(
      "SELECT id, text, source FROM variants WHERE experiment_id = ? ORDER BY source = 'control' DESC, text",
    )
      .bind(made.experiment_id)
      .all<{ id: string; text: string; source: string }>();
    expect(variants.map((v) => [v.text, v.source])).toEqual([
      ["control: Today's button", "control"],
      ["big: Big button", "manual"],
      ["green: Green button", "manual"],
    ]);
    expect(made.segments[0]?.variant_id).toBe(variants[0]?.id);
    const allocation = await env.DB.prepare(
      "SELECT weights, strategy FROM allocations WHERE experiment_id = ? ORDER BY version DESC LIMIT 1",
    )
      .bind(made.experiment_id)
      .first<{ weights: string; strategy: string }>();
    const weights = JSON.parse(allocation?.weights ?? "{}") as Record<string, number>;
    expect(Object.fromEntries(made.segments.map((s) => [s.key, weights[s.variant_id]]))).toEqual({
      control: 0.2,
      green: 0.3,
      big: 0.5,
    });

    await expectError(
      await call("/v1/web-experiments", { key: apiKey, body: definition("pricing-cta") }),
      409,
      "CONFLICT",
      "a web experiment with key 'pricing-cta' already exists",
    );
    const listed = await json<{ experiments: WebView[] }>(
      await call("/v1/web-experiments?status=draft", { key: apiKey }),
      200,
    );
    expect(listed.experiments.map((e) => e.key)).toEqual(["pricing-cta"]);
  });

  it.each([
    [
      "traffic that does not add up to 100",
      { segments: [SEGMENTS[0], { ...SEGMENTS[1], traffic_percent: 70.5 }] },
      /traffic_percent must add up to exactly 100, got 90\.5/,
    ],
    [
      "duplicate segment keys",
      { segments: [SEGMENTS[0], { ...SEGMENTS[1], key: "control" }, SEGMENTS[2]] },
      /segments\.1\.key: 'control' is used by another segment/,
    ],
    [
      "a single segment",
      { segments: [{ ...SEGMENTS[0], traffic_percent: 100 }] },
      /segments: needs 2 to 8 segments \(the first is the control\), got 1/,
    ],
    [
      "nine segments",
      {
        segments: Array.from({ length: 9 }, (_, i) => ({
          key: `s${i}`,
          name: `S${i}`,
          traffic_percent: i === 0 ? 20 : 10,
        })),
      },
      /needs 2 to 8 segments/,
    ],
    ["a bad primary metric", { primary_metric: "Sign Up" }, /primary_metric: 'Sign Up' is not a metric name/],
    [
      "a bad secondary metric",
      { secondary_metrics: ["ok", "9lives"] },
      /secondary_metrics\.1: '9lives' is not a metric name/,
    ],
    [
      "the primary metric again as secondary",
      { secondary_metrics: ["signup"] },
      /secondary_metrics\.0: 'signup' is the primary metric already/,
    ],
    [
      "three decimals of traffic",
      {
        segments: [
          { ...SEGMENTS[0], traffic_percent: 20.005 },
          { ...SEGMENTS[1], traffic_percent: 79.995 },
        ],
      },
      /segments\.0\.traffic_percent: at most 2 decimals/,
    ],
    ["a key that is not a slug", { key: "Pricing CTA" }, /key: must be a slug/],
    [
      "an http preview URL",
      { preview_url: "http://staging.example.com/" },
      /preview_url: must be https \(or http:\/\/localhost/,
    ],
    [
      "a repository that is not owner/name",
      { repository: "just-a-name" },
      /repository: must be 'owner\/name'/,
    ],
  ])("refuses %s with a 400 naming the field", async (_, overrides, expected) => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    await expectError(
      await call("/v1/web-experiments", {
        key: apiKey,
        body: definition(`bad-${newId("exp").slice(4, 12)}`, overrides),
      }),
      400,
      "BAD_REQUEST",
      expected,
    );
    const listed = await json<{ experiments: unknown[] }>(
      await call("/v1/web-experiments", { key: apiKey }),
      200,
    );
    expect(listed.experiments).toEqual([]);
  });

  it("edits the definition only in draft; new segments reshape the engine; delete frees the key", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const made = await create(apiKey, "hero");
    const patched = await json<WebView>(
      await call("/v1/web-experiments/hero", {
        key: apiKey,
        method: "PATCH",
        body: {
          segments: [
            { key: "control", name: "Hero", traffic_percent: 50 },
            { key: "video", name: "Hero video", traffic_percent: 50 },
          ],
        },
      }),
      200,
    );
    expect(patched.segments.map((s) => s.key)).toEqual(["control", "video"]);
    expect(patched.segments[0]?.variant_id).toBe(made.segments[0]?.variant_id);
    const { results: variants } = await env.DB.prepare(
      "SELECT text FROM variants WHERE experiment_id = ? AND project_id = ? ORDER BY text",
    )
      .bind(made.experiment_id, projectId)
      .all<{ text: string }>();
    expect(variants.map((v) => v.text)).toEqual(["control: Hero", "video: Hero video"]);

    await activate(apiKey, "hero");
    await expectError(
      await call("/v1/web-experiments/hero", {
        key: apiKey,
        method: "PATCH",
        body: { hypothesis: "changed" },
      }),
      409,
      "CONFLICT",
      /is active: hypothesis, target, segments and metrics change only in draft or failed/,
    );
    const moved = await json<WebView & { preview_url: string }>(
      await call("/v1/web-experiments/hero/preview-url", {
        key: apiKey,
        method: "PUT",
        body: { preview_url: "http://localhost:3000/" },
      }),
      200,
    );
    expect(moved.preview_links.map((l) => l.url)).toEqual([
      "http://localhost:3000/#seg-control",
      "http://localhost:3000/#seg-video",
    ]);
    await expectError(
      await call("/v1/web-experiments/hero", { key: apiKey, method: "DELETE" }),
      409,
      "CONFLICT",
      /only a draft or failed one can be deleted/,
    );

    await create(apiKey, "footer");
    const res = await call("/v1/web-experiments/footer", { key: apiKey, method: "DELETE" });
    expect(res.status, await res.clone().text()).toBe(204);
    const gone = await env.DB.prepare(
      "SELECT count(*) AS n FROM experiments WHERE project_id = ? AND intent_id = ?",
    )
      .bind(projectId, "web:footer")
      .first<{ n: number }>();
    expect(gone?.n).toBe(0);
    await create(apiKey, "footer");
  });

  it("status: polls the newest implementation run; the diff is 404 until there is one", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const made = await create(apiKey, "nav");
    const before = await json<{ status: string; phase: string; run: unknown; log: unknown[] }>(
      await call("/v1/web-experiments/nav/status", { key: apiKey }),
      200,
    );
    expect(before).toMatchObject({ status: "draft", phase: "draft", run: null, log: [] });
    await expectError(await call("/v1/web-experiments/nav/diff", { key: apiKey }), 404, "NOT_FOUND");
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO implementation_runs (id, project_id, experiment_id, status, phase, log, diff, files, requested_by, created_at, updated_at)
       VALUES (?, ?, ?, 'running', 'write', ?, ?, ?, 'test', ?, ?)`,
    )
      .bind(
        "run_test1",
        projectId,
        made.experiment_id,
        JSON.stringify([{ at: now, phase: "write", message: "wrote app/pricing/page.tsx" }]),
        "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n",
        JSON.stringify(["app/pricing/page.tsx"]),
        now,
        now,
      )
      .run();
    const during = await json<{
      phase: string;
      log: { message: string }[];
      run: { files: string[]; has_diff: boolean };
    }>(await call("/v1/web-experiments/nav/status", { key: apiKey }), 200);
    expect(during.phase).toBe("write");
    expect(during.log.map((l) => l.message)).toEqual(["wrote app/pricing/page.tsx"]);
    expect(during.run).toMatchObject({ files: ["app/pricing/page.tsx"], has_diff: true });
    const diff = await call("/v1/web-experiments/nav/diff", { key: apiKey });
    expect(diff.status).toBe(200);
    expect(diff.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await diff.text()).toContain("+b");
  });
});

describe("web experiments: the agent's transitions", () => {
  it("implementing → pr_open → failed → implementing, each guarded; the status shows the reason", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const made = await create(apiKey, "agent");
    const ctx = buildContext(env, () => {});
    const actor = "github";
    await expect(
      markPrOpen({
        ctx,
        projectId,
        actor,
        input: { key: "agent", branch: "b", pullNumber: 1, pullUrl: "u" },
      }),
    ).rejects.toThrow("web experiment 'agent' is draft: it can become pr_open only from implementing");
    expect((await markImplementing({ ctx, projectId, actor, input: { key: "agent" } })).status).toBe(
      "implementing",
    );
    await expect(markImplementing({ ctx, projectId, actor, input: { key: "agent" } })).rejects.toThrow(
      /is implementing: it can become implementing only from draft or failed/,
    );
    const open = await markPrOpen({
      ctx,
      projectId,
      actor,
      input: {
        experimentId: made.experiment_id,
        branch: "pushbunny/agent-abc123",
        pullNumber: 7,
        pullUrl: "https://github.com/acme/web/pull/7",
      },
    });
    expect(open).toMatchObject({ status: "pr_open", branch: "pushbunny/agent-abc123", pullNumber: 7 });
    await failWebExperiment({
      ctx,
      projectId,
      actor,
      input: { key: "agent", reason: "pull request #7 was closed without merging" },
    });
    const status = await json<{ status: string; reason: string }>(
      await call("/v1/web-experiments/agent/status", { key: apiKey }),
      200,
    );
    expect(status).toMatchObject({ status: "failed", reason: "pull request #7 was closed without merging" });
    await expect(
      failWebExperiment({ ctx, projectId, actor, input: { key: "agent", reason: "again" } }),
    ).rejects.toThrow(/is failed: it can become failed only from implementing or pr_open/);
    expect((await markImplementing({ ctx, projectId, actor, input: { key: "agent" } })).branch).toBeNull();
    await markPrOpen({
      ctx,
      projectId,
      actor,
      input: { key: "agent", branch: "b2", pullNumber: 8, pullUrl: "u2" },
    });
    const merged = await activateWebExperiment({ ctx, projectId, actor, input: { key: "agent" } });
    expect(merged.status).toBe("active");
    await expect(markImplementing({ ctx, projectId, actor, input: { key: "missing" } })).rejects.toThrow(
      "web experiment 'missing' not found",
    );
  });
});

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

/**
 * A context whose KV runs `between` right before its first write of the runtime config goes
 * through: another request landing between this one's D1 read and its KV write. `settle` runs
 * it if no such write ever came. Other keys (the engine's pool) pass untouched.
 */
function kvInterleaving(between: () => Promise<void>) {
  const puts: string[] = [];
  let ran = false;
  const once = async () => {
    if (ran) return;
    ran = true;
    await between();
  };
  const base = env.KV;
  const kv = {
    get: base.get.bind(base),
    delete: base.delete.bind(base),
    list: base.list.bind(base),
    getWithMetadata: base.getWithMetadata.bind(base),
    put: async (key: string, value: string, options?: KVNamespacePutOptions) => {
      if (key.startsWith(runtimeConfigKvKey(""))) {
        puts.push(key);
        await once();
      }
      return base.put(key, value, options);
    },
  } as unknown as KVNamespace;
  const { ctx, sent } = collectingContext({ kv });
  return { ctx, sent, puts, settle: once };
}

const kvConfigKeys = async (projectId: string) =>
  ((await env.KV.get<RuntimeConfig>(runtimeConfigKvKey(projectId), "json"))?.experiments ?? []).map(
    (e) => e.key,
  );

const finishByApi = async (apiKey: string, key: string) => {
  await json(await call(`/v1/web-experiments/${key}/finish`, { key: apiKey, method: "POST" }), 200);
};

describe("web experiments: review fixes", () => {
  it("the public runtime paths never write KV: a finish between their D1 read and a write stays finished", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    await create(apiKey, "cold-config");
    await activate(apiKey, "cold-config");
    // No KV entry and a cold isolate: GET /v1/web/experiments reads D1.
    await env.KV.delete(runtimeConfigKvKey(projectId));
    clearIsolateRuntimeConfigs();
    const config = kvInterleaving(() => finishByApi(apiKey, "cold-config"));
    const served = await getWebConfig({ ctx: config.ctx, projectId });
    expect(served.experiments.map((e) => e.key)).toEqual(["cold-config"]);
    await config.settle();
    expect(config.puts).toEqual([]);
    expect(await kvConfigKeys(projectId)).toEqual([]);

    // An exposure for an experiment this isolate's copy does not list yet reads D1 too.
    await create(apiKey, "late-exposure");
    await activate(apiKey, "late-exposure");
    await env.KV.put(
      runtimeConfigKvKey(projectId),
      JSON.stringify({ v: 1, projectId, experiments: [], builtAt: Date.now() } satisfies RuntimeConfig),
    );
    clearIsolateRuntimeConfigs();
    const exposure = kvInterleaving(() => finishByApi(apiKey, "late-exposure"));
    const out = await recordWebExposure({
      ctx: exposure.ctx,
      projectId,
      input: { experiment: "late-exposure", anonymousId: "v1" },
    });
    expect(out.experiment).toBe("late-exposure");
    expect(exposure.sent).toHaveLength(1);
    await exposure.settle();
    expect(exposure.puts).toEqual([]);
    expect(await kvConfigKeys(projectId)).toEqual([]);
    clearIsolateRuntimeConfigs();
    await expectError(
      await call("/v1/web/exposures", {
        key: await keyWithScopes(projectId, "message"),
        body: { experiment: "late-exposure", anonymous_id: "v2" },
      }),
      409,
      "CONFLICT",
    );
  });

  it("two racing transitions: the one whose KV write lands last checks D1 again and writes the newer set", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    for (const key of ["race-a", "race-b", "race-c"]) await create(apiKey, key);
    await activate(apiKey, "race-a");
    await activate(apiKey, "race-b");
    // Activating race-c reads D1 (a, b, c active); race-b finishes and publishes (a, c) before
    // race-c's write of (a, b, c) lands.
    const racing = kvInterleaving(() => finishByApi(apiKey, "race-b"));
    const row = await activateWebExperiment({
      ctx: racing.ctx,
      projectId,
      actor: "test",
      input: { key: "race-c" },
    });
    expect(row.status).toBe("active");
    expect(await kvConfigKeys(projectId)).toEqual(["race-a", "race-c"]);
    expect(racing.puts.length).toBe(2);
    clearIsolateRuntimeConfigs();
    const { ctx } = collectingContext({ db: NO_D1 });
    expect((await loadRuntimeConfig(ctx, projectId)).experiments.map((e) => e.key)).toEqual([
      "race-a",
      "race-c",
    ]);
  });

  it("a transition whose KV write fails drops the KV copy, so the old config cannot outlive it", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    await create(apiKey, "kv-down-a");
    await create(apiKey, "kv-down-b");
    await activate(apiKey, "kv-down-a");
    expect(await kvConfigKeys(projectId)).toEqual(["kv-down-a"]);
    const base = env.KV;
    const kv = {
      get: base.get.bind(base),
      delete: base.delete.bind(base),
      put: async (key: string, value: string, options?: KVNamespacePutOptions) => {
        if (key.startsWith(runtimeConfigKvKey(""))) throw new Error("KV write failed");
        return base.put(key, value, options);
      },
    } as unknown as KVNamespace;
    const { ctx } = collectingContext({ kv });
    const row = await activateWebExperiment({ ctx, projectId, actor: "test", input: { key: "kv-down-b" } });
    expect(row.status).toBe("active");
    expect(await env.KV.get(runtimeConfigKvKey(projectId))).toBeNull();
    clearIsolateRuntimeConfigs();
    const served = await getWebConfig({ ctx: buildContext(env, () => {}), projectId });
    expect(served.experiments.map((e) => e.key)).toEqual(["kv-down-a", "kv-down-b"]);
  });

  it("exposures and events are limited per address and project, beside the key's class budget", async () => {
    const { projectId } = await seedProject({ challengerCount: 0 });
    const other = await seedProject({ challengerCount: 0 });
    const sdkKey = await keyWithScopes(projectId, "message");
    const otherKey = await keyWithScopes(other.projectId, "message");
    for (const [path, rule] of [
      ["/v1/web/exposures", WEB_EXPOSURES_PER_IP],
      ["/v1/web/events", WEB_EVENTS_PER_IP],
    ] as const) {
      const from = (ip: string, key = sdkKey) =>
        call(path, { key, body: {}, headers: { "cf-connecting-ip": ip } });
      // Malformed bodies count: the address is charged before the body is read.
      for (let i = 0; i < rule.limit; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, rule.limit - i) }, () => from("198.51.100.7")),
        );
        expect(batch.map((r) => r.status).every((st) => st === 400)).toBe(true);
      }
      const refused = await from("198.51.100.7");
      await expectError(refused, 429, "RATE_LIMITED", /from this address for this project/);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      // Another address, or the same address on another project, has its own budget.
      expect((await from("198.51.100.8")).status).toBe(400);
      expect((await from("198.51.100.7", otherKey)).status).toBe(400);
    }
    // IPv6: a /64 is one subscriber line, so one budget.
    for (let i = 0; i < WEB_EXPOSURES_PER_IP.limit; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          call("/v1/web/exposures", {
            key: sdkKey,
            body: {},
            headers: { "cf-connecting-ip": `2001:db8:1:2::${(i + j).toString(16)}` },
          }),
        ),
      );
    }
    await expectError(
      await call("/v1/web/exposures", {
        key: sdkKey,
        body: {},
        headers: { "cf-connecting-ip": "2001:db8:1:2:ffff::1" },
      }),
      429,
      "RATE_LIMITED",
    );
  });
});
