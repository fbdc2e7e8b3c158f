import { env } from "cloudflare:workers";
import { type AdInsightSnapshot, validateAdInsight } from "@pushbunny/llm";
import { describe, expect, it } from "vitest";
import type { AlertViewJson, InsightViewJson } from "../src/http/routes/ads/insight-schemas";
import type { SyncRunView } from "../src/http/routes/ads/schemas";
import { buildContext } from "../src/infra/build-context";
import { refreshAdInsights } from "../src/services/ads/refresh-insights";
import { call, eventually, expectError, json, seedProject } from "./helpers";

// End to end with the sandbox source: connect, sync, read the insight and alerts. Anomalies are
// scripted by rewriting stored days the next sync does not re-fetch (older than the 3-day
// lookback), as a channel that restated them would.

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** The insight written after `runId` (insights land just after the run is marked finished). */
async function insightOf(key: string, runId: string): Promise<InsightViewJson> {
  return eventually(async () => {
    const insight = await json<InsightViewJson>(await call("/v1/ads/insights/latest", { key }), 200);
    expect(insight.run_id).toBe(runId);
    return insight;
  });
}

async function connect(key: string, channel: string) {
  const { run } = await json<{ run: SyncRunView }>(
    await call(`/v1/ads/channels/${channel}`, { key, method: "PUT" }),
    200,
  );
  return { run, insight: await insightOf(key, run.run_id) };
}

async function sync(key: string) {
  const run = await json<SyncRunView>(await call("/v1/ads/sync", { key, method: "POST" }), 202);
  return { run, insight: await insightOf(key, run.run_id) };
}

async function alerts(key: string, query = "") {
  return json<{ alerts: AlertViewJson[]; next_cursor: string | null }>(
    await call(`/v1/ads/alerts?limit=100${query}`, { key }),
    200,
  );
}

/** The campaigns of a channel by spend over the current window, biggest first. */
async function bySpend(projectId: string, channel: string, from: string) {
  const { results } = await env.DB.prepare(
    "SELECT campaign_id, sum(cost) AS cost FROM ad_campaign_metrics WHERE project_id = ? AND channel = ? AND date >= ? GROUP BY campaign_id ORDER BY cost DESC",
  )
    .bind(projectId, channel, from)
    .all<{ campaign_id: string; cost: number }>();
  return results.map((r) => r.campaign_id);
}

/** Multiplies a column on the given days of one campaign; returns how to put it back. */
async function scale(
  projectId: string,
  channel: string,
  campaignId: string,
  column: "cost" | "conversion_value",
  days: string[],
  factor: number,
) {
  const sql = `UPDATE ad_campaign_metrics SET ${column} = ${column} * ? WHERE project_id = ? AND channel = ? AND campaign_id = ? AND date IN (${days.map(() => "?").join(",")})`;
  const res = await env.DB.prepare(sql)
    .bind(factor, projectId, channel, campaignId, ...days)
    .run();
  expect(res.meta.changes).toBe(days.length);
}

const alertRows = (projectId: string, campaignId: string) =>
  env.DB.prepare("SELECT id, kind, day, state FROM ad_alerts WHERE project_id = ? AND campaign_id = ?")
    .bind(projectId, campaignId)
    .all<{ id: string; kind: string; day: string; state: string }>()
    .then((r) => r.results);

describe("ad insights and alerts (sandbox source)", () => {
  it("a sync writes an insight whose numbers are the stored rows' and whose narrative cites only them", async () => {
    const { apiKey, projectId } = await seedProject();
    await expectError(await call("/v1/ads/insights/latest", { key: apiKey }), 404, "NOT_FOUND");
    const { run, insight } = await connect(apiKey, "google_ads");
    expect(insight.as_of).toBe(run.until);
    expect(insight.provider).toBe("offline");
    expect(insight.fallback_reason).toBeNull();
    const w = insight.numbers.window;
    expect(w).toEqual({
      current_from: addDays(run.until, -6),
      current_to: run.until,
      baseline_from: addDays(run.until, -34),
      baseline_to: addDays(run.until, -7),
    });
    // The channel's current-window cost equals the sum of its stored rows.
    const row = await env.DB.prepare(
      "SELECT sum(cost) AS cost, sum(conversion_value) AS value, count(DISTINCT date) AS days FROM ad_campaign_metrics WHERE project_id = ? AND channel = 'google_ads' AND date >= ? AND date <= ?",
    )
      .bind(projectId, w.current_from, w.current_to)
      .first<{ cost: number; value: number; days: number }>();
    const channel = insight.numbers.channels.find((c) => c.channel === "google_ads");
    expect(channel?.current.cost).toBeCloseTo(row?.cost ?? -1, 2);
    expect(channel?.current.days).toBe(row?.days);
    expect(channel?.current.roas).toBeCloseTo((row?.value ?? 0) / (row?.cost ?? 1), 4);
    expect(insight.summary).toContain(String(insight.numbers.total.current.cost));
    // The served narrative passes the same check a model's answer must.
    const snapshot = {
      as_of: insight.as_of,
      computed_at: insight.created_at,
      ...insight.numbers,
    } as AdInsightSnapshot;
    const { summary, insights, recommendations } = insight;
    expect(validateAdInsight({ summary, insights, recommendations }, snapshot)).toMatchObject({ ok: true });
    expect(
      validateAdInsight({ summary: `${summary} ROAS will reach 9.87.`, insights, recommendations }, snapshot),
    ).toMatchObject({
      ok: false,
    });
    expect(insight.insights.length).toBeGreaterThan(0);
    // Every recommendation is one of code's candidates.
    for (const r of insight.recommendations) {
      expect(insight.numbers.candidates).toContainEqual(
        expect.objectContaining({ action: r.action, channel: r.channel, campaign_id: r.campaign_id }),
      );
    }
  });

  it("a scripted spend spike opens one alert; re-syncs never duplicate it; it resolves itself when it clears", async () => {
    const { apiKey, projectId } = await seedProject();
    const { run } = await connect(apiKey, "facebook");
    const asOf = run.until;
    // Days 3 to 6 before the last: inside the 7-day window, outside the lookback a sync re-fetches.
    const days = [3, 4, 5, 6].map((n) => addDays(asOf, -n));
    const [target, second] = await bySpend(projectId, "facebook", addDays(asOf, -34));
    if (!target || !second) throw new Error("the sandbox gave fewer than two campaigns");
    const before = await alerts(apiKey, `&kind=spend_spike&campaign_id=${target}`);
    expect(before.alerts).toEqual([]);

    await scale(projectId, "facebook", target, "cost", days, 8);
    await scale(projectId, "facebook", second, "cost", days, 8);
    const spiked = await sync(apiKey);
    expect(spiked.insight.numbers.alerts).toContainEqual(
      expect.objectContaining({ kind: "spend_spike", channel: "facebook", campaign_id: target }),
    );
    const open = await alerts(apiKey, `&state=open&kind=spend_spike&channel=facebook&campaign_id=${target}`);
    expect(open.alerts).toHaveLength(1);
    const alert = open.alerts[0] as AlertViewJson;
    expect(alert).toMatchObject({ state: "open", day: asOf, threshold: 2, run_id: spiked.run.run_id });
    expect(alert.observed).toBeGreaterThanOrEqual(2 * alert.baseline);
    expect(alert.alert_id).toMatch(/^alr_[0-9a-f]{20}$/);

    // Cursor paging walks both spikes, one per page.
    const first = await json<{ alerts: AlertViewJson[]; next_cursor: string | null }>(
      await call("/v1/ads/alerts?kind=spend_spike&limit=1", { key: apiKey }),
      200,
    );
    expect(first.alerts).toHaveLength(1);
    expect(first.next_cursor).not.toBeNull();
    const next = await json<{ alerts: AlertViewJson[]; next_cursor: string | null }>(
      await call(
        `/v1/ads/alerts?kind=spend_spike&limit=1&cursor=${encodeURIComponent(first.next_cursor ?? "")}`,
        {
          key: apiKey,
        },
      ),
      200,
    );
    expect(next.alerts).toHaveLength(1);
    expect(next.alerts[0]?.alert_id).not.toBe(first.alerts[0]?.alert_id);
    expect(new Set([first.alerts[0]?.campaign_id, next.alerts[0]?.campaign_id])).toEqual(
      new Set([target, second]),
    );

    // Acknowledge, twice: the same answer.
    const acked = await json<AlertViewJson>(
      await call(`/v1/ads/alerts/${alert.alert_id}/acknowledge`, { key: apiKey, method: "POST" }),
      200,
    );
    expect(acked.state).toBe("acknowledged");
    expect(acked.acknowledged_at).not.toBeNull();
    const again = await json<AlertViewJson>(
      await call(`/v1/ads/alerts/${alert.alert_id}/acknowledge`, { key: apiKey, method: "POST" }),
      200,
    );
    expect(again.acknowledged_at).toBe(acked.acknowledged_at);

    // Re-sync while the spike holds: still one row, still acknowledged, seen by the new run.
    const resync = await sync(apiKey);
    const rows = (await alertRows(projectId, target)).filter((r) => r.kind === "spend_spike");
    expect(rows).toEqual([{ id: alert.alert_id, kind: "spend_spike", day: asOf, state: "acknowledged" }]);
    const seen = (await alerts(apiKey, `&campaign_id=${target}&kind=spend_spike`)).alerts[0];
    expect(seen?.run_id).toBe(resync.run.run_id);

    // The channel restates the days: the spike clears and the next sync resolves the alert.
    await scale(projectId, "facebook", target, "cost", days, 1 / 8);
    await sync(apiKey);
    const resolved = (await alerts(apiKey, `&campaign_id=${target}&kind=spend_spike`)).alerts;
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ alert_id: alert.alert_id, state: "resolved", resolved_by: "auto" });
    // The other campaign still spikes: its alert stays open.
    const still = (await alerts(apiKey, `&campaign_id=${second}&kind=spend_spike`)).alerts;
    expect(still.map((a) => a.state)).toEqual(["open"]);

    // A resolved alert cannot be acknowledged; resolving it again changes nothing.
    await expectError(
      await call(`/v1/ads/alerts/${alert.alert_id}/acknowledge`, { key: apiKey, method: "POST" }),
      409,
      "CONFLICT",
    );
    const same = await json<AlertViewJson>(
      await call(`/v1/ads/alerts/${alert.alert_id}/resolve`, { key: apiKey, method: "POST" }),
      200,
    );
    expect(same).toMatchObject({ state: "resolved", resolved_by: "auto" });

    // Resolving by hand.
    const byHand = await json<AlertViewJson>(
      await call(`/v1/ads/alerts/${still[0]?.alert_id}/resolve`, { key: apiKey, method: "POST" }),
      200,
    );
    expect(byHand).toMatchObject({ state: "resolved", resolved_by: "user" });
    expect((await alerts(apiKey, "&state=open&kind=spend_spike")).alerts).toEqual([]);

    // Another project's key sees none of it.
    const other = await seedProject();
    await expectError(
      await call(`/v1/ads/alerts/${alert.alert_id}/acknowledge`, { key: other.apiKey, method: "POST" }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/v1/ads/alerts/${alert.alert_id}/resolve`, { key: other.apiKey, method: "POST" }),
      404,
      "NOT_FOUND",
    );
    expect((await alerts(other.apiKey)).alerts).toEqual([]);
    await expectError(await call("/v1/ads/insights/latest", { key: other.apiKey }), 404, "NOT_FOUND");
  });

  it("alert rules: defaults, partial updates, bounds, and a disabled rule fires nothing", async () => {
    const { apiKey, projectId } = await seedProject();
    const defaults = await json<{
      rules: { kind: string; enabled: boolean; threshold: number; customized: boolean }[];
    }>(await call("/v1/ads/alert-rules", { key: apiKey }), 200);
    expect(defaults.rules.map((r) => [r.kind, r.enabled, r.threshold, r.customized])).toEqual([
      ["spend_spike", true, 2, false],
      ["roas_drop", true, 0.5, false],
      ["conversions_stop", true, 3, false],
    ]);

    const bad: [unknown, string][] = [
      [{ rules: [{ kind: "spend_spike", threshold: 0.5 }] }, "rules.0.threshold"],
      [{ rules: [{ kind: "conversions_stop", threshold: 2.5 }] }, "rules.0.threshold"],
      [{ rules: [{ kind: "roas_drop", min_baseline: -1 }] }, "rules.0.min_baseline"],
      [{ rules: [{ kind: "roas_drop" }, { kind: "roas_drop" }] }, "rules.1.kind"],
      [{ rules: [{ kind: "cpc_spike" }] }, "rules.0.kind"],
      [{ rules: [] }, "rules"],
    ];
    for (const [body, path] of bad) {
      const error = await expectError(
        await call("/v1/ads/alert-rules", { key: apiKey, method: "PUT", body }),
        400,
        "BAD_REQUEST",
      );
      expect(JSON.stringify(error.issues), JSON.stringify(body)).toContain(path);
    }

    const updated = await json<{
      rules: { kind: string; enabled: boolean; threshold: number; min_baseline: number }[];
    }>(
      await call("/v1/ads/alert-rules", {
        key: apiKey,
        method: "PUT",
        body: {
          rules: [
            { kind: "spend_spike", enabled: false },
            { kind: "roas_drop", threshold: 0.3 },
          ],
        },
      }),
      200,
    );
    expect(updated.rules).toEqual([
      { kind: "spend_spike", enabled: false, threshold: 2, min_baseline: 10, customized: true },
      { kind: "roas_drop", enabled: true, threshold: 0.3, min_baseline: 100, customized: true },
      { kind: "conversions_stop", enabled: true, threshold: 3, min_baseline: 2, customized: false },
    ]);

    // With spend_spike off, a spike opens nothing; a ROAS collapse still opens a roas_drop.
    const { run } = await connect(apiKey, "tiktok");
    const days = [3, 4, 5, 6].map((n) => addDays(run.until, -n));
    const [target] = await bySpend(projectId, "tiktok", addDays(run.until, -34));
    if (!target) throw new Error("no sandbox campaign");
    await scale(projectId, "tiktok", target, "cost", days, 8);
    await sync(apiKey);
    const found = (await alerts(apiKey, `&campaign_id=${target}`)).alerts;
    expect(found.filter((a) => a.kind === "spend_spike")).toEqual([]);
    // 8× the cost for the same value: ROAS falls far more than 30%.
    expect(found.filter((a) => a.kind === "roas_drop").map((a) => [a.state, a.threshold])).toEqual([
      ["open", 0.3],
    ]);
    const insight = await json<InsightViewJson>(await call("/v1/ads/insights/latest", { key: apiKey }), 200);
    expect(insight.numbers.candidates).toContainEqual(
      expect.objectContaining({ action: "cut", channel: "tiktok", campaign_id: target, reason: "roas_drop" }),
    );
    expect(insight.recommendations).toContainEqual(
      expect.objectContaining({ action: "cut", channel: "tiktok", campaign_id: target }),
    );
  });
});

describe("ad insights with a model configured", () => {
  it("each model call spends the analysis quota; once spent, the template is stored with the reason", async () => {
    const { apiKey, projectId } = await seedProject();
    const { run } = await connect(apiKey, "instagram");
    // A "model" that answers every call with an error (the Graph API stub speaks no Gemini) and
    // one analysis an hour.
    const withModel = {
      ...env,
      GEMINI_API_KEY: "test-key",
      GEMINI_BASE_URL: (env as unknown as { META_API_BASE_URL: string }).META_API_BASE_URL,
      LLM_TIMEOUT_MS: "1000",
      RATE_LIMIT_ANALYSIS: "1/hour",
    } as typeof env;
    const ctx = buildContext(withModel, () => {});
    const input = { runId: run.run_id, asOf: run.until, channels: ["instagram" as const] };
    const first = await refreshAdInsights({ ctx, projectId, input });
    expect(first.provider).toBe("offline");
    expect(first.fallbackReason).not.toBeNull();
    expect(first.fallbackReason).toMatch(/^[a-z_]+: /);
    expect(first.fallbackReason).not.toMatch(/quota/);
    const second = await refreshAdInsights({ ctx, projectId, input });
    expect(second.fallbackReason).toMatch(/^analysis quota reached/);
    expect(second.report).toEqual(first.report);
    // Both stored; the latest is served.
    const served = await json<InsightViewJson>(await call("/v1/ads/insights/latest", { key: apiKey }), 200);
    expect(served.insight_id).toBe(second.id);
    expect(served.fallback_reason).toBe(second.fallbackReason);
  });
});
