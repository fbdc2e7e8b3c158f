import type { AlertRule } from "../../../services/ads/insights/rules";
import type { AdAlert, AdInsight } from "../../../services/ads/insights/types";
import type { AlertRuleViewJson, AlertViewJson, InsightViewJson } from "./insight-schemas";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function alertJson(a: AdAlert): AlertViewJson {
  return {
    alert_id: a.id,
    kind: a.kind,
    channel: a.channel,
    campaign_id: a.campaignId,
    campaign_name: a.campaignName,
    day: a.day,
    state: a.state,
    observed: a.observed,
    baseline: a.baseline,
    threshold: a.threshold,
    message: a.message,
    run_id: a.runId,
    first_seen_at: new Date(a.firstSeenAt).toISOString(),
    last_seen_at: new Date(a.lastSeenAt).toISOString(),
    acknowledged_at: iso(a.acknowledgedAt),
    resolved_at: iso(a.resolvedAt),
    resolved_by: a.resolvedBy,
  };
}

export function ruleJson(r: AlertRule): AlertRuleViewJson {
  return {
    kind: r.kind,
    enabled: r.enabled,
    threshold: r.threshold,
    min_baseline: r.minBaseline,
    customized: r.customized,
  };
}

export function insightJson(i: AdInsight): InsightViewJson {
  const s = i.snapshot;
  return {
    insight_id: i.id,
    run_id: i.runId,
    as_of: i.asOf,
    provider: i.provider,
    fallback_reason: i.fallbackReason,
    created_at: new Date(i.createdAt).toISOString(),
    summary: i.report.summary,
    insights: i.report.insights,
    recommendations: i.report.recommendations.map((r) => ({
      ...r,
      campaign_name:
        s.campaigns.find((c) => c.channel === r.channel && c.campaign_id === r.campaign_id)?.campaign_name ??
        null,
    })),
    numbers: {
      window: s.window,
      total: s.total,
      channels: s.channels,
      campaigns: s.campaigns,
      alerts: s.alerts,
      candidates: s.candidates,
    },
  };
}
