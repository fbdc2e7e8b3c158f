import { env, exports } from "cloudflare:workers";
import { newId } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import { call, eventually, json, seedMember, seedProject } from "./helpers";
import { fakeSubscriber, settled, subscribe } from "./push-helpers";

// The dashboard's ad channels and push pages: they render the services' numbers, their forms need
// the CSRF token and the right role, another project's page is a 404, and copy is escaped.
// docs/adr/0021-dashboard-stack.md.

const ORIGIN = "http://pushbunny.test";
const SESSION = "__Host-pb_session";
const DAY_MS = 86_400_000;

type Jar = Map<string, string>;

async function get(path: string, jar: Jar, headers: Record<string, string> = {}) {
  const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  return exports.default.fetch(`${ORIGIN}${path}`, { headers: { cookie, ...headers }, redirect: "manual" });
}

async function post(
  path: string,
  jar: Jar,
  fields: Record<string, string>,
  headers: Record<string, string> = { origin: ORIGIN },
) {
  const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, ...headers },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

async function pageOf(path: string, jar: Jar) {
  const res = await get(path, jar);
  const html = await res.text();
  expect(res.status, html.slice(0, 2000)).toBe(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  expect(csrf).not.toBe("");
  return { html, csrf };
}

async function signedIn(projectId: string, role: "owner" | "admin" | "member" | "viewer") {
  const m = await seedMember(projectId, role);
  return { ...m, jar: new Map([[SESSION, m.refreshToken]]) as Jar };
}

/** What JSX writes for a text. */
const escaped = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

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

async function insertAlert(projectId: string, fields: { campaignName: string; message: string }) {
  const id = newId("alr");
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO ad_alerts (id, project_id, kind, channel, campaign_id, campaign_name, day, state, observed, baseline, threshold, message, run_id, first_seen_at, last_seen_at) VALUES (?, ?, 'spend_spike', 'google_ads', 'cmp_x', ?, '2026-12-01', 'open', 300, 100, 2, ?, 'asr_x', ?, ?)",
  )
    .bind(id, projectId, fields.campaignName, fields.message, now, now)
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
});
