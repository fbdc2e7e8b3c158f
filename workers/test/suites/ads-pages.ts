import { env } from "cloudflare:workers";
import { upsertCampaignMetrics } from "@pushbunny/db";
import { describe, expect, it } from "vitest";
import type { CampaignRowView, ChannelSummaryView, SyncRunView } from "../../src/http/routes/ads/schemas";
import { call, db, eventually, expectError, json, seedProject } from "../helpers";

async function pages<T>(key: string, path: string, field: string, limit: number) {
  const rows: T[] = [];
  const cursors: string[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page: Record<string, unknown> = await json(
      await call(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
        key,
      }),
      200,
    );
    rows.push(...(page[field] as T[]));
    cursor = page.next_cursor as string | null;
    if (cursor) cursors.push(cursor);
  } while (cursor);
  return { rows, cursors };
}

describe("sync runs: cursor pages and instant filters", () => {
  it("pages through every run newest first, filters by trigger and queued time, and refuses foreign cursors", async () => {
    const { apiKey } = await seedProject();
    const connected = await json<{ run: SyncRunView }>(
      await call("/v1/ads/channels/tiktok", { key: apiKey, method: "PUT" }),
      200,
    );
    const manual: SyncRunView[] = [];
    for (let i = 0; i < 11; i++) {
      manual.push(await json<SyncRunView>(await call("/v1/ads/sync", { key: apiKey, method: "POST" }), 202));
    }
    const { rows, cursors } = await pages<SyncRunView>(apiKey, "/v1/ads/sync/runs", "runs", 5);
    expect(rows.map((r) => r.run_id).sort()).toEqual([connected.run, ...manual].map((r) => r.run_id).sort());
    expect(cursors).toHaveLength(2);
    const queued = rows.map((r) => Date.parse(r.queued_at));
    expect(queued).toEqual([...queued].sort((a, b) => b - a));

    const one = await json<SyncRunView>(
      await call(`/v1/ads/sync/runs/${manual[3]?.run_id}`, { key: apiKey }),
      200,
    );
    expect(one).toMatchObject({ run_id: manual[3]?.run_id, trigger: "manual" });
    await expectError(await call("/v1/ads/sync/runs/asr_nope", { key: apiKey }), 404, "NOT_FOUND");

    // Instants: ISO 8601 or Unix milliseconds, through the shared Instant input.
    const pivot = Date.parse(manual[5]?.queued_at ?? "");
    const since = await json<{ runs: SyncRunView[] }>(
      await call(`/v1/ads/sync/runs?limit=100&queued_from=${pivot}`, { key: apiKey }),
      200,
    );
    expect(since.runs.length).toBeGreaterThan(0);
    expect(since.runs.every((r) => Date.parse(r.queued_at) >= pivot)).toBe(true);
    const before = await json<{ runs: SyncRunView[] }>(
      await call(
        `/v1/ads/sync/runs?limit=100&queued_to=${encodeURIComponent(new Date(pivot).toISOString())}`,
        {
          key: apiKey,
        },
      ),
      200,
    );
    expect(before.runs.every((r) => Date.parse(r.queued_at) < pivot)).toBe(true);
    expect(since.runs.length + before.runs.length).toBe(rows.length);
    const manualOnly = await json<{ runs: SyncRunView[] }>(
      await call("/v1/ads/sync/runs?limit=100&trigger=manual", { key: apiKey }),
      200,
    );
    expect(manualOnly.runs).toHaveLength(12);

    // The first sync's rows give the campaigns list a cursor of its own.
    const campaignCursor = await eventually(async () => {
      const page = await json<{ next_cursor: string | null }>(
        await call("/v1/ads/campaigns?limit=1", { key: apiKey }),
        200,
      );
      expect(page.next_cursor).toBeTruthy();
      return page.next_cursor as string;
    });
    for (const [path, field] of [
      ["/v1/ads/sync/runs?cursor=%25%25%25", "cursor"],
      [`/v1/ads/sync/runs?cursor=${encodeURIComponent(campaignCursor)}`, "cursor"],
      [`/v1/ads/campaigns?cursor=${encodeURIComponent(cursors[0] ?? "")}`, "cursor"],
      ["/v1/ads/campaigns?cursor=bm90LWpzb24", "cursor"],
      ["/v1/ads/sync/runs?queued_from=1700000000", "queued_from"],
      ["/v1/ads/sync/runs?queued_from=yesterday", "queued_from"],
      ["/v1/ads/sync/runs?queued_from=2026-12-06T10:00:00Z&queued_to=2026-12-06T09:00:00Z", "queued_from"],
      ["/v1/ads/sync/runs?limit=101", "limit"],
      ["/v1/ads/sync/runs?status=done", "status"],
    ] as const) {
      const error = await expectError(await call(path, { key: apiKey }), 400, "BAD_REQUEST");
      expect(
        (error.issues as { path: string }[]).map((i) => i.path),
        path,
      ).toContain(field);
    }
  });
});

describe("lists bound as one JSON parameter (D1 allows 100 per statement)", () => {
  it("upserts 1,000 campaign days in one sync and pages through all of them", async () => {
    const { apiKey, projectId } = await seedProject();
    // 40 campaigns × 25 days: far past 100 rows × 13 columns of bound values.
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const day = String(1 + (i % 25)).padStart(2, "0");
      return {
        channel: "google_ads" as const,
        campaignId: `c${String(Math.floor(i / 25)).padStart(3, "0")}`,
        date: `2026-11-${day}`,
        campaignName: `Campaign ${Math.floor(i / 25)}`,
        source: "api" as const,
        cost: 10,
        clicks: 5,
        impressions: 100,
        engagement: 1,
        conversions: 1,
        conversionValue: 25,
        conversionRate: 0.2,
        roi: 1.5,
      };
    });
    expect(await upsertCampaignMetrics(db, { projectId, rows, now: Date.now() })).toBe(1000);
    // Again: the natural key makes it an update, not 1,000 more rows.
    await upsertCampaignMetrics(db, { projectId, rows, now: Date.now() });
    const count = await env.DB.prepare("SELECT count(*) AS n FROM ad_campaign_metrics WHERE project_id = ?")
      .bind(projectId)
      .first<{ n: number }>();
    expect(count?.n).toBe(1000);

    const { rows: listed } = await pages<CampaignRowView>(apiKey, "/v1/ads/campaigns", "campaigns", 300);
    expect(listed).toHaveLength(1000);
    expect(new Set(listed.map((r) => `${r.campaign_id}|${r.date}`)).size).toBe(1000);
    const summary = await json<{ total: ChannelSummaryView }>(
      await call("/v1/ads/summary", { key: apiKey }),
      200,
    );
    expect(summary.total).toMatchObject({ campaigns: 40, days: 25, cost: 10_000, clicks: 5000, roi: 1.5 });
  });
});
