import { env } from "cloudflare:workers";
import { newId } from "@pushbunny/core";
import { experimentTotals, listVariantsOf, variantCounts } from "@pushbunny/db";
import { describe, expect, it } from "vitest";
import type { ExperimentListView } from "../../src/http/routes/experiments/list-experiments";
import type { StatsView } from "../../src/http/routes/stats/get-stats";
import { call, db, json, seedProject } from "../helpers";

// D1 binds at most 100 parameters per statement. These read paths take lists built from data
// (a page of 100 experiments, an intent's locales) and once bound one parameter per id.

const DAY = "2026-11-01";

/**
 * `n` experiments of one project straight through D1 (a message call each would be slow): a
 * control per experiment and a daily aggregate of `i + 1` impressions and `i % 3` opens.
 */
async function seedExperiments(projectId: string, n: number, intentOf: (i: number) => [string, string]) {
  const created = Date.UTC(2026, 10, 1);
  const statements = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const [intent, locale] = intentOf(i);
    const experimentId = newId("exp");
    const variantId = newId("var");
    ids.push(experimentId);
    statements.push(
      env.DB.prepare(
        `INSERT INTO experiments (id, project_id, intent_id, locale, base_example, generation_status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'Hello', 'ready', ?5, ?5)`,
      ).bind(experimentId, projectId, intent, locale, created + i),
      env.DB.prepare(
        `INSERT INTO variants (id, project_id, experiment_id, text, normalized, source, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'Hello', 'hello', 'control', 'active', ?4, ?4)`,
      ).bind(variantId, projectId, experimentId, created + i),
      env.DB.prepare(
        `INSERT INTO variant_daily_stats (project_id, experiment_id, variant_id, day, impressions, opens, conversions)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)`,
      ).bind(projectId, experimentId, variantId, DAY, i + 1, i % 3),
    );
  }
  await env.DB.batch(statements);
  // Newest first, as the list returns them.
  return ids.reverse();
}

const sum = (n: number, f: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => f(i)).reduce((a, b) => a + b, 0);

describe("more than 100 ids in one read", () => {
  it("GET /v1/experiments?limit=100 pages 105 experiments with their totals", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const ids = await seedExperiments(projectId, 105, (i) => [`bulk_${i}`, "en-US"]);
    const first = await json<ExperimentListView>(
      await call("/v1/experiments?limit=100", { key: apiKey }),
      200,
    );
    expect(first.experiments.map((e) => e.experiment_id)).toEqual(ids.slice(0, 100));
    expect(first.next_cursor).not.toBeNull();
    const second = await json<ExperimentListView>(
      await call(`/v1/experiments?limit=100&cursor=${encodeURIComponent(first.next_cursor ?? "")}`, {
        key: apiKey,
      }),
      200,
    );
    expect(second.experiments.map((e) => e.experiment_id)).toEqual(ids.slice(100));
    expect(second.next_cursor).toBeNull();
    const all = [...first.experiments, ...second.experiments];
    expect(all.reduce((s, e) => s + e.impressions, 0)).toBe(sum(105, (i) => i + 1));
    expect(all.reduce((s, e) => s + e.opens, 0)).toBe(sum(105, (i) => i % 3));
    expect(all.every((e) => e.variants_total === 1 && e.variants_active === 1)).toBe(true);
  });

  it("GET /v1/stats sums an intent with 102 locales, by day, by time of day and with simulated traffic", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    await seedExperiments(projectId, 102, (i) => ["many_locales", `x-loc${String(i).padStart(3, "0")}`]);
    const impressions = sum(102, (i) => i + 1);
    const opens = sum(102, (i) => i % 3);
    for (const qs of ["", "&include_simulated=true", `&date_from=${DAY}&date_to=${DAY}`]) {
      const stats = await json<StatsView>(
        await call(`/v1/stats?intent_id=many_locales${qs}`, { key: apiKey }),
        200,
      );
      expect(stats.total_impressions, qs).toBe(impressions);
      expect(stats.total_opens, qs).toBe(opens);
      expect(stats.variants, qs).toHaveLength(102);
      expect(stats.experiments, qs).toHaveLength(102);
    }
    // A time of day reads the raw rows (none were seeded): still one statement per table.
    const raw = await json<StatsView>(
      await call(`/v1/stats?intent_id=many_locales&date_from=${DAY}T00:00:00Z`, { key: apiKey }),
      200,
    );
    expect(raw).toMatchObject({ total_impressions: 0, total_opens: 0 });
    expect(raw.variants).toHaveLength(102);
  });
});

describe("the one-parameter id lists keep their index", () => {
  // drizzle builds a query without running it until awaited: read the SQL it would send.
  const sqlOf = (query: unknown) => (query as { toSQL(): { sql: string; params: unknown[] } }).toSQL();

  it.each([
    ["experimentTotals", experimentTotals, "variant_daily_stats_experiment_idx"],
    ["variantCounts", variantCounts, "variants_project_idx"],
    ["listVariantsOf", listVariantsOf, "variants_project_idx"],
  ] as const)("%s searches %s by (project_id, experiment_id)", async (_name, query, index) => {
    const { sql, params } = sqlOf(query(db, "prj_plan", ["exp_a", "exp_b"]));
    expect(params).toHaveLength(2);
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const steps = results.map((r) => r.detail);
    expect(
      steps.some((s) => s.includes(`USING INDEX ${index} (project_id=? AND experiment_id=?)`)),
      steps.join("\n"),
    ).toBe(true);
  });
});
