import { env } from "cloudflare:workers";
import { newId } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import { call, expectError, json, seedProject } from "../helpers";
import { activate, create, definition, SEGMENTS, type WebView } from "./helpers";

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
