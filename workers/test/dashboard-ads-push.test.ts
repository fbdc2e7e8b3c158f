import { env, exports } from "cloudflare:workers";
import { newId } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import { cookieOf, escaped, get, type Jar, ORIGIN, pageOf, post, signedIn } from "./dashboard-helpers";
import { call, eventually, json, seedProject } from "./helpers";
import { fakeSubscriber, notification, received, settled, subscribe } from "./push-helpers";

// The dashboard's ad channels and push pages: they render the services' numbers, their forms need
// the CSRF token and the right role, another project's page is a 404, and copy is escaped.
// docs/adr/0021-dashboard-stack.md.

const DAY_MS = 86_400_000;

const money = (n: number) =>
  n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const runs = (projectId: string) =>
  env.DB.prepare("SELECT id, trigger, status FROM ad_sync_runs WHERE project_id = ? ORDER BY queued_at")
    .bind(projectId)
    .all<{ id: string; trigger: string; status: string }>()
    .then((r) => r.results);

/** Waits for every run to finish and the insight of the last one to be written. */
async function synced(projectId: string) {
  return eventually(async () => {
    const all = await runs(projectId);
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) expect(r.status).toMatch(/^(succeeded|partial|failed)$/);
    const last = all.at(-1);
    const insight = await env.DB.prepare("SELECT report FROM ad_insights WHERE project_id = ? AND run_id = ?")
      .bind(projectId, last?.id)
      .first<{ report: string }>();
    expect(insight).not.toBeNull();
    return JSON.parse(insight?.report ?? "{}") as {
      summary: string;
      recommendations: { rationale: string }[];
    };
  }, 30_000);
}

async function insertAlert(
  projectId: string,
  fields: {
    campaignName: string;
    message: string;
    kind?: string;
    state?: string;
    observed?: number;
    baseline?: number;
    threshold?: number;
  },
) {
  const id = newId("alr");
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO ad_alerts (id, project_id, kind, channel, campaign_id, campaign_name, day, state, observed, baseline, threshold, message, run_id, first_seen_at, last_seen_at) VALUES (?, ?, ?, 'google_ads', ?, ?, '2026-12-01', ?, ?, ?, ?, ?, 'asr_x', ?, ?)",
  )
    .bind(
      id,
      projectId,
      fields.kind ?? "spend_spike",
      // One alert per campaign, kind and day: each seeded alert is its own campaign.
      `cmp_${id}`,
      fields.campaignName,
      fields.state ?? "open",
      fields.observed ?? 300,
      fields.baseline ?? 100,
      fields.threshold ?? 2,
      fields.message,
      now,
      now,
    )
    .run();
  return id;
}

const alertState = (id: string) =>
  env.DB.prepare("SELECT state FROM ad_alerts WHERE id = ?").bind(id).first<string>("state");

describe("dashboard: ad channels page", () => {
  it("an empty project explains the sandbox; an admin connects it from the page and sees the synced numbers", async () => {
    const { projectId } = await seedProject();
    const viewer = await signedIn(projectId, "viewer");
    const admin = await signedIn(projectId, "admin");

    const empty = await pageOf(`/app/p/${projectId}/ads`, admin.jar);
    expect(empty.html).toContain("Connect an ad channel");
    expect(empty.html).toContain(`curl -s -X PUT ${ORIGIN}/v1/ads/channels/google_ads`);
    expect(empty.html).toContain("Connect sandbox");
    expect(empty.html).toContain('aria-current="page">Ad channels</a>');
    const viewerEmpty = await pageOf(`/app/p/${projectId}/ads`, viewer.jar);
    expect(viewerEmpty.html).not.toContain("Connect sandbox");

    // Connecting needs the admin level: a viewer's (valid) token is not enough.
    const refused = await post(`/app/p/${projectId}/ads/channels`, viewer.jar, {
      _csrf: viewerEmpty.csrf,
      channel: "google_ads",
    });
    expect(refused.status).toBe(403);
    expect(await runs(projectId)).toEqual([]);

    const connected = await post(`/app/p/${projectId}/ads/channels`, admin.jar, {
      _csrf: empty.csrf,
      channel: "google_ads",
    });
    expect(connected.status, await connected.clone().text()).toBe(303);
    expect(connected.headers.get("location")).toBe(`/app/p/${projectId}/ads`);
    const report = await synced(projectId);

    const { html } = await pageOf(`/app/p/${projectId}/ads`, viewer.jar);
    expect(html).not.toContain("Connect an ad channel");
    expect(html).toContain("Google Ads");
    expect(html).toContain("Daily spend per channel");
    expect(html).toContain("Daily ROAS per channel");
    expect(html).toMatch(/<div class="chart" data-chart="[^"]+"/);
    // The 30-day total spend is the stored rows' sum, as the summary service computes it.
    const from = new Date(Date.now() - 29 * DAY_MS).toISOString().slice(0, 10);
    const sums = await env.DB.prepare(
      "SELECT sum(cost) AS cost, count(DISTINCT campaign_id) AS campaigns FROM ad_campaign_metrics WHERE project_id = ? AND date >= ?",
    )
      .bind(projectId, from)
      .first<{ cost: number; campaigns: number }>();
    expect(sums?.campaigns).toBeGreaterThan(0);
    expect(html).toContain(money(Math.round((sums?.cost ?? 0) * 100) / 100));
    const names = await env.DB.prepare(
      "SELECT DISTINCT campaign_name AS name FROM ad_campaign_metrics WHERE project_id = ?",
    )
      .bind(projectId)
      .all<{ name: string }>();
    for (const { name } of names.results) expect(html).toContain(escaped(name));
    // The insight and its recommendations, and the run that wrote it.
    expect(html).toContain("Latest insight");
    expect(html).toContain(escaped(report.summary));
    for (const r of report.recommendations) expect(html).toContain(escaped(r.rationale));
    expect(html).toContain("succeeded");
    // A viewer reads; the buttons are for members and up.
    expect(html).not.toContain("Sync now");
  }, 60_000);

  it("sync now needs the token and a member; alerts are acknowledged (htmx) and resolved; copy is escaped", async () => {
    const { projectId, apiKey } = await seedProject();
    const put = await call("/v1/ads/channels/tiktok", { key: apiKey, method: "PUT" });
    expect(put.status, await put.clone().text()).toBe(200);
    await synced(projectId);
    const viewer = await signedIn(projectId, "viewer");
    const member = await signedIn(projectId, "member");
    const evil = "<script>alert(1)</script>";
    const alertId = await insertAlert(projectId, {
      campaignName: evil,
      message: '<img src=x onerror="alert(2)">',
    });

    const { html, csrf } = await pageOf(`/app/p/${projectId}/ads`, member.jar);
    expect(html).toContain("Sync now");
    expect(html).not.toContain(evil);
    expect(html).not.toContain("<img src=x");
    expect(html).toContain(escaped(evil));
    const open = await env.DB.prepare(
      "SELECT count(*) AS n FROM ad_alerts WHERE project_id = ? AND state = 'open'",
    )
      .bind(projectId)
      .first<number>("n");
    expect(open).toBeGreaterThanOrEqual(1);
    expect(html).toContain(`Alerts (${open} open)`);
    expect(html).toContain(`/app/p/${projectId}/ads/alerts/${alertId}/acknowledge`);

    // Acknowledge: refused without the token and to a viewer; through htmx the row comes back.
    const viewerPage = await pageOf(`/app/p/${projectId}/ads`, viewer.jar);
    expect(viewerPage.html).not.toContain("/acknowledge");
    const ackPath = `/app/p/${projectId}/ads/alerts/${alertId}/acknowledge`;
    expect((await post(ackPath, member.jar, {})).status).toBe(403);
    expect((await post(ackPath, viewer.jar, { _csrf: viewerPage.csrf })).status).toBe(403);
    expect(await alertState(alertId)).toBe("open");
    const acked = await post(
      ackPath,
      member.jar,
      {},
      { origin: ORIGIN, "hx-request": "true", "x-csrf-token": csrf },
    );
    const row = await acked.text();
    expect(acked.status, row).toBe(200);
    expect(row).toMatch(new RegExp(`^<tr id="alert-${alertId}">`));
    expect(row).toContain("acknowledged");
    expect(row).not.toContain("/acknowledge");
    expect(row).toContain("/resolve");
    expect(row).toContain(escaped(evil));
    expect(await alertState(alertId)).toBe("acknowledged");
    const resolved = await post(`/app/p/${projectId}/ads/alerts/${alertId}/resolve`, member.jar, {
      _csrf: csrf,
    });
    expect(resolved.status).toBe(303);
    expect(await alertState(alertId)).toBe("resolved");
    // Sync now: after the alerts, so the run it queues cannot change them under the checks.
    const before = (await runs(projectId)).length;
    const noToken = await post(`/app/p/${projectId}/ads/sync`, member.jar, {});
    expect(noToken.status).toBe(403);
    const byViewer = await post(`/app/p/${projectId}/ads/sync`, viewer.jar, { _csrf: viewerPage.csrf });
    expect(byViewer.status).toBe(403);
    expect((await runs(projectId)).length).toBe(before);
    const ok = await post(`/app/p/${projectId}/ads/sync`, member.jar, { _csrf: csrf });
    expect(ok.status, await ok.clone().text()).toBe(303);
    const after = await runs(projectId);
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)?.trigger).toBe("manual");

    await eventually(async () => {
      for (const r of await runs(projectId)) expect(r.status).not.toMatch(/^(queued|running)$/);
    }, 30_000);
  }, 60_000);

  it("another project's ad channels and push pages, and its alerts, are 404 pages", async () => {
    const mine = await seedProject();
    const theirs = await seedProject();
    const theirAlert = await insertAlert(theirs.projectId, { campaignName: "Theirs only", message: "x" });
    const m = await signedIn(mine.projectId, "owner");
    for (const path of [`/app/p/${theirs.projectId}/ads`, `/app/p/${theirs.projectId}/push`]) {
      const res = await get(path, m.jar);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toContain("Not found");
    }
    const { csrf } = await pageOf(`/app/p/${mine.projectId}/push`, m.jar);
    for (const path of [
      `/app/p/${theirs.projectId}/ads/sync`,
      `/app/p/${theirs.projectId}/ads/alerts/${theirAlert}/resolve`,
      `/app/p/${mine.projectId}/ads/alerts/${theirAlert}/resolve`,
      `/app/p/${theirs.projectId}/push/send`,
    ]) {
      const res = await post(path, m.jar, { _csrf: csrf, title: "x" });
      expect(res.status, path).toBe(404);
    }
    expect(await alertState(theirAlert)).toBe("open");
    expect(await runs(theirs.projectId)).toEqual([]);
  }, 60_000);
});

describe("dashboard: push page", () => {
  it("an empty project links to the subscribe page; a member sends to a topic and to everyone from the form", async () => {
    const { projectId, apiKey } = await seedProject();
    const member = await signedIn(projectId, "member");
    const viewer = await signedIn(projectId, "viewer");

    const empty = await pageOf(`/app/p/${projectId}/push`, member.jar);
    expect(empty.html).toContain("No subscribers yet");
    expect(empty.html).toContain(`href="/push/${projectId}/subscribe"`);
    expect(empty.html).toContain('aria-current="page">Push</a>');

    const news = await fakeSubscriber();
    const sport = await fakeSubscriber();
    await subscribe(apiKey, news, { topics: ["news"] });
    await subscribe(apiKey, sport, { topics: ["sport"] });

    // Viewers see the numbers, not the form, and may not post it.
    const viewerPage = await pageOf(`/app/p/${projectId}/push`, viewer.jar);
    expect(viewerPage.html).not.toContain("Send a notification");
    const refused = await post(`/app/p/${projectId}/push/send`, viewer.jar, {
      _csrf: viewerPage.csrf,
      title: "nope",
    });
    expect(refused.status).toBe(403);
    const noToken = await post(`/app/p/${projectId}/push/send`, member.jar, { title: "nope" });
    expect(noToken.status).toBe(403);

    const { csrf, html } = await pageOf(`/app/p/${projectId}/push`, member.jar);
    expect(html).toContain("Send a notification");
    expect(html).toContain("2 active subscriptions");

    // A form the API would refuse comes back with what is wrong, and nothing is sent.
    const bad = await post(`/app/p/${projectId}/push/send`, member.jar, {
      _csrf: csrf,
      title: "",
      body: "",
      audience: "topic",
      topic: "no spaces",
    });
    const badHtml = await bad.text();
    expect(bad.status).toBe(400);
    expect(badHtml).toContain("Write a title or a body.");
    expect(badHtml).toContain("Name the topic");

    const title = "<b>Sale</b> & more";
    const toTopic = await post(`/app/p/${projectId}/push/send`, member.jar, {
      _csrf: csrf,
      title,
      body: "Half price today",
      url: "https://example.com/sale",
      audience: "topic",
      topic: "news",
    });
    expect(toTopic.status, await toTopic.clone().text()).toBe(303);
    const location = new URL(toTopic.headers.get("location") ?? "", ORIGIN);
    expect(location.pathname).toBe(`/app/p/${projectId}/push`);
    expect(location.searchParams.get("recipients")).toBe("1");
    const topicId = location.searchParams.get("sent") ?? "";
    expect(topicId).toMatch(/^ntf_/);
    const one = await settled(apiKey, topicId);
    expect(one.recipients).toBe(1);

    const toAll = await post(`/app/p/${projectId}/push/send`, member.jar, {
      _csrf: csrf,
      title: "Everyone",
      audience: "all",
    });
    expect(toAll.status).toBe(303);
    const allLocation = new URL(toAll.headers.get("location") ?? "", ORIGIN);
    expect(allLocation.searchParams.get("recipients")).toBe("2");
    const allId = allLocation.searchParams.get("sent") ?? "";
    const two = await settled(apiKey, allId);
    expect(two.recipients).toBe(2);

    const history = await json<{ notifications: { notification_id: string; type: string }[] }>(
      await call("/v1/notifications/history", { key: apiKey }),
      200,
    );
    expect(history.notifications.map((n) => [n.notification_id, n.type])).toEqual([
      [allId, "broadcast"],
      [topicId, "send"],
    ]);

    const shown = await get(`${location.pathname}${location.search}`, member.jar);
    const page = await shown.text();
    expect(shown.status).toBe(200);
    expect(page).toContain(`Notification <code>${topicId}</code> queued`);
    expect(page).not.toContain("<b>Sale</b>");
    expect(page).toContain(escaped(`${title} — Half price today`));
    expect(page).toContain("<td>topics news</td>");
    expect(page).toContain("<td>everyone</td>");
    expect(page).toContain("Subscriptions: new, expired and deleted");
    expect(page).toContain("Deliveries by status");
    // The charts' numbers are the reports': 2 new today, 3 deliveries accepted or delivered.
    const charts = [...page.matchAll(/data-chart="([^"]+)"/g)].map(
      (m) =>
        JSON.parse(
          (m[1] ?? "")
            .replace(/&quot;/g, '"')
            .replace(/&#39;/g, "'")
            .replace(/&amp;/g, "&"),
        ) as {
          days: string[];
          series: { label: string; values: number[] }[];
        },
    );
    expect(charts).toHaveLength(2);
    const sum = (spec: (typeof charts)[number], label: RegExp) =>
      spec.series
        .filter((s) => label.test(s.label))
        .reduce((n, s) => n + s.values.reduce((a, b) => a + b, 0), 0);
    expect(sum(charts[0] as (typeof charts)[number], /^new$/)).toBe(2);
    expect(sum(charts[1] as (typeof charts)[number], /^(delivered|sent)/)).toBe(
      (one.deliveries.delivered ?? 0) +
        (one.deliveries.sent ?? 0) +
        (two.deliveries.delivered ?? 0) +
        (two.deliveries.sent ?? 0),
    );
    expect(sum(charts[1] as (typeof charts)[number], /^(delivered|sent)/)).toBe(3);
  }, 60_000);

  it("a send from the page spends the project's notification budget, as the API's send does", async () => {
    const { projectId, apiKey } = await seedProject();
    const member = await signedIn(projectId, "member");
    await subscribe(apiKey, await fakeSubscriber());
    await json(
      await call(`/v1/projects/${projectId}/limits`, {
        method: "PUT",
        key: apiKey,
        body: { notification: "1/hour" },
      }),
      200,
    );
    const { csrf } = await pageOf(`/app/p/${projectId}/push`, member.jar);
    const fields = { _csrf: csrf, title: "Once", audience: "all" };
    expect((await post(`/app/p/${projectId}/push/send`, member.jar, fields)).status).toBe(303);
    const spent = await post(`/app/p/${projectId}/push/send`, member.jar, fields);
    const html = await spent.text();
    expect(spent.status).toBe(429);
    expect(spent.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(html).toContain("notification requests are limited to 1/hour");
    // The test send is a send too.
    expect(
      (await post(`/app/p/${projectId}/push/test`, member.jar, { _csrf: csrf, subscription_id: "sub_x" }))
        .status,
    ).toBe(429);
  });
});

/** A connected channel as a sync leaves it, without running one (the outcome is what matters here). */
async function insertChannel(
  projectId: string,
  channel: string,
  last: { status: "ok" | "error"; error?: string },
) {
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO channel_accounts (id, project_id, channel, source, credentials, last_status, last_error, last_synced_at, created_at, updated_at) VALUES (?, ?, ?, 'sandbox', NULL, ?, ?, ?, ?, ?)",
  )
    .bind(newId("cha"), projectId, channel, last.status, last.error ?? null, now, now, now)
    .run();
}

/** A dispatched notification with deliveries in the given statuses, created now. */
async function insertDeliveries(projectId: string, statuses: string[], notificationStatus = "dispatched") {
  const id = newId("ntf");
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO notifications (id, project_id, type, target, payload, ttl, status, dispatched_at, recipients, created_at) VALUES (?, ?, 'broadcast', '{\"all\":true}', '{\"title\":\"Seeded\"}', 60, ?, ?, ?, ?)",
    ).bind(id, projectId, notificationStatus, now, statuses.length, now),
    ...statuses.map((status, i) =>
      env.DB.prepare(
        "INSERT INTO deliveries (id, project_id, notification_id, subscription_id, status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
      ).bind(newId("dlv"), projectId, id, `sub_seed${i}`, status, now, now),
    ),
  ]);
  return id;
}

const repeat = (status: string, n: number) => Array.from({ length: n }, () => status);

/** What a form's datetime-local field sends, in UTC. */
const localTime = (ms: number) => new Date(ms).toISOString().slice(0, 16);

describe("dashboard: home's ad and push signals", () => {
  it("flags a failed sync with its cause, open alerts (worst first) and a push failure rate ≥ 5%, and nothing on a healthy project", async () => {
    const sick = await seedProject();
    const healthy = await seedProject();
    await insertChannel(sick.projectId, "google_ads", {
      status: "error",
      error: "credentials_rejected: Google Ads rejected the credentials <b>expired</b>",
    });
    await insertChannel(sick.projectId, "tiktok", { status: "ok" });
    // Severities (observed ÷ baseline ÷ threshold, or days ÷ threshold): 5, 2.5, 1.6 and 1.05.
    await insertAlert(sick.projectId, {
      campaignName: "Worst spike",
      message: "m1",
      observed: 1000,
      baseline: 100,
    });
    await insertAlert(sick.projectId, {
      campaignName: "Dead funnel",
      message: "m2",
      kind: "conversions_stop",
      observed: 5,
      baseline: 3,
      threshold: 2,
    });
    await insertAlert(sick.projectId, {
      campaignName: "Halved ROAS",
      message: "m3",
      kind: "roas_drop",
      observed: 0.2,
      baseline: 1,
      threshold: 0.5,
    });
    await insertAlert(sick.projectId, {
      campaignName: "Mild spike",
      message: "m4",
      observed: 210,
      baseline: 100,
    });
    await insertAlert(sick.projectId, { campaignName: "Old news", message: "m5", state: "resolved" });
    await insertDeliveries(sick.projectId, [...repeat("delivered", 17), "sent", "failed", "expired"]);

    await insertChannel(healthy.projectId, "google_ads", { status: "ok" });
    await insertAlert(healthy.projectId, { campaignName: "Was bad", message: "x", state: "resolved" });
    // 2.5% failed: under the threshold. And a project with 19 attempts, all failed: too few to judge.
    await insertDeliveries(healthy.projectId, [...repeat("delivered", 39), "failed"]);
    const few = await seedProject();
    await insertDeliveries(few.projectId, repeat("failed", 19));

    const viewer = await signedIn(sick.projectId, "viewer");
    const { html } = await pageOf(`/app/p/${sick.projectId}`, viewer.jar);
    const ads = `href="/app/p/${sick.projectId}/ads"`;
    expect(html).toContain(`<a ${ads}>Google Ads sync</a>`);
    expect(html).toContain("sync failed");
    expect(html).toContain(
      escaped("credentials_rejected: Google Ads rejected the credentials <b>expired</b>"),
    );
    expect(html).not.toContain("<b>expired</b>");
    expect(html).not.toContain("TikTok sync");
    expect(html).toContain(`<a ${ads}>4 open ad alerts</a>`);
    const shown = ["Worst spike", "Dead funnel", "Halved ROAS"].map((n) => html.indexOf(n));
    expect(shown.every((i) => i > 0)).toBe(true);
    expect([...shown].sort((a, b) => a - b)).toEqual(shown);
    expect(html).not.toContain("Mild spike");
    expect(html).not.toContain("Old news");
    expect(html).toContain(`<a href="/app/p/${sick.projectId}/push">Push delivery failures</a>`);
    expect(html).toContain("10.0% of deliveries failed or expired in the last 7 days");
    expect(html).toContain("(2 of 20)");

    for (const p of [healthy, few]) {
      const m = await signedIn(p.projectId, "viewer");
      const page = (await pageOf(`/app/p/${p.projectId}`, m.jar)).html;
      expect(page).not.toContain("sync failed");
      expect(page).not.toContain("open ad alert");
      expect(page).not.toContain("Push delivery failures");
    }
  }, 60_000);
});

describe("dashboard: ad alert rules and sync progress", () => {
  it("a member saves the rules through the verb; bad thresholds change nothing; a viewer and a missing token get 403", async () => {
    const { projectId, apiKey } = await seedProject();
    await insertChannel(projectId, "google_ads", { status: "ok" });
    const member = await signedIn(projectId, "member");
    const viewer = await signedIn(projectId, "viewer");
    const stored = () =>
      env.DB.prepare(
        "SELECT kind, enabled, threshold, min_baseline FROM ad_alert_rules WHERE project_id = ? ORDER BY kind",
      )
        .bind(projectId)
        .all<{ kind: string; enabled: number; threshold: number; min_baseline: number }>()
        .then((r) => r.results);
    const path = `/app/p/${projectId}/ads/alert-rules`;
    const form = (over: Record<string, string> = {}) => {
      const f = new URLSearchParams();
      for (const [k, v] of Object.entries({
        "spend_spike.enabled": "on",
        "spend_spike.threshold": "3",
        "spend_spike.min_baseline": "25",
        "roas_drop.threshold": "0.4",
        "roas_drop.min_baseline": "150",
        "conversions_stop.enabled": "on",
        "conversions_stop.threshold": "4",
        "conversions_stop.min_baseline": "1.5",
        ...over,
      })) {
        if (v !== "") f.append(k, v);
      }
      for (const kind of ["spend_spike", "roas_drop", "conversions_stop"]) f.append("rule", kind);
      return f;
    };
    const send = (jar: Jar, fields: URLSearchParams, csrf?: string) => {
      if (csrf) fields.set("_csrf", csrf);
      const cookie = cookieOf(jar);
      return exports.default.fetch(`${ORIGIN}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: ORIGIN },
        body: fields,
        redirect: "manual",
      });
    };

    const viewerPage = await pageOf(`/app/p/${projectId}/ads`, viewer.jar);
    expect(viewerPage.html).toContain("Alert rules");
    expect(viewerPage.html).not.toContain("Save alert rules");
    expect((await send(viewer.jar, form(), viewerPage.csrf)).status).toBe(403);
    const { html, csrf } = await pageOf(`/app/p/${projectId}/ads`, member.jar);
    expect(html).toContain("Save alert rules");
    expect(html).toMatch(/name="spend_spike\.threshold"[^>]*value="2"/);
    expect((await send(member.jar, form())).status).toBe(403);
    expect(await stored()).toEqual([]);

    // Out of the verb's bounds, and not a number: a 400 page with the typed values, nothing stored.
    const bad = await send(
      member.jar,
      form({
        "spend_spike.threshold": "1.05",
        "conversions_stop.threshold": "2.5",
        "roas_drop.min_baseline": "lots",
      }),
      csrf,
    );
    const badHtml = await bad.text();
    expect(bad.status, badHtml.slice(0, 500)).toBe(400);
    expect(badHtml).toContain("Nothing was changed");
    expect(badHtml).toContain("The minimum baseline must be a number.");
    expect(badHtml).toMatch(/name="roas_drop\.min_baseline"[^>]*value="lots"/);
    expect(await stored()).toEqual([]);
    const outOfBounds = await send(
      member.jar,
      form({ "spend_spike.threshold": "1.05", "conversions_stop.threshold": "2.5" }),
      csrf,
    );
    const oobHtml = await outOfBounds.text();
    expect(outOfBounds.status).toBe(400);
    expect(oobHtml).toContain("The threshold must be between 1.1 and 100 for spend_spike.");
    expect(oobHtml).toContain("The threshold must be a whole number of days for conversions_stop.");
    expect(await stored()).toEqual([]);

    const ok = await send(member.jar, form(), csrf);
    expect(ok.status, await ok.clone().text()).toBe(303);
    expect(ok.headers.get("location")).toBe(`/app/p/${projectId}/ads?rules=saved#rules-title`);
    expect(await stored()).toEqual([
      { kind: "conversions_stop", enabled: 1, threshold: 4, min_baseline: 1.5 },
      { kind: "roas_drop", enabled: 0, threshold: 0.4, min_baseline: 150 },
      { kind: "spend_spike", enabled: 1, threshold: 3, min_baseline: 25 },
    ]);
    // The API reads the same rules.
    const api = await json<{ rules: { kind: string; enabled: boolean; threshold: number }[] }>(
      await call("/v1/ads/alert-rules", { key: apiKey }),
      200,
    );
    expect(api.rules.find((r) => r.kind === "roas_drop")).toMatchObject({ enabled: false, threshold: 0.4 });
    const after = await pageOf(`/app/p/${projectId}/ads?rules=saved`, member.jar);
    expect(after.html).toContain("Alert rules saved");
    expect(after.html).toMatch(/name="spend_spike\.threshold"[^>]*value="3"/);
    expect(after.html).not.toMatch(/name="roas_drop\.enabled"[^>]*checked/);
  }, 60_000);

  it("a queued or running sync is shown and polled until it finishes; then the box stops polling and offers a reload", async () => {
    const { projectId } = await seedProject();
    const other = await seedProject();
    await insertChannel(projectId, "tiktok", { status: "ok" });
    const viewer = await signedIn(projectId, "viewer");
    const runId = newId("asr");
    await env.DB.prepare(
      "INSERT INTO ad_sync_runs (id, project_id, trigger, status, since, until, queued_at, started_at) VALUES (?, ?, 'manual', 'running', '2026-11-06', '2026-12-05', ?, ?)",
    )
      .bind(runId, projectId, Date.now() - 2000, Date.now() - 1000)
      .run();
    const progress = `/app/p/${projectId}/ads/sync/progress`;
    const polling = new RegExp(
      `<section id="sync-progress"[^>]*hx-get="${progress}" hx-trigger="every 4s" hx-swap="outerHTML"`,
    );

    const { html } = await pageOf(`/app/p/${projectId}/ads`, viewer.jar);
    expect(html).toMatch(polling);
    expect(html).toContain("Sync running since");
    const running = await get(progress, viewer.jar, { "hx-request": "true" });
    const box = await running.text();
    expect(running.status).toBe(200);
    expect(box).toMatch(new RegExp(`^${polling.source}`));

    await env.DB.prepare(
      "UPDATE ad_sync_runs SET status = 'succeeded', rows = 42, finished_at = ? WHERE id = ?",
    )
      .bind(Date.now(), runId)
      .run();
    const done = await get(progress, viewer.jar, { "hx-request": "true" });
    const doneBox = await done.text();
    expect(done.status).toBe(200);
    expect(doneBox).toContain('id="sync-progress"');
    expect(doneBox).not.toContain("hx-trigger");
    expect(doneBox).toContain("The sync finished: succeeded, 42 rows.");
    expect(doneBox).toContain(`<a href="/app/p/${projectId}/ads">Reload to see the new numbers</a>`);
    const page = (await pageOf(`/app/p/${projectId}/ads`, viewer.jar)).html;
    expect(page).not.toContain('id="sync-progress"');
    // Another project's progress is a 404, as its page is.
    expect((await get(`/app/p/${other.projectId}/ads/sync/progress`, viewer.jar)).status).toBe(404);
  }, 60_000);
});

describe("dashboard: push test send, schedule, cancel and progress", () => {
  it("a test send reaches the one subscription picked, and no other; a wrong id is said on the form", async () => {
    const { projectId, apiKey } = await seedProject();
    const member = await signedIn(projectId, "member");
    const viewer = await signedIn(projectId, "viewer");
    const a = await fakeSubscriber();
    const b = await fakeSubscriber();
    const subA = await subscribe(apiKey, a, { topics: ["news"] });
    const subB = await subscribe(apiKey, b, { topics: ["news"] });

    const { html, csrf } = await pageOf(`/app/p/${projectId}/push`, member.jar);
    expect(html).toContain("Test send to one subscription");
    expect(html).toContain(`<option value="${subA.subscription_id}">`);
    expect(html).toContain(`<option value="${subB.subscription_id}">`);
    const viewerPage = await pageOf(`/app/p/${projectId}/push`, viewer.jar);
    expect(viewerPage.html).not.toContain("Test send to one subscription");
    const path = `/app/p/${projectId}/push/test`;
    expect(
      (await post(path, viewer.jar, { _csrf: viewerPage.csrf, subscription: subA.subscription_id })).status,
    ).toBe(403);
    expect((await post(path, member.jar, { subscription: subA.subscription_id, title: "x" })).status).toBe(
      403,
    );

    const other = await seedProject();
    const theirs = await subscribe(other.apiKey, await fakeSubscriber());
    for (const id of ["sub_doesnotexist", theirs.subscription_id]) {
      const wrong = await post(path, member.jar, { _csrf: csrf, subscription_id: id, title: "x" });
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toContain(`This project has no subscription ${id}.`);
    }

    const sent = await post(path, member.jar, {
      _csrf: csrf,
      subscription: subB.subscription_id,
      subscription_id: subA.subscription_id,
      title: "Test notification",
      body: "If you can read this, push works.",
    });
    expect(sent.status, await sent.clone().text()).toBe(303);
    const location = new URL(sent.headers.get("location") ?? "", ORIGIN);
    expect(location.searchParams.get("recipients")).toBe("1");
    const id = location.searchParams.get("sent") ?? "";
    const done = await settled(apiKey, id);
    expect(done.recipients).toBe(1);
    const toA = await received(a.endpoint);
    expect(toA.deliveries).toHaveLength(1);
    expect((await received(b.endpoint)).deliveries).toHaveLength(0);
    const stored = await env.DB.prepare("SELECT target FROM notifications WHERE id = ?")
      .bind(id)
      .first<string>("target");
    expect(JSON.parse(stored ?? "{}")).toEqual({ subscriptionIds: [subA.subscription_id] });
    const page = (await pageOf(`${location.pathname}${location.search}`, member.jar)).html;
    expect(page).toContain(`<td>subscription ${subA.subscription_id}</td>`);
  }, 60_000);

  it("schedules a notification for later, refuses a time past, and cancels it (htmx) with the token and the role", async () => {
    const { projectId, apiKey } = await seedProject();
    const member = await signedIn(projectId, "member");
    const viewer = await signedIn(projectId, "viewer");
    const { csrf } = await pageOf(`/app/p/${projectId}/push`, member.jar);
    const count = () =>
      env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE project_id = ?")
        .bind(projectId)
        .first<number>("n");

    const past = await post(`/app/p/${projectId}/push/send`, member.jar, {
      _csrf: csrf,
      title: "Too late",
      audience: "all",
      when: "later",
      send_at: localTime(Date.now() - 3_600_000),
    });
    expect(past.status).toBe(400);
    expect(await past.text()).toContain("The send time has passed");
    const noTime = await post(`/app/p/${projectId}/push/send`, member.jar, {
      _csrf: csrf,
      title: "When?",
      audience: "all",
      when: "later",
    });
    expect(noTime.status).toBe(400);
    expect(await count()).toBe(0);

    const at = Math.floor((Date.now() + 2 * DAY_MS) / 60_000) * 60_000;
    const scheduled = await post(`/app/p/${projectId}/push/send`, member.jar, {
      _csrf: csrf,
      title: "Weekend sale",
      audience: "topic",
      topic: "news",
      when: "later",
      send_at: localTime(at),
    });
    expect(scheduled.status, await scheduled.clone().text()).toBe(303);
    const location = new URL(scheduled.headers.get("location") ?? "", ORIGIN);
    const id = location.searchParams.get("sent") ?? "";
    expect(location.searchParams.get("at")).toBe(String(at));
    const api = await notification(apiKey, id);
    expect(api.status).toBe("scheduled");
    const row = await env.DB.prepare("SELECT status, scheduled_at FROM notifications WHERE id = ?")
      .bind(id)
      .first<{ status: string; scheduled_at: number }>();
    expect(row).toEqual({ status: "scheduled", scheduled_at: at });

    const shown = (await pageOf(`${location.pathname}${location.search}`, member.jar)).html;
    expect(shown).toContain(`scheduled for ${localTime(at).replace("T", " ")} UTC`);
    expect(shown).toContain(`/app/p/${projectId}/push/notifications/${id}/cancel`);
    const viewerPage = await pageOf(`/app/p/${projectId}/push`, viewer.jar);
    expect(viewerPage.html).not.toContain("/cancel");

    const cancel = `/app/p/${projectId}/push/notifications/${id}/cancel`;
    expect((await post(cancel, member.jar, {})).status).toBe(403);
    expect((await post(cancel, viewer.jar, { _csrf: viewerPage.csrf })).status).toBe(403);
    expect((await notification(apiKey, id)).status).toBe("scheduled");
    const canceled = await post(
      cancel,
      member.jar,
      {},
      { origin: ORIGIN, "hx-request": "true", "x-csrf-token": csrf },
    );
    const swapped = await canceled.text();
    expect(canceled.status, swapped).toBe(200);
    expect(swapped).toMatch(new RegExp(`^<tr id="ntf-${id}">`));
    expect(swapped).toContain("canceled");
    expect(swapped).not.toContain("/cancel");
    expect((await notification(apiKey, id)).status).toBe("canceled");
    // Once canceled it cannot be canceled again: the verb's 409, as the API answers.
    const again = await post(cancel, member.jar, { _csrf: csrf });
    expect(again.status).toBe(409);
  }, 60_000);

  it("a notification still going out polls its row until its deliveries are answered", async () => {
    const { projectId } = await seedProject();
    const viewer = await signedIn(projectId, "viewer");
    const id = await insertDeliveries(projectId, ["delivered", "pending", "pending"]);
    const rowPath = `/app/p/${projectId}/push/notifications/${id}/row`;
    const polling = new RegExp(
      `<tr id="ntf-${id}" hx-get="${rowPath}" hx-trigger="every 4s" hx-swap="outerHTML">`,
    );

    const { html } = await pageOf(`/app/p/${projectId}/push`, viewer.jar);
    expect(html).toMatch(polling);
    expect(html).toContain("sending 1/3");
    const first = await get(rowPath, viewer.jar, { "hx-request": "true" });
    const firstRow = await first.text();
    expect(first.status).toBe(200);
    expect(firstRow).toMatch(new RegExp(`^${polling.source}`));

    await env.DB.prepare("UPDATE deliveries SET status = 'delivered' WHERE notification_id = ?")
      .bind(id)
      .run();
    const done = await get(rowPath, viewer.jar, { "hx-request": "true" });
    const doneRow = await done.text();
    expect(done.status).toBe(200);
    expect(doneRow).toMatch(new RegExp(`^<tr id="ntf-${id}">`));
    expect(doneRow).not.toContain("hx-trigger");
    expect(doneRow).toContain("<td>sent</td>");
    expect(doneRow).toContain('<td class="num">3</td>');
    const other = await seedProject();
    expect((await get(`/app/p/${other.projectId}/push/notifications/${id}/row`, viewer.jar)).status).toBe(
      404,
    );
    expect((await get(`/app/p/${projectId}/push/notifications/ntf_nope/row`, viewer.jar)).status).toBe(404);
  }, 60_000);
});
