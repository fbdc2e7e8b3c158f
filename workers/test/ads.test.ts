import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type {
  CampaignRowView,
  ChannelSummaryView as ChannelSummary,
  SyncRunView,
} from "../src/http/routes/ads/schemas";
import { buildContext } from "../src/infra/build-context";
import { CRONS } from "../src/scheduled/crons";
import { runSync } from "../src/services/ads/run-sync";
import { call, eventually, expectError, json, runCron, seedProject } from "./helpers";

interface Status {
  schedule: string;
  paused: boolean;
  next_run_at: string | null;
  channels: {
    channel: string;
    source: string;
    account_id: string | null;
    last_status: string | null;
    last_error: string | null;
    last_error_code: string | null;
  }[];
  runs: SyncRunView[];
}

/** A Meta token the local Graph API stub answers with `scenario` (workers/test-support/ads-stub-server.ts). */
const stubToken = (scenario: string) => `EAAStub${scenario}${"0".repeat(32)}`;
const OK_TOKEN = stubToken("Ok");

const status = async (key: string) => json<Status>(await call("/v1/ads/sync/status", { key }), 200);

/** Waits for a run to finish and returns it. */
async function finished(key: string, runId: string): Promise<SyncRunView> {
  return eventually(async () => {
    const run = (await status(key)).runs.find((r) => r.run_id === runId);
    expect(run?.status).toMatch(/^(succeeded|partial|failed)$/);
    return run as SyncRunView;
  });
}

async function connect(key: string, channel: string, body?: unknown) {
  return json<{ channel: Status["channels"][number]; run: SyncRunView }>(
    await call(`/v1/ads/channels/${channel}`, { key, method: "PUT", ...(body ? { body } : {}) }),
    200,
  );
}

async function allCampaigns(key: string, query = "", limit = 37) {
  const rows: CampaignRowView[] = [];
  let cursor: string | null = null;
  do {
    const page: { campaigns: CampaignRowView[]; next_cursor: string | null } = await json(
      await call(
        `/v1/ads/campaigns?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { key },
      ),
      200,
    );
    rows.push(...page.campaigns);
    cursor = page.next_cursor;
  } while (cursor);
  return rows;
}

const tableRows = (projectId: string) =>
  env.DB.prepare(
    "SELECT channel, campaign_id, date, campaign_name, cost, clicks, impressions, engagement, conversions, conversion_value, conversion_rate, roi FROM ad_campaign_metrics WHERE project_id = ? ORDER BY channel, campaign_id, date",
  )
    .bind(projectId)
    .all()
    .then((r) => r.results);

describe("ad-channel sync (sandbox source)", () => {
  it("connecting a channel backfills 30 days, and syncing again leaves exactly the same rows", async () => {
    const { apiKey, projectId } = await seedProject();
    const { channel, run } = await connect(apiKey, "facebook");
    expect(channel).toMatchObject({ channel: "facebook", source: "sandbox", account_id: null });
    expect(run.status).toBe("queued");
    const first = await finished(apiKey, run.run_id);
    expect(first.status).toBe("succeeded");
    expect(first.results).toEqual([
      expect.objectContaining({ channel: "facebook", source: "sandbox", status: "ok", rows: first.rows }),
    ]);
    const before = await tableRows(projectId);
    expect(before.length).toBe(first.rows);
    expect(new Set(before.map((r) => r.date)).size).toBe(30);

    const again = await json<SyncRunView>(await call("/v1/ads/sync", { key: apiKey, method: "POST" }), 202);
    expect((await finished(apiKey, again.run_id)).status).toBe("succeeded");
    expect(await tableRows(projectId)).toEqual(before);
  });

  it("pages through campaigns with filters, and the summary equals the sum of the rows", async () => {
    const { apiKey } = await seedProject();
    const a = await connect(apiKey, "google_ads");
    const b = await connect(apiKey, "tiktok");
    await finished(apiKey, a.run.run_id);
    await finished(apiKey, b.run.run_id);
    const rows = await allCampaigns(apiKey);
    const keys = rows.map((r) => `${r.channel}|${r.campaign_id}|${r.date}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(rows.map((r) => r.channel))).toEqual(new Set(["google_ads", "tiktok"]));
    // Newest day first.
    expect(rows.map((r) => r.date)).toEqual([...rows.map((r) => r.date)].sort().reverse());

    const days = [...new Set(rows.map((r) => r.date))].sort();
    const from = days[10]!;
    const to = days[19]!;
    const filtered = await allCampaigns(apiKey, `&channel=tiktok&date_from=${from}&date_to=${to}`, 7);
    expect(filtered.length).toBe(
      rows.filter((r) => r.channel === "tiktok" && r.date >= from && r.date <= to).length,
    );
    expect(filtered.every((r) => r.channel === "tiktok" && r.date >= from && r.date <= to)).toBe(true);

    const summary = await json<{ channels: ChannelSummary[]; total: ChannelSummary }>(
      await call(`/v1/ads/summary?date_from=${from}&date_to=${to}`, { key: apiKey }),
      200,
    );
    for (const s of summary.channels) {
      const mine = rows.filter((r) => r.channel === s.channel && r.date >= from && r.date <= to);
      const cost = mine.reduce((x, r) => x + r.cost, 0);
      const value = mine.reduce((x, r) => x + r.conversion_value, 0);
      expect(s.cost).toBeCloseTo(cost, 2);
      expect(s.clicks).toBe(mine.reduce((x, r) => x + r.clicks, 0));
      expect(s.impressions).toBe(mine.reduce((x, r) => x + r.impressions, 0));
      expect(s.days).toBe(10);
      expect(s.roi).toBeCloseTo((value - cost) / cost, 3);
    }
    expect(summary.total.clicks).toBe(summary.channels.reduce((x, s) => x + s.clicks, 0));
  });

  it("the hourly cron queues a run per unpaused project; pause and resume the schedule", async () => {
    const { apiKey } = await seedProject();
    const first = await connect(apiKey, "instagram");
    await finished(apiKey, first.run.run_id);
    await runCron(CRONS.adSync);
    const scheduled = await eventually(async () => {
      const run = (await status(apiKey)).runs.find((r) => r.trigger === "schedule");
      expect(run?.status).toBe("succeeded");
      return run as SyncRunView;
    });
    // After the backfill, the hourly run re-fetches the lookback window only.
    expect(scheduled.since < scheduled.until).toBe(true);
    expect(Date.parse(scheduled.until) - Date.parse(scheduled.since)).toBe(2 * 86_400_000);

    const paused = await json<Status>(await call("/v1/ads/sync/pause", { key: apiKey, method: "POST" }), 200);
    expect(paused.paused).toBe(true);
    expect(paused.next_run_at).toBeNull();
    const runsBefore = paused.runs.length;
    await runCron(CRONS.adSync);
    expect((await status(apiKey)).runs.length).toBe(runsBefore);
    // A manual run still works while paused.
    await json(
      await call("/v1/ads/sync", { key: apiKey, method: "POST", body: { channels: ["instagram"] } }),
      202,
    );
    const resumed = await json<Status>(
      await call("/v1/ads/sync/resume", { key: apiKey, method: "POST" }),
      200,
    );
    expect(resumed.paused).toBe(false);
    expect(Date.parse(resumed.next_run_at ?? "") % 3_600_000).toBe(0);
    expect(resumed.schedule).toBe("0 * * * *");
  });
});

describe("ad-channel sync (real Meta client against a local Graph API stub)", () => {
  it("syncs every page, keeps going when another channel fails, and schedules a retry for a rate limit", async () => {
    const { apiKey, projectId } = await seedProject();
    const ok = await connect(apiKey, "facebook", {
      credentials: { accessToken: OK_TOKEN, adAccountId: "1029384756" },
    });
    expect(ok.channel).toMatchObject({ source: "api", account_id: "1029384756" });
    // The token is sealed at rest, never stored or served in the clear.
    const stored = await env.DB.prepare(
      "SELECT credentials FROM channel_accounts WHERE project_id = ? AND channel = 'facebook'",
    )
      .bind(projectId)
      .first<{ credentials: string }>();
    expect(stored?.credentials).toMatch(/^v1\./);
    expect(stored?.credentials).not.toContain(OK_TOKEN);
    expect(JSON.stringify(await status(apiKey))).not.toContain(OK_TOKEN);
    expect((await finished(apiKey, ok.run.run_id)).status).toBe("succeeded");

    const rows = await allCampaigns(apiKey, "&channel=facebook");
    expect(
      rows.map((r) => [
        r.campaign_id,
        r.cost,
        r.clicks,
        r.conversions,
        r.conversion_value,
        r.conversion_rate,
        r.roi,
      ]),
    ).toEqual([
      ["120200000000000001", 100, 200, 4, 300, 0.02, 2],
      ["120200000000000002", 80, 100, 4, 300, 0.04, 2.75],
    ]);

    // Instagram's token has expired; the sandbox TikTok still syncs in the same run.
    await connect(apiKey, "instagram", {
      credentials: { accessToken: stubToken("Expired"), adAccountId: "1029384756" },
    });
    await connect(apiKey, "tiktok");
    const run = await json<SyncRunView>(await call("/v1/ads/sync", { key: apiKey, method: "POST" }), 202);
    const done = await finished(apiKey, run.run_id);
    expect(done.status).toBe("partial");
    const byChannel = Object.fromEntries(done.results.map((r) => [r.channel, r]));
    expect(byChannel.facebook?.status).toBe("ok");
    expect(byChannel.tiktok?.status).toBe("ok");
    expect(byChannel.instagram).toMatchObject({ status: "error", error: { kind: "auth" } });
    const channels = (await status(apiKey)).channels;
    expect(channels.find((c) => c.channel === "instagram")).toMatchObject({
      last_status: "error",
      last_error_code: "credentials_rejected",
      last_error: expect.stringMatching(/rejected the credentials.*expired/),
    });
    // An expired token is not retried: it needs a new token.
    expect((await status(apiKey)).runs.filter((r) => r.trigger === "retry")).toEqual([]);

    // A rate limit longer than the consumer waits in process becomes a delayed retry run.
    await connect(apiKey, "instagram", {
      credentials: { accessToken: stubToken("RateLimited"), adAccountId: "1029384756" },
    });
    const limited = await json<SyncRunView>(
      await call("/v1/ads/sync", { key: apiKey, method: "POST", body: { channels: ["instagram"] } }),
      202,
    );
    const limitedDone = await finished(apiKey, limited.run_id);
    expect(limitedDone.status).toBe("failed");
    expect(limitedDone.results[0]).toMatchObject({
      channel: "instagram",
      error: { kind: "rate_limited", code: "rate_limited", retry_after_ms: 120_000, retryAfterMs: 120_000 },
    });
    const retry = (await status(apiKey)).runs.find((r) => r.trigger === "retry");
    expect(retry).toMatchObject({ status: "queued", attempt: 2, channels: ["instagram"] });
  });
});

describe("reconnecting and redelivery", () => {
  it("switching a channel from the sandbox to the API replaces its rows; no body on an API channel is a 409", async () => {
    const { apiKey, projectId } = await seedProject();
    const sandbox = await connect(apiKey, "facebook");
    await finished(apiKey, sandbox.run.run_id);
    expect((await tableRows(projectId)).length).toBeGreaterThan(2);
    const api = await connect(apiKey, "facebook", {
      credentials: { accessToken: `${stubToken("Ok")}2`, adAccountId: "1029384756" },
    });
    await finished(apiKey, api.run.run_id);
    // Only the real account's rows remain: no sandbox spend mixed into the real ROI.
    expect((await tableRows(projectId)).map((r) => r.campaign_id)).toEqual([
      "120200000000000001",
      "120200000000000002",
    ]);
    await expectError(
      await call("/v1/ads/channels/facebook", { key: apiKey, method: "PUT" }),
      409,
      "CONFLICT",
      /DELETE the channel first/,
    );
  });

  it("a redelivered job for a finished run does nothing", async () => {
    const { apiKey, projectId } = await seedProject();
    const { run } = await connect(apiKey, "tiktok");
    const done = await finished(apiKey, run.run_id);
    const ctx = buildContext(env, () => {});
    expect(await runSync({ ctx, input: { projectId, runId: run.run_id } })).toBeNull();
    const after = (await status(apiKey)).runs.find((r) => r.run_id === run.run_id);
    expect(after).toEqual(done);
  });

  it("counts a campaign that runs on Facebook and Instagram once in the total", async () => {
    const { apiKey } = await seedProject();
    for (const c of ["facebook", "instagram"]) await finished(apiKey, (await connect(apiKey, c)).run.run_id);
    const summary = await json<{ channels: ChannelSummary[]; total: ChannelSummary }>(
      await call("/v1/ads/summary", { key: apiKey }),
      200,
    );
    const fb = summary.channels.find((c) => c.channel === "facebook")!;
    const ig = summary.channels.find((c) => c.channel === "instagram")!;
    expect(summary.total.campaigns).toBeLessThan(fb.campaigns + ig.campaigns);
    expect(summary.total.campaigns).toBe(Math.max(fb.campaigns, ig.campaigns));
  });
});

describe("ads API input and scoping", () => {
  it("refuses bad input with 4xx envelopes", async () => {
    const { apiKey } = await seedProject();
    await expectError(
      await call("/v1/ads/channels/myspace", { key: apiKey, method: "PUT" }),
      400,
      "BAD_REQUEST",
    );
    const bad = await expectError(
      await call("/v1/ads/channels/facebook", {
        key: apiKey,
        method: "PUT",
        body: { credentials: { accessToken: "" } },
      }),
      400,
      "BAD_REQUEST",
      /credentials for facebook/,
    );
    expect((bad.issues as { path: string }[]).map((i) => i.path)).toContain("credentials.adAccountId");
    await expectError(
      await call("/v1/ads/channels/facebook", { key: apiKey, method: "PUT", body: { credentials: "token" } }),
      400,
      "BAD_REQUEST",
    );
    await expectError(
      await call("/v1/ads/sync", { key: apiKey, method: "POST" }),
      409,
      "CONFLICT",
      /no ad channel is connected/,
    );
    await connect(apiKey, "tiktok");
    await expectError(
      await call("/v1/ads/sync", { key: apiKey, method: "POST", body: { channels: ["facebook"] } }),
      409,
      "CONFLICT",
      /not connected: facebook/,
    );
    for (const q of [
      "date_from=2026-13-01",
      "date_from=yesterday",
      "date_from=2026-11-10&date_to=2026-11-01",
      "limit=0",
      "limit=501",
      "channel=x",
      "cursor=%%%",
    ]) {
      await expectError(await call(`/v1/ads/campaigns?${q}`, { key: apiKey }), 400, "BAD_REQUEST");
    }
    await expectError(await call("/v1/ads/summary?date_to=2026-02-30", { key: apiKey }), 400, "BAD_REQUEST");
    await expectError(
      await call("/v1/ads/channels/facebook", { key: apiKey, method: "DELETE" }),
      404,
      "NOT_FOUND",
    );
  });

  it("never shows one project's channels or metrics to another", async () => {
    const a = await seedProject();
    const b = await seedProject();
    const run = await connect(a.apiKey, "facebook");
    await finished(a.apiKey, run.run.run_id);
    expect((await allCampaigns(a.apiKey)).length).toBeGreaterThan(0);
    expect(await allCampaigns(b.apiKey)).toEqual([]);
    expect((await status(b.apiKey)).channels).toEqual([]);
    await expectError(
      await call("/v1/ads/channels/facebook", { key: b.apiKey, method: "DELETE" }),
      404,
      "NOT_FOUND",
    );
    await expectError(await call("/v1/ads/summary"), 401, "UNAUTHORIZED");
    const disconnected = await call("/v1/ads/channels/facebook", { key: a.apiKey, method: "DELETE" });
    expect(disconnected.status).toBe(204);
    // Its metrics stay for reporting.
    expect((await allCampaigns(a.apiKey)).length).toBeGreaterThan(0);
  });
});
