import type { z } from "@hono/zod-openapi";
import type { HistoryRow, VariantRow } from "@pushbunny/db";
import type { ExperimentDetail, ExperimentSummary } from "../../../services/experiments/summaries";
import type { Experiment, HistoryEntry, ExperimentSummary as SummarySchema, Variant } from "./schemas";

const iso = (ms: number) => new Date(ms).toISOString();

/** The wire shape of an experiment in a list. */
export function toSummaryView({
  experiment: e,
  totals,
  arms,
}: ExperimentSummary): z.infer<typeof SummarySchema> {
  return {
    experiment_id: e.id,
    intent_id: e.intentId,
    locale: e.locale,
    status: e.status,
    strategy: e.strategy,
    goal_metric: e.goalMetric,
    holdout_share: e.holdoutShare,
    min_sample: e.minSample,
    traffic_floor: e.trafficFloor,
    retire_below: e.retireBelow,
    on_winner: e.onWinner,
    challenger_count: e.challengerCount,
    winner_variant_id: e.winnerVariantId,
    generation_status: e.generationStatus,
    generation_error: e.generationError,
    decision: e.decision
      ? { status: e.decision.status, variant_id: e.decision.variantId, reason: e.decision.reason }
      : null,
    variants_active: arms.active,
    variants_total: arms.total,
    impressions: totals.impressions,
    opens: totals.opens,
    conversions: totals.conversions,
    created_at: iso(e.createdAt),
    updated_at: iso(e.updatedAt),
    analyzed_at: e.analyzedAt === null ? null : iso(e.analyzedAt),
  };
}

/** The wire shape of a variant. */
export function toVariantView(v: VariantRow): z.infer<typeof Variant> {
  return { variant_id: v.id, text: v.text, source: v.source, status: v.status, created_at: iso(v.createdAt) };
}

/** The wire shape of a history entry. */
export function toHistoryView(h: HistoryRow): z.infer<typeof HistoryEntry> {
  return { at: iso(h.at), actor: h.actor, action: h.action, reason: h.reason, detail: h.detail };
}

/** The wire shape of one experiment in full. */
export function toExperimentView(d: ExperimentDetail): z.infer<typeof Experiment> {
  return {
    ...toSummaryView(d),
    base_example: d.experiment.baseExample,
    variants: d.variants.map(toVariantView),
    history: d.history.map(toHistoryView),
  };
}
