import { DAY_MS } from "@pushbunny/core";
import {
  AD_CHANNELS,
  type AdChannel,
  applyAlertChanges,
  campaignDaysForInsights,
  insertAdInsight,
  listAlertRules,
  listUnresolvedAlerts,
} from "@pushbunny/db";
import { templateAdInsight } from "@pushbunny/llm";
import type { AppContext } from "../../context";
import { tryQuota } from "../../ratelimit/quotas";
import { alertKey, BASELINE_DAYS, CURRENT_DAYS, computeInsights } from "./insights/compute";
import { effectiveRules } from "./insights/rules";
import { type AdInsight, insightId, toInsight } from "./insights/types";
import { adInsightWriter } from "./insights/writer";

/**
 * After a sync: computes the numbers as of the run's last day over every channel's stored rows,
 * opens, refreshes and resolves alerts of the channels the run synced, and stores the narrated
 * insight. A model writes the narrative
 * when one is configured and the project's analysis quota allows; the template otherwise.
 */
export async function refreshAdInsights({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { runId: string; asOf: string; channels: AdChannel[] };
}): Promise<AdInsight> {
  const startedAt = ctx.now();
  const fromDay = new Date(
    Date.parse(`${input.asOf}T00:00:00Z`) - (CURRENT_DAYS + BASELINE_DAYS - 1) * DAY_MS,
  )
    .toISOString()
    .slice(0, 10);
  const [ruleRows, rows, unresolved] = await Promise.all([
    listAlertRules(ctx.db, projectId),
    campaignDaysForInsights(ctx.db, { projectId, channels: [...AD_CHANNELS], fromDay, toDay: input.asOf }),
    listUnresolvedAlerts(ctx.db, projectId),
  ]);
  const { snapshot, anomalies, evaluated } = computeInsights({
    asOf: input.asOf,
    rows,
    rules: effectiveRules(ruleRows),
    computedAt: startedAt,
  });

  // An unresolved alert of an earlier day absorbs today's observation: one alert per episode.
  const open = new Map(unresolved.map((a) => [alertKey(a.kind, a.channel, a.campaignId), a]));
  const firing = new Set(anomalies.map((a) => alertKey(a.kind, a.channel, a.campaignId)));
  const observation = (a: (typeof anomalies)[number]) => ({
    kind: a.kind,
    channel: a.channel as AdChannel,
    campaignId: a.campaignId,
    campaignName: a.campaignName,
    observed: a.observed,
    baseline: a.baseline,
    threshold: a.threshold,
    message: a.message,
  });
  const fire = [];
  const refresh = [];
  // Alerts change only on channels this run refreshed: a failed channel's numbers are stale.
  for (const a of anomalies.filter((x) => input.channels.includes(x.channel as AdChannel))) {
    const existing = open.get(alertKey(a.kind, a.channel, a.campaignId));
    if (existing && existing.day !== input.asOf)
      refresh.push({ id: existing.id, observation: observation(a) });
    else fire.push(observation(a));
  }
  const clear = unresolved
    .filter((a) => {
      const key = alertKey(a.kind, a.channel, a.campaignId);
      return input.channels.includes(a.channel) && evaluated.has(key) && !firing.has(key);
    })
    .map((a) => a.id);
  await applyAlertChanges(ctx.db, {
    projectId,
    day: input.asOf,
    runId: input.runId,
    now: startedAt,
    newId: () => insightId("alr"),
    fire,
    refresh,
    clear,
  });

  const writer = adInsightWriter(ctx);
  let result: Awaited<ReturnType<typeof writer.write>>;
  if (writer.name === "offline") {
    result = await writer.write(snapshot);
  } else {
    // Only a model costs money, so only a model spends the quota analyses share.
    const quota = await tryQuota(ctx, projectId, "analysis");
    result = quota.allowed
      ? await writer.write(snapshot)
      : { report: templateAdInsight(snapshot), provider: "offline", fallbackReason: quota.message };
  }
  if (result.fallbackReason) {
    ctx.logger.warn("ad insight fell back to the template", { projectId, reason: result.fallbackReason });
  }
  const row = {
    id: insightId("ain"),
    projectId,
    runId: input.runId,
    asOf: input.asOf,
    snapshot,
    report: result.report,
    provider: result.provider,
    fallbackReason: result.fallbackReason,
    createdAt: startedAt,
  };
  await insertAdInsight(ctx.db, row);
  return toInsight(row);
}
