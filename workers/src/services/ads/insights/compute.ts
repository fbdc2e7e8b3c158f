import { DAY_MS } from "@pushbunny/core";
import type { AdAlertKind } from "@pushbunny/db";
import type { AdCandidate, AdEntityStats, AdInsightSnapshot, AdWindowStats } from "@pushbunny/llm";
import type { AlertRule } from "./rules";

/** One campaign on one day, as insights read it. */
export interface CampaignDay {
  channel: string;
  campaignId: string;
  campaignName: string;
  date: string;
  cost: number;
  conversions: number;
  conversionValue: number;
}

export const CURRENT_DAYS = 7;
export const BASELINE_DAYS = 28;
/** A campaign's own history must cover this many baseline days before it is judged. */
export const MIN_BASELINE_DAYS = 14;
/** …and its current window this many days for spend and ROAS. */
export const MIN_CURRENT_DAYS = 3;
/** Robust z-score (median and MAD) a spend spike must also pass, so a noisy campaign does not cry wolf. */
export const SPIKE_MIN_Z = 3;

export interface Anomaly {
  kind: AdAlertKind;
  channel: string;
  campaignId: string;
  campaignName: string;
  observed: number;
  baseline: number;
  threshold: number;
  message: string;
}

export interface InsightComputation {
  snapshot: AdInsightSnapshot;
  anomalies: Anomaly[];
  /** `kind|channel|campaign` of every check whose baseline was enough to judge: a stored alert there that did not fire has cleared. */
  evaluated: Set<string>;
}

export const alertKey = (kind: string, channel: string, campaignId: string) =>
  `${kind}|${channel}|${campaignId}`;

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** (x − median) ÷ (1.4826 · MAD): a z-score that one outlier in the history cannot inflate. */
export function robustZ(x: number, history: number[]): number {
  const m = median(history);
  const mad = median(history.map((h) => Math.abs(h - m)));
  if (mad === 0) return x === m ? 0 : x > m ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return (x - m) / (1.4826 * mad);
}

function windowStats(days: CampaignDay[]): AdWindowStats {
  const dates = new Set(days.map((d) => d.date));
  const cost = days.reduce((s, d) => s + d.cost, 0);
  const conversions = days.reduce((s, d) => s + d.conversions, 0);
  const value = days.reduce((s, d) => s + d.conversionValue, 0);
  return {
    days: dates.size,
    cost: r2(cost),
    conversions: r2(conversions),
    conversion_value: r2(value),
    roas: cost > 0 ? r4(value / cost) : null,
    cpa: conversions > 0 ? r2(cost / conversions) : null,
    daily_cost: dates.size > 0 ? r2(cost / dates.size) : null,
  };
}

const change = (cur: number | null, base: number | null) =>
  cur !== null && base !== null && base > 0 ? r4(cur / base - 1) : null;

function entity(
  channel: string,
  campaign: { id: string; name: string } | null,
  current: CampaignDay[],
  baseline: CampaignDay[],
): AdEntityStats {
  const c = windowStats(current);
  const b = windowStats(baseline);
  return {
    channel,
    campaign_id: campaign?.id ?? null,
    campaign_name: campaign?.name ?? null,
    current: c,
    baseline: b,
    spend_change: change(c.daily_cost, b.daily_cost),
    roas_change: change(c.roas, b.roas),
    cpa_change: change(c.cpa, b.cpa),
  };
}

/** Per-day totals of one campaign's rows (a channel reports one row per campaign and day). */
function byDay(rows: CampaignDay[]): Map<string, CampaignDay> {
  const out = new Map<string, CampaignDay>();
  for (const r of rows) {
    const d = out.get(r.date);
    out.set(
      r.date,
      d
        ? {
            ...d,
            cost: d.cost + r.cost,
            conversions: d.conversions + r.conversions,
            conversionValue: d.conversionValue + r.conversionValue,
          }
        : r,
    );
  }
  return out;
}

/**
 * Everything code says about the project's ad channels as of `asOf` (the last synced day):
 * per channel and per campaign, the last CURRENT_DAYS days against the BASELINE_DAYS before,
 * the anomalies the enabled rules find in each campaign's own history, and the campaigns to
 * scale or cut. Pure: the same rows give the same answer.
 */
export function computeInsights(input: {
  asOf: string;
  rows: CampaignDay[];
  rules: AlertRule[];
  computedAt: number;
}): InsightComputation {
  const { asOf, rules } = input;
  const currentFrom = addDays(asOf, -(CURRENT_DAYS - 1));
  const baselineFrom = addDays(asOf, -(CURRENT_DAYS + BASELINE_DAYS - 1));
  const baselineTo = addDays(asOf, -CURRENT_DAYS);
  const rows = input.rows.filter((r) => r.date >= baselineFrom && r.date <= asOf);
  const isCurrent = (r: CampaignDay) => r.date >= currentFrom;

  const campaigns = new Map<string, CampaignDay[]>();
  const channels = new Map<string, CampaignDay[]>();
  for (const r of rows) {
    const key = `${r.channel}|${r.campaignId}`;
    campaigns.set(key, [...(campaigns.get(key) ?? []), r]);
    channels.set(r.channel, [...(channels.get(r.channel) ?? []), r]);
  }

  const anomalies: Anomaly[] = [];
  const evaluated = new Set<string>();
  const campaignStats: AdEntityStats[] = [];
  for (const list of campaigns.values()) {
    const first = list[0] as CampaignDay;
    // The newest name: campaigns get renamed.
    const name = list.reduce((a, b) => (b.date > a.date ? b : a)).campaignName;
    const current = list.filter(isCurrent);
    const baseline = list.filter((r) => !isCurrent(r));
    const stats = entity(first.channel, { id: first.campaignId, name }, current, baseline);
    campaignStats.push(stats);
    for (const rule of rules) {
      if (!rule.enabled) continue;
      const found = detect(rule, stats, byDay(current), byDay(baseline), asOf);
      if (found === "insufficient") continue;
      evaluated.add(alertKey(rule.kind, first.channel, first.campaignId));
      if (found)
        anomalies.push({
          ...found,
          kind: rule.kind,
          channel: first.channel,
          campaignId: first.campaignId,
          campaignName: name,
        });
    }
  }

  const channelStats = [...channels.entries()]
    .map(([channel, list]) =>
      entity(
        channel,
        null,
        list.filter(isCurrent),
        list.filter((r) => !isCurrent(r)),
      ),
    )
    .sort((a, b) => a.channel.localeCompare(b.channel));
  const total = entity(
    "all",
    null,
    rows.filter(isCurrent),
    rows.filter((r) => !isCurrent(r)),
  );
  const candidates = pickCandidates(campaignStats, anomalies, total);

  // The prompt stays small: the biggest spenders now, plus every campaign an alert or candidate names.
  const named = new Set(
    [...anomalies, ...candidates].map(
      (a) => `${a.channel}|${"campaignId" in a ? a.campaignId : a.campaign_id}`,
    ),
  );
  const shown = [...campaignStats]
    .sort(
      (a, b) => b.current.cost - a.current.cost || (a.campaign_id ?? "").localeCompare(b.campaign_id ?? ""),
    )
    .filter((c, i) => i < 40 || named.has(`${c.channel}|${c.campaign_id}`));

  return {
    snapshot: {
      as_of: asOf,
      computed_at: new Date(input.computedAt).toISOString(),
      window: {
        current_from: currentFrom,
        current_to: asOf,
        baseline_from: baselineFrom,
        baseline_to: baselineTo,
      },
      total,
      channels: channelStats,
      campaigns: shown,
      alerts: anomalies.map((a) => ({
        kind: a.kind,
        channel: a.channel,
        campaign_id: a.campaignId,
        observed: a.observed,
        baseline: a.baseline,
        threshold: a.threshold,
      })),
      candidates,
    },
    anomalies,
    evaluated,
  };
}

type Found = Pick<Anomaly, "observed" | "baseline" | "threshold" | "message"> | null | "insufficient";

/**
 * One rule against one campaign. "insufficient" when its history cannot support a verdict (the
 * check did not run); null when it ran and found nothing.
 */
function detect(
  rule: AlertRule,
  stats: AdEntityStats,
  current: Map<string, CampaignDay>,
  baseline: Map<string, CampaignDay>,
  asOf: string,
): Found {
  if (baseline.size < MIN_BASELINE_DAYS) return "insufficient";
  const base = [...baseline.values()];
  switch (rule.kind) {
    case "spend_spike": {
      const history = base.map((d) => d.cost);
      const med = median(history);
      if (med < rule.minBaseline || med <= 0) return "insufficient";
      if (current.size < MIN_CURRENT_DAYS || stats.current.daily_cost === null) return null;
      const observed = stats.current.daily_cost;
      const fires = observed >= rule.threshold * med && robustZ(observed, history) >= SPIKE_MIN_Z;
      return fires
        ? {
            observed,
            baseline: r2(med),
            threshold: rule.threshold,
            message: `mean daily spend ${observed} over the last ${current.size} days is at least ${rule.threshold}× the median ${r2(med)} of the ${baseline.size} days before`,
          }
        : null;
    }
    case "roas_drop": {
      const b = stats.baseline;
      if (b.cost < rule.minBaseline || b.roas === null || b.roas <= 0) return "insufficient";
      const c = stats.current;
      // Too little spend now to judge a ROAS: the campaign was cut back, which is what the alert asks.
      if (current.size < MIN_CURRENT_DAYS || c.roas === null || c.cost < rule.minBaseline / 4) return null;
      return c.roas <= (1 - rule.threshold) * b.roas
        ? {
            observed: c.roas,
            baseline: b.roas,
            threshold: rule.threshold,
            message: `ROAS ${c.roas} over the last ${current.size} days is down at least ${Math.round(rule.threshold * 100)}% from ${b.roas} in the ${baseline.size} days before`,
          }
        : null;
    }
    case "conversions_stop": {
      const mean = base.reduce((s, d) => s + d.conversions, 0) / base.length;
      if (mean < rule.minBaseline) return "insufficient";
      let zeroDays = 0;
      for (let i = 0; i < CURRENT_DAYS; i++) {
        const d = current.get(addDays(asOf, -i));
        if (!d || d.cost <= 0 || d.conversions > 0) break;
        zeroDays++;
      }
      return zeroDays >= rule.threshold
        ? {
            observed: zeroDays,
            baseline: r2(mean),
            threshold: rule.threshold,
            message: `no conversion on the last ${zeroDays} days of spend, against ${r2(mean)} a day in the ${baseline.size} days before`,
          }
        : null;
    }
  }
}

/** Scale: a clearly better ROAS than the account with real spend and no alert. Cut: an alert on results, or spend that returns less than it costs. */
function pickCandidates(
  campaigns: AdEntityStats[],
  anomalies: Anomaly[],
  total: AdEntityStats,
): AdCandidate[] {
  const totalCost = total.current.cost;
  const totalRoas = total.current.roas;
  if (totalCost <= 0) return [];
  const alerted = new Map<string, AdAlertKind>();
  for (const a of anomalies) {
    if (a.kind !== "spend_spike") alerted.set(`${a.channel}|${a.campaignId}`, a.kind);
  }
  const key = (c: AdEntityStats) => `${c.channel}|${c.campaign_id}`;
  const meaningful = (c: AdEntityStats) =>
    c.current.days >= MIN_CURRENT_DAYS && c.current.cost >= 0.02 * totalCost;
  const cuts: AdCandidate[] = campaigns
    .filter((c) => alerted.has(key(c)) || (meaningful(c) && c.current.roas !== null && c.current.roas < 1))
    .sort((a, b) => b.current.cost - a.current.cost)
    .map((c) => ({
      action: "cut" as const,
      channel: c.channel,
      campaign_id: c.campaign_id ?? "",
      reason: alerted.get(key(c)) ?? "roas_below_1",
    }));
  const scales: AdCandidate[] =
    totalRoas === null
      ? []
      : campaigns
          .filter(
            (c) =>
              !alerted.has(key(c)) &&
              meaningful(c) &&
              c.current.roas !== null &&
              c.current.roas >= 1 &&
              c.current.roas >= 1.2 * totalRoas,
          )
          .sort((a, b) => (b.current.roas ?? 0) - (a.current.roas ?? 0))
          .slice(0, 3)
          .map((c) => ({
            action: "scale" as const,
            channel: c.channel,
            campaign_id: c.campaign_id ?? "",
            reason: "strong_roas",
          }));
  return [...cuts.slice(0, 5 - scales.length), ...scales].slice(0, 5);
}
