import { DAY_MS, utcDay } from "@pushbunny/core";
import { AD_CHANNELS, type AdChannel } from "@pushbunny/db";
import type { Context, Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { BadRequestError, NotFoundError } from "../../errors";
import { acknowledgeAdAlert } from "../../services/ads/acknowledge-alert";
import { connectChannel } from "../../services/ads/connect-channel";
import { getAlertRules } from "../../services/ads/get-alert-rules";
import { getLatestAdInsight } from "../../services/ads/get-latest-insight";
import { type ChannelSummary, getAdsSummary } from "../../services/ads/get-summary";
import type { AdAlert, AdInsight } from "../../services/ads/insights/types";
import type { AdSyncRun } from "../../services/ads/lib/types";
import { listAdAlerts } from "../../services/ads/list-alerts";
import { type CampaignDay, listCampaigns } from "../../services/ads/list-campaigns";
import { listChannels } from "../../services/ads/list-channels";
import { listSyncRuns } from "../../services/ads/list-runs";
import { requestSync } from "../../services/ads/request-sync";
import { resolveAdAlert } from "../../services/ads/resolve-alert";
import { updateAlertRules } from "../../services/ads/update-alert-rules";
import { page, projectOf, sessionOf } from "../context";
import { int, pct, when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import { problemsOf, type RuleProblems, type RulesForm, RulesPanel, readRulesForm } from "./ads-rules";
import { inProgress, registerSyncProgress, SyncProgress } from "./ads-sync";
import { Chart, type ChartSpec } from "./experiment";

/** The window the page's charts and campaign totals cover: the sandbox's backfill, a month. */
const WINDOW_DAYS = 30;
/** Campaign-day rows read per page of the list verb, and at most this many pages. */
const ROWS_PAGE = 500;
const MAX_ROW_PAGES = 10;
const RUNS_SHOWN = 10;
const ALERTS_SHOWN = 50;

const CHANNEL_LABEL: Record<AdChannel, string> = {
  facebook: "Facebook",
  instagram: "Instagram",
  google_ads: "Google Ads",
  tiktok: "TikTok",
};
const channelName = (c: string) => CHANNEL_LABEL[c as AdChannel] ?? c;

const ALERT_ID = /^alr_[A-Za-z0-9_-]{1,64}$/;

const money = (n: number) =>
  n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const ratio = (r: number | null) => (r === null ? "—" : r.toFixed(2));
const pctOrDash = (r: number | null) => (r === null ? "—" : pct(r));

interface CampaignTotals {
  channel: AdChannel;
  campaignId: string;
  campaignName: string;
  cost: number;
  clicks: number;
  impressions: number;
  conversions: number;
  conversionValue: number;
}

/** Daily spend and ROAS per channel, and totals per campaign, from the synced campaign-day rows. */
export function adSeries(rows: CampaignDay[]): {
  spend: ChartSpec;
  roas: ChartSpec;
  campaigns: CampaignTotals[];
} {
  const days = [...new Set(rows.map((r) => r.date))].sort();
  const channels = AD_CHANNELS.filter((c) => rows.some((r) => r.channel === c));
  const at = new Map<string, { cost: number; value: number }>();
  const campaigns = new Map<string, CampaignTotals>();
  for (const r of rows) {
    const k = `${r.date}|${r.channel}`;
    const d = at.get(k) ?? { cost: 0, value: 0 };
    d.cost += r.cost;
    d.value += r.conversionValue;
    at.set(k, d);
    const ck = `${r.channel}|${r.campaignId}`;
    const c = campaigns.get(ck) ?? {
      channel: r.channel,
      campaignId: r.campaignId,
      // Rows come newest first: the first name seen is the current one.
      campaignName: r.campaignName,
      cost: 0,
      clicks: 0,
      impressions: 0,
      conversions: 0,
      conversionValue: 0,
    };
    c.cost += r.cost;
    c.clicks += r.clicks;
    c.impressions += r.impressions;
    c.conversions += r.conversions;
    c.conversionValue += r.conversionValue;
    campaigns.set(ck, c);
  }
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return {
    spend: {
      days,
      yLabel: "spend",
      series: channels.map((ch) => ({
        label: channelName(ch),
        values: days.map((day) => round2(at.get(`${day}|${ch}`)?.cost ?? 0)),
      })),
    },
    roas: {
      days,
      yLabel: "ROAS (value ÷ spend)",
      series: channels.map((ch) => ({
        label: channelName(ch),
        values: days.map((day) => {
          const d = at.get(`${day}|${ch}`);
          return d && d.cost > 0 ? round2(d.value / d.cost) : null;
        }),
      })),
    },
    campaigns: [...campaigns.values()].sort((a, b) => b.cost - a.cost),
  };
}

function SummaryRow(p: { s: ChannelSummary; head?: boolean }) {
  const s = p.s;
  return (
    <tr>
      <th scope="row">{s.channel === "all" ? "All channels" : channelName(s.channel)}</th>
      <td class="num">{int(s.campaigns)}</td>
      <td class="num">{money(s.cost)}</td>
      <td class="num">{int(s.impressions)}</td>
      <td class="num">{int(s.clicks)}</td>
      <td class="num">{int(s.conversions)}</td>
      <td class="num">{money(s.conversionValue)}</td>
      <td class="num">{ratio(s.roas)}</td>
      <td class="num">{pctOrDash(s.roi)}</td>
    </tr>
  );
}

/** An alert and, for people who may act on it, its acknowledge and resolve buttons (htmx swaps the row). */
export function AlertRow(p: { projectId: string; a: AdAlert; csrf: string; canWrite: boolean }) {
  const a = p.a;
  const url = `/app/p/${p.projectId}/ads/alerts/${a.id}`;
  const button = (verb: "acknowledge" | "resolve", label: string) => (
    <form
      method="post"
      action={`${url}/${verb}`}
      hx-post={`${url}/${verb}`}
      hx-target={`#alert-${a.id}`}
      hx-swap="outerHTML"
    >
      <Csrf token={p.csrf} />
      <button
        type="submit"
        class="secondary"
        aria-label={`${label}: ${a.campaignName}, ${a.kind.replace(/_/g, " ")}`}
      >
        {label}
      </button>
    </form>
  );
  return (
    <tr id={`alert-${a.id}`}>
      <td>
        <span
          class={`badge ${a.state === "open" ? "failed" : a.state === "resolved" ? "winner" : "pending"}`}
        >
          {a.state}
        </span>
      </td>
      <td>{a.kind.replace(/_/g, " ")}</td>
      <td>{channelName(a.channel)}</td>
      <th scope="row">{a.campaignName}</th>
      <td>{a.message}</td>
      <td>{a.day}</td>
      <td class="hide-narrow">{when(a.firstSeenAt)}</td>
      {p.canWrite ? (
        <td>
          {a.state === "open" ? button("acknowledge", "Acknowledge") : null}
          {a.state !== "resolved" ? button("resolve", "Resolve") : <span class="muted">—</span>}
        </td>
      ) : null}
    </tr>
  );
}

function RunRow(p: { r: AdSyncRun }) {
  const r = p.r;
  return (
    <tr>
      <td>{when(r.queuedAt)}</td>
      <td>{r.trigger}</td>
      <td>
        <span
          class={`badge ${r.status === "failed" ? "failed" : r.status === "succeeded" ? "winner" : "pending"}`}
        >
          {r.status}
        </span>
      </td>
      <td>
        {r.since} → {r.until}
      </td>
      <td class="num">{int(r.rows)}</td>
      <td>
        {r.results.length === 0 ? (
          <span class="muted">{r.status === "queued" || r.status === "running" ? "in progress" : "—"}</span>
        ) : (
          <ul class="plain">
            {r.results.map((x) => (
              <li>
                {channelName(x.channel)}: {x.status === "ok" ? `${int(x.rows)} rows` : "failed"}
                {x.error ? ` — ${x.error.code ?? x.error.kind}: ${x.error.message}` : null}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

function Insight(p: { insight: AdInsight }) {
  const i = p.insight;
  const campaignName = (channel: string, id: string) =>
    i.snapshot.campaigns.find((c) => c.channel === channel && c.campaign_id === id)?.campaign_name ?? id;
  return (
    <section class="panel" aria-labelledby="insight-title">
      <h2 id="insight-title">Latest insight</h2>
      <p class="muted">
        Data to {i.asOf} (last 7 days against the 28 before) · written {when(i.createdAt)} by{" "}
        {i.provider === "gemini" ? "the model" : "the template"}
        {i.fallbackReason ? ` (template because: ${i.fallbackReason})` : null}
      </p>
      <p>{i.report.summary}</p>
      <ul>
        {i.report.insights.map((t) => (
          <li>{t}</li>
        ))}
      </ul>
      {i.report.recommendations.length > 0 ? (
        <>
          <h3>Recommendations</h3>
          <ul>
            {i.report.recommendations.map((r) => (
              <li>
                <strong>{r.action === "scale" ? "Scale" : "Cut"}</strong>{" "}
                {campaignName(r.channel, r.campaign_id)} ({channelName(r.channel)}): {r.rationale}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="muted">No campaign to scale or cut this time.</p>
      )}
    </section>
  );
}

function ConnectSandbox(p: { projectId: string; csrf: string; connected: AdChannel[] }) {
  const free = AD_CHANNELS.filter((c) => !p.connected.includes(c));
  if (free.length === 0) return null;
  return (
    <form class="filters" method="post" action={`/app/p/${p.projectId}/ads/channels`}>
      <Csrf token={p.csrf} />
      <label>
        {p.connected.length === 0 ? "Channel" : "Another channel, with sandbox data"}
        <select name="channel">
          {free.map((c) => (
            <option value={c} selected={c === "google_ads"}>
              {channelName(c)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Connect sandbox</button>
    </form>
  );
}

function EmptyAds(p: { origin: string; projectId: string; csrf: string; canConnect: boolean }) {
  const curl = [
    `curl -s -X PUT ${p.origin}/v1/ads/channels/google_ads \\`,
    `  -H "Authorization: Bearer <your admin API key>"`,
  ].join("\n");
  return (
    <div class="panel notice">
      <h2>Connect an ad channel</h2>
      <p>
        No channel is connected. Without credentials a channel reads the deterministic sandbox: 30 days of
        campaigns to try the page, the insights and the alerts with. With credentials it reads the real API.
      </p>
      {p.canConnect ? (
        <ConnectSandbox projectId={p.projectId} csrf={p.csrf} connected={[]} />
      ) : (
        <p>Ask a project admin to connect one, or run this with an admin key:</p>
      )}
      <pre class="code" tabindex={0}>
        {curl}
      </pre>
    </div>
  );
}

async function campaignRows(c: Context<DashEnv>, projectId: string, dateFrom: string) {
  const rows: CampaignDay[] = [];
  let cursor: string | undefined;
  let truncated = false;
  for (let i = 0; i < MAX_ROW_PAGES; i++) {
    const got = await listCampaigns({
      ctx: c.get("ctx"),
      projectId,
      input: { dateFrom, limit: ROWS_PAGE, ...(cursor ? { cursor } : {}) },
    });
    rows.push(...got.campaigns);
    if (!got.nextCursor) break;
    cursor = got.nextCursor;
    if (i === MAX_ROW_PAGES - 1) truncated = true;
  }
  return { rows, truncated };
}

/** The rules form as it was posted and what was wrong with it, shown instead of the stored rules. */
interface RulesRefusal {
  fields: RulesForm;
  problems: RuleProblems;
}

async function showAds(c: Context<DashEnv>, refusal?: RulesRefusal): Promise<Response> {
  const { projectId, role } = await projectOf(c, "read");
  const csrf = sessionOf(c).csrf;
  const ctx = c.get("ctx");
  const canWrite = roleGrants(role, "write");
  const canConnect = roleGrants(role, "admin");
  const status = refusal ? 400 : 200;
  const [channels, rules] = await Promise.all([
    listChannels({ ctx, projectId }),
    getAlertRules({ ctx, projectId }),
  ]);
  const rulesPanel = (
    <RulesPanel
      projectId={projectId}
      csrf={csrf}
      canWrite={canWrite}
      rules={rules}
      fields={refusal?.fields}
      problems={refusal?.problems}
    />
  );
  if (channels.length === 0) {
    return page(
      c,
      {
        title: "Ad channels",
        projectId,
        current: "ads",
        children: (
          <>
            <h1>Ad channels</h1>
            <EmptyAds
              origin={new URL(c.req.url).origin}
              projectId={projectId}
              csrf={csrf}
              canConnect={canConnect}
            />
            {rulesPanel}
          </>
        ),
      },
      status,
    );
  }
  const dateFrom = utcDay(ctx.now() - (WINDOW_DAYS - 1) * DAY_MS);
  const [summary, rows, runs, insight, alerts] = await Promise.all([
    getAdsSummary({ ctx, projectId, input: { dateFrom } }),
    campaignRows(c, projectId, dateFrom),
    listSyncRuns({ ctx, projectId, input: { limit: RUNS_SHOWN } }),
    getLatestAdInsight({ ctx, projectId }).catch((err: unknown) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    }),
    listAdAlerts({ ctx, projectId, input: { limit: ALERTS_SHOWN } }),
  ]);
  const series = adSeries(rows.rows);
  const hasDays = series.spend.days.length > 0;
  const openAlerts = alerts.alerts.filter((a) => a.state === "open").length;
  return page(
    c,
    {
      title: "Ad channels",
      projectId,
      current: "ads",
      charts: hasDays,
      children: (
        <>
          <h1>Ad channels</h1>
          <section class="panel" aria-labelledby="connections-title">
            <h2 id="connections-title">Connections</h2>
            <ScrollBox label="Connected channels table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Channel</th>
                    <th scope="col">Source</th>
                    <th scope="col">Account</th>
                    <th scope="col">Last sync</th>
                    <th scope="col">Last synced (UTC)</th>
                  </tr>
                </thead>
                <tbody>
                  {channels.map((ch) => (
                    <tr>
                      <th scope="row">{channelName(ch.channel)}</th>
                      <td>{ch.source}</td>
                      <td>{ch.accountId ?? "—"}</td>
                      <td>
                        {ch.lastStatus ?? "not yet"}
                        {ch.lastError ? (
                          <span class="error">
                            {" "}
                            {ch.lastError.code ? `${ch.lastError.code}: ` : ""}
                            {ch.lastError.message}
                          </span>
                        ) : null}
                      </td>
                      <td>{when(ch.lastSyncedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
            {canWrite ? (
              <form class="filters" method="post" action={`/app/p/${projectId}/ads/sync`}>
                <Csrf token={csrf} />
                <button type="submit">Sync now</button>
                <span class="muted">
                  Fetches every connected channel again; the runs below show how it went.
                </span>
              </form>
            ) : null}
            {canConnect ? (
              <ConnectSandbox projectId={projectId} csrf={csrf} connected={channels.map((x) => x.channel)} />
            ) : null}
          </section>
          {runs.runs.some(inProgress) ? <SyncProgress projectId={projectId} runs={runs.runs} /> : null}

          <h2>Last {WINDOW_DAYS} days</h2>
          <ScrollBox label="Totals per channel table">
            <table>
              <caption class="muted">
                From {dateFrom}. ROAS is conversion value ÷ spend; ROI is (value − spend) ÷ spend. Money in
                each account's currency.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col" class="num">
                    Campaigns
                  </th>
                  <th scope="col" class="num">
                    Spend
                  </th>
                  <th scope="col" class="num">
                    Impressions
                  </th>
                  <th scope="col" class="num">
                    Clicks
                  </th>
                  <th scope="col" class="num">
                    Conversions
                  </th>
                  <th scope="col" class="num">
                    Value
                  </th>
                  <th scope="col" class="num">
                    ROAS
                  </th>
                  <th scope="col" class="num">
                    ROI
                  </th>
                </tr>
              </thead>
              <tbody>
                {summary.channels.map((s) => (
                  <SummaryRow s={s} />
                ))}
              </tbody>
              <tfoot>
                <SummaryRow s={summary.total} />
              </tfoot>
            </table>
          </ScrollBox>
          {hasDays ? (
            <>
              <Chart spec={series.spend} label="Daily spend per channel" />
              <Chart spec={series.roas} label="Daily ROAS per channel" />
            </>
          ) : (
            <p class="panel">
              No campaign data yet: it appears when the first sync finishes. Reload in a moment.
            </p>
          )}

          {insight ? (
            <Insight insight={insight} />
          ) : (
            <p class="panel">No insight yet: one is written after each successful sync.</p>
          )}

          <h2>Alerts{openAlerts > 0 ? ` (${int(openAlerts)} open)` : null}</h2>
          {alerts.alerts.length === 0 ? (
            <p class="panel">No alerts: no spend spike, ROAS drop or stopped conversions found.</p>
          ) : (
            <ScrollBox label="Alerts table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">State</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Channel</th>
                    <th scope="col">Campaign</th>
                    <th scope="col">What was found</th>
                    <th scope="col">Day</th>
                    <th scope="col" class="hide-narrow">
                      First seen (UTC)
                    </th>
                    {canWrite ? <th scope="col">Action</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {alerts.alerts.map((a) => (
                    <AlertRow projectId={projectId} a={a} csrf={csrf} canWrite={canWrite} />
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}

          {c.req.query("rules") === "saved" ? (
            <p class="panel notice" role="status">
              Alert rules saved: they apply from the next sync.
            </p>
          ) : null}
          {rulesPanel}

          <h2>Campaigns</h2>
          {series.campaigns.length === 0 ? (
            <p class="panel">No campaigns in the last {WINDOW_DAYS} days.</p>
          ) : (
            <ScrollBox label="Campaigns table">
              <table>
                <caption class="muted">
                  Last {WINDOW_DAYS} days, biggest spend first
                  {rows.truncated ? ` (the newest ${int(ROWS_PAGE * MAX_ROW_PAGES)} campaign-days)` : ""}.
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Campaign</th>
                    <th scope="col">Channel</th>
                    <th scope="col" class="num">
                      Spend
                    </th>
                    <th scope="col" class="num">
                      Impressions
                    </th>
                    <th scope="col" class="num">
                      Clicks
                    </th>
                    <th scope="col" class="num">
                      Conversions
                    </th>
                    <th scope="col" class="num">
                      ROAS
                    </th>
                    <th scope="col" class="num">
                      ROI
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {series.campaigns.map((x) => (
                    <tr>
                      <th scope="row">{x.campaignName}</th>
                      <td>{channelName(x.channel)}</td>
                      <td class="num">{money(x.cost)}</td>
                      <td class="num">{int(x.impressions)}</td>
                      <td class="num">{int(x.clicks)}</td>
                      <td class="num">{int(Math.round(x.conversions))}</td>
                      <td class="num">{x.cost > 0 ? ratio(x.conversionValue / x.cost) : "—"}</td>
                      <td class="num">{x.cost > 0 ? pct((x.conversionValue - x.cost) / x.cost) : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}

          <h2>Sync runs</h2>
          {runs.runs.length === 0 ? (
            <p class="panel">No runs yet.</p>
          ) : (
            <ScrollBox label="Sync runs table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Queued (UTC)</th>
                    <th scope="col">Trigger</th>
                    <th scope="col">Status</th>
                    <th scope="col">Days</th>
                    <th scope="col" class="num">
                      Rows
                    </th>
                    <th scope="col">Per channel</th>
                  </tr>
                </thead>
                <tbody>
                  {runs.runs.map((r) => (
                    <RunRow r={r} />
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
        </>
      ),
    },
    status,
  );
}

export function registerAdsPage(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/ads", (c) => showAds(c));
  registerSyncProgress(dash);

  // The rules behind PUT /v1/ads/alert-rules (write), validated by its schema and its verb; a
  // refused form comes back with the typed values and nothing stored.
  dash.post("/p/:project/ads/alert-rules", async (c) => {
    const { projectId } = await projectOf(c, "write");
    const { fields, patches, problems } = readRulesForm(await c.req.parseBody({ all: true }));
    if (patches.length === 0) return showAds(c, { fields, problems });
    try {
      await updateAlertRules({ ctx: c.get("ctx"), projectId, input: { rules: patches } });
    } catch (err) {
      if (err instanceof BadRequestError) {
        return showAds(c, { fields, problems: problemsOf(err.issues, patches) });
      }
      throw err;
    }
    return c.redirect(`/app/p/${projectId}/ads?rules=saved#rules-title`, 303);
  });

  // Sync now: the verb behind POST /v1/ads/sync (write).
  dash.post("/p/:project/ads/sync", async (c) => {
    const { projectId } = await projectOf(c, "write");
    await requestSync({ ctx: c.get("ctx"), projectId, input: { trigger: "manual" } });
    return c.redirect(`/app/p/${projectId}/ads`, 303);
  });

  // Connect a channel to the sandbox: the verb behind PUT /v1/ads/channels/{channel} (admin), no credentials.
  dash.post("/p/:project/ads/channels", async (c) => {
    const session = sessionOf(c);
    const { projectId } = await projectOf(c, "admin");
    const form = await c.req.parseBody();
    const channel = AD_CHANNELS.find((x) => x === form.channel);
    if (!channel) return c.redirect(`/app/p/${projectId}/ads`, 303);
    await connectChannel({
      ctx: c.get("ctx"),
      projectId,
      actor: `user:${session.userId}`,
      input: { channel },
    });
    return c.redirect(`/app/p/${projectId}/ads`, 303);
  });

  // Acknowledge or resolve an alert: the verbs behind POST /v1/ads/alerts/{id}/acknowledge and …/resolve.
  for (const verb of ["acknowledge", "resolve"] as const) {
    dash.post(`/p/:project/ads/alerts/:alert/${verb}`, async (c) => {
      const session = sessionOf(c);
      const { projectId } = await projectOf(c, "write");
      const alertId = c.req.param("alert");
      if (!ALERT_ID.test(alertId)) throw new NotFoundError("alert not found");
      const input = { alertId };
      const ctx = c.get("ctx");
      const alert =
        verb === "acknowledge"
          ? await acknowledgeAdAlert({ ctx, projectId, input })
          : await resolveAdAlert({ ctx, projectId, input });
      if (c.req.header("hx-request") === "true") {
        const row = await (<AlertRow projectId={projectId} a={alert} csrf={session.csrf} canWrite={true} />);
        return c.html(String(row));
      }
      return c.redirect(`/app/p/${projectId}/ads`, 303);
    });
  }
}
