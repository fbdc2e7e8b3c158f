import type { z } from "@hono/zod-openapi";
import type { WebExperimentRow } from "@pushbunny/db";
import type { WebEvent } from "../../../services/web-experiments/export-web-events";
import type { WebResults as WebResultsData } from "../../../services/web-experiments/get-web-results";
import type { WebStatus as WebStatusData } from "../../../services/web-experiments/get-web-status";
import { previewLinks } from "../../../services/web-experiments/lib/definition";
import type { WebEventsPage, WebExperiment, WebResults, WebStatus } from "./schemas";

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function toWebExperimentView(r: WebExperimentRow): z.infer<typeof WebExperiment> {
  return {
    key: r.key,
    experiment_id: r.experimentId,
    status: r.status,
    status_reason: r.statusReason,
    hypothesis: r.hypothesis,
    target_type: r.targetType,
    target: r.target,
    segments: r.segments.map((s) => ({
      key: s.key,
      name: s.name,
      traffic_percent: s.trafficPercent,
      description: s.description,
      variant_id: s.variantId,
    })),
    primary_metric: r.primaryMetric,
    secondary_metrics: r.secondaryMetrics,
    preview_url: r.previewUrl,
    preview_links: previewLinks(r.previewUrl, r.segments).map((l) => ({ segment: l.segment, url: l.url })),
    repository: r.repository,
    base_branch: r.baseBranch,
    branch: r.branch,
    pull_number: r.pullNumber,
    pull_url: r.pullUrl,
    activated_at: isoOrNull(r.activatedAt),
    finished_at: isoOrNull(r.finishedAt),
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

export function toWebStatusView({ experiment: e, run }: WebStatusData): z.infer<typeof WebStatus> {
  return {
    status: e.status,
    phase: run?.phase ?? e.status,
    reason: e.statusReason,
    log: (run?.log ?? []).map((l) => ({ at: iso(l.at), phase: l.phase, message: l.message })),
    run: run && {
      id: run.id,
      status: run.status,
      phase: run.phase,
      usage: run.usage && {
        tool_calls: run.usage.toolCalls,
        files_read: run.usage.filesRead,
        bytes_written: run.usage.bytesWritten,
        tokens: run.usage.tokens,
        wall_ms: run.usage.wallMs,
      },
      error: run.error,
      started_at: isoOrNull(run.startedAt),
      finished_at: isoOrNull(run.finishedAt),
      branch: run.branch,
      pull_url: run.pullUrl,
      files: run.files ?? [],
      has_diff: run.diff !== null && run.diff !== "",
    },
  };
}

export function toWebResultsView(r: WebResultsData): z.infer<typeof WebResults> {
  return {
    key: r.key,
    experiment_id: r.experimentId,
    status: r.status,
    primary_metric: r.primaryMetric,
    secondary_metrics: r.secondaryMetrics,
    segments: r.segments.map((s) => ({
      key: s.key,
      name: s.name,
      variant_id: s.variantId,
      traffic_percent: s.trafficPercent,
      exposures: s.exposures,
      exposure_share: s.exposureShare,
      primary: {
        metric: r.primaryMetric,
        conversions: s.primary.conversions,
        rate: s.primary.rate,
        ci95: s.primary.ci95,
        p_best: s.primary.pBest,
        chance_to_beat_control: s.primary.chanceToBeatControl,
      },
      secondary: s.secondary,
    })),
    srm: r.srm && { chi2: r.srm.chi2, df: r.srm.df, p_value: r.srm.pValue, alarm: r.srm.alarm },
    decision: { status: r.decision.status, variant_id: r.decision.variantId, reason: r.decision.reason },
  };
}

export function toWebEventsView(page: {
  events: WebEvent[];
  nextCursor: string | null;
}): z.infer<typeof WebEventsPage> {
  return {
    events: page.events.map((e) => ({
      type: e.type,
      segment: e.segment,
      metric: e.metric,
      anonymous_id: e.anonymousId,
      at: iso(e.at),
      properties: e.properties,
    })),
    next_cursor: page.nextCursor,
  };
}
