import { DAY_MS } from "@pushbunny/core";
import { type ExperimentRow, experimentsNeedingAttention } from "@pushbunny/db";
import type { Hono } from "hono";
import type { AppContext } from "../../context";
import type { AdAlert } from "../../services/ads/insights/types";
import { listAdAlerts } from "../../services/ads/list-alerts";
import { listChannels } from "../../services/ads/list-channels";
import { deliveryReport } from "../../services/push/delivery-report";
import { page, projectOf } from "../context";
import { int, pct } from "../format";
import type { DashEnv } from "../types";
import { FirstMessage } from "./empty";
import { DecisionBadge } from "./experiments";

/**
 * At most this many experiments are listed; past it the page says so and links to the list. The
 * filter runs in SQL (experimentsNeedingAttention), so the page costs the same on 10 or 1,000
 * experiments (scripts/bench.mjs phase f).
 */
const ATTENTION_SHOWN = 100;

/** Open alerts read to count them: past this the page says "100 or more" rather than paging on. */
const OPEN_ALERTS_READ = 100;
const WORST_ALERTS_SHOWN = 3;
/** The push signal: last 7 days, flagged at ≥ 5% failed once there are enough attempts to judge. */
const PUSH_WINDOW_DAYS = 7;
const PUSH_FAILURE_RATE = 0.05;
const PUSH_MIN_ATTEMPTS = 20;

const CHANNEL_LABEL: Record<string, string> = {
  facebook: "Facebook",
  instagram: "Instagram",
  google_ads: "Google Ads",
  tiktok: "TikTok",
};

interface Attention {
  experiment: ExperimentRow;
  why: string;
}

function attentionOf(e: ExperimentRow): Attention | null {
  if (e.generationStatus === "failed") {
    return {
      experiment: e,
      why: `challenger generation failed${e.generationError ? `: ${e.generationError}` : ""}`,
    };
  }
  if (e.decision?.status === "srm_alarm")
    return { experiment: e, why: `sample ratio mismatch: ${e.decision.reason}` };
  if (e.decision?.status === "winner")
    return { experiment: e, why: `a winner is ready: ${e.decision.reason}` };
  return null;
}

async function scanExperiments(ctx: AppContext, projectId: string) {
  const found = await experimentsNeedingAttention(ctx.db, projectId, ATTENTION_SHOWN);
  const items = found.rows.map(attentionOf).filter((a): a is Attention => a !== null);
  return {
    items,
    total: found.total,
    running: found.running,
    truncated: found.rows.length >= ATTENTION_SHOWN,
  };
}

/**
 * How far past its own threshold an alert is (1 = just at it), so the worst of several kinds can
 * be compared: the ratio the rule tests, divided by the threshold it tested it against.
 */
export function alertSeverity(a: AdAlert): number {
  if (a.threshold <= 0) return 0;
  if (a.kind === "spend_spike") return a.baseline > 0 ? a.observed / a.baseline / a.threshold : 0;
  if (a.kind === "roas_drop") return a.baseline > 0 ? (1 - a.observed / a.baseline) / a.threshold : 0;
  return a.observed / a.threshold;
}

/**
 * The ad and push signals: each channel's last outcome (the connection records it per channel),
 * the open alerts (one bounded read), and one delivery aggregate over 7 days: the services the
 * API's /v1/ads/channels, /v1/ads/alerts and /v1/push/analytics/deliveries call.
 */
async function channelSignals(ctx: AppContext, projectId: string) {
  const toMs = ctx.now();
  const [channels, open, deliveries] = await Promise.all([
    listChannels({ ctx, projectId }),
    listAdAlerts({ ctx, projectId, input: { state: "open", limit: OPEN_ALERTS_READ } }),
    deliveryReport({ ctx, projectId, input: { fromMs: toMs - PUSH_WINDOW_DAYS * DAY_MS + 1, toMs } }),
  ]);
  const t = deliveries.totals;
  const attempted = t.sent + t.delivered + t.failed + t.expired;
  const failed = t.failed + t.expired;
  const rate = t.failureRate ?? 0;
  return {
    failedSyncs: channels.filter((ch) => ch.lastStatus === "error"),
    openAlerts: open.alerts.length,
    moreAlerts: open.nextCursor !== null,
    worstAlerts: [...open.alerts]
      .sort((a, b) => alertSeverity(b) - alertSeverity(a) || b.lastSeenAt - a.lastSeenAt)
      .slice(0, WORST_ALERTS_SHOWN),
    push: attempted >= PUSH_MIN_ATTEMPTS && rate >= PUSH_FAILURE_RATE ? { attempted, failed, rate } : null,
  };
}

export function registerHomePage(dash: Hono<DashEnv>): void {
  dash.get("/p/:project", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const ctx = c.get("ctx");
    const [exp, sig] = await Promise.all([scanExperiments(ctx, projectId), channelSignals(ctx, projectId)]);
    const ads = `/app/p/${projectId}/ads`;
    const push = `/app/p/${projectId}/push`;
    const nothing =
      exp.items.length === 0 && sig.failedSyncs.length === 0 && sig.openAlerts === 0 && sig.push === null;
    return page(c, {
      title: "Home",
      projectId,
      current: "home",
      children: (
        <>
          <h1>What needs attention</h1>
          {exp.total === 0 ? (
            <FirstMessage
              origin={new URL(c.req.url).origin}
              projectId={projectId}
              keysHref={`/app/p/${projectId}/settings/keys`}
            />
          ) : (
            <p>
              {int(exp.total)} {exp.total === 1 ? "experiment" : "experiments"}, {int(exp.running)} running.{" "}
              <a href={`/app/p/${projectId}/experiments`}>See them all</a>
              {exp.truncated
                ? ` (only the newest ${int(ATTENTION_SHOWN)} that need you are listed here)`
                : null}
            </p>
          )}
          {nothing ? (
            exp.total === 0 ? null : (
              <p class="panel">
                Nothing needs you now: no winner to act on, no SRM alarm, no failed generation, no failed ad
                sync, no open ad alert, and push deliveries are healthy.
              </p>
            )
          ) : (
            <ul class="attention panel" aria-label="What needs attention">
              {exp.items.map(({ experiment: e, why }) => (
                <li>
                  <a href={`/app/p/${projectId}/experiments/${e.id}`}>
                    {e.intentId} ({e.locale})
                  </a>{" "}
                  <DecisionBadge status={e.generationStatus === "failed" ? "failed" : e.decision?.status} />
                  <div class="muted">{why}</div>
                </li>
              ))}
              {sig.failedSyncs.map((ch) => (
                <li>
                  <a href={ads}>{CHANNEL_LABEL[ch.channel] ?? ch.channel} sync</a>{" "}
                  <span class="badge failed">sync failed</span>
                  <div class="muted">
                    Its last sync failed
                    {ch.lastError
                      ? `: ${ch.lastError.code ? `${ch.lastError.code}: ` : ""}${ch.lastError.message}`
                      : ""}
                  </div>
                </li>
              ))}
              {sig.openAlerts > 0 ? (
                <li>
                  <a href={ads}>
                    {sig.moreAlerts ? `${int(sig.openAlerts)} or more` : int(sig.openAlerts)} open ad{" "}
                    {sig.openAlerts === 1 ? "alert" : "alerts"}
                  </a>{" "}
                  <span class="badge failed">open</span>
                  <ul class="plain muted">
                    {sig.worstAlerts.map((a) => (
                      <li>
                        {a.campaignName} ({CHANNEL_LABEL[a.channel] ?? a.channel}): {a.message}
                      </li>
                    ))}
                  </ul>
                </li>
              ) : null}
              {sig.push ? (
                <li>
                  <a href={push}>Push delivery failures</a> <span class="badge failed">failing</span>
                  <div class="muted">
                    {pct(sig.push.rate)} of deliveries failed or expired in the last {PUSH_WINDOW_DAYS} days (
                    {int(sig.push.failed)} of {int(sig.push.attempted)}).
                  </div>
                </li>
              ) : null}
            </ul>
          )}
        </>
      ),
    });
  });
}
