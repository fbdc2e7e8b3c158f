import { newId } from "@pushbunny/core";
import type { AdAlertKind, AdAlertRow, AdAlertState, AdChannel, AdInsightRow } from "@pushbunny/db";
import type { AdInsightReport, AdInsightSnapshot } from "@pushbunny/llm";

/** One anomaly of one campaign and where it stands. */
export interface AdAlert {
  id: string;
  kind: AdAlertKind;
  channel: AdChannel;
  campaignId: string;
  campaignName: string;
  day: string;
  state: AdAlertState;
  observed: number;
  baseline: number;
  threshold: number;
  message: string;
  runId: string;
  firstSeenAt: number;
  lastSeenAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  resolvedBy: "auto" | "user" | null;
}

export const toAlert = (r: AdAlertRow): AdAlert => ({
  id: r.id,
  kind: r.kind,
  channel: r.channel,
  campaignId: r.campaignId,
  campaignName: r.campaignName,
  day: r.day,
  state: r.state,
  observed: r.observed,
  baseline: r.baseline,
  threshold: r.threshold,
  message: r.message,
  runId: r.runId,
  firstSeenAt: r.firstSeenAt,
  lastSeenAt: r.lastSeenAt,
  acknowledgedAt: r.acknowledgedAt,
  resolvedAt: r.resolvedAt,
  resolvedBy: r.resolvedBy,
});

/** The narrated numbers of one sync run. */
export interface AdInsight {
  id: string;
  runId: string;
  asOf: string;
  snapshot: AdInsightSnapshot;
  report: AdInsightReport;
  provider: "offline" | "gemini";
  fallbackReason: string | null;
  createdAt: number;
}

export const toInsight = (r: AdInsightRow): AdInsight => ({
  id: r.id,
  runId: r.runId,
  asOf: r.asOf,
  snapshot: r.snapshot as AdInsightSnapshot,
  report: r.report as AdInsightReport,
  provider: r.provider,
  fallbackReason: r.fallbackReason,
  createdAt: r.createdAt,
});

/** Prefixed ids for alerts (alr_) and insights (ain_), as core mints every other id. */
export const insightId = (prefix: "alr" | "ain"): string => newId(prefix);
