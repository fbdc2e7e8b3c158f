import type { z } from "@hono/zod-openapi";
import type { AnalysisSnapshot } from "@pushbunny/llm";
import type { Analysis } from "../../../../services/analysis/analyses";
import type { Proposal } from "../../../../services/analysis/proposals";
import type { SimulationResult } from "../../../../services/analysis/simulate-experiment";
import type {
  Analysis as AnalysisSchema,
  Proposal as ProposalSchema,
  Simulation as SimulationSchema,
} from "./schemas";

const iso = (ms: number) => new Date(ms).toISOString();

/** The schema leaves the snapshot open; its shape is `@pushbunny/llm`'s AnalysisSnapshot. */
export type AnalysisView = Omit<z.infer<typeof AnalysisSchema>, "snapshot"> & { snapshot: AnalysisSnapshot };
export type ProposalView = z.infer<typeof ProposalSchema>;
export type SimulationView = Omit<z.infer<typeof SimulationSchema>, "analysis"> & { analysis: AnalysisView };

/** The wire shape of an analysis: the report's fields beside the snapshot it narrates. */
export function toAnalysisView(a: Analysis): AnalysisView {
  return {
    analysis_id: a.id,
    experiment_id: a.experimentId,
    source: a.source,
    provider: a.provider,
    fallback_reason: a.fallbackReason,
    created_at: iso(a.createdAt),
    decision: a.decision,
    summary: a.report.summary,
    insights: a.report.insights,
    winner_recommendation: a.report.winner_recommendation,
    plots: a.report.plots,
    flags: a.report.flags,
    snapshot: a.snapshot,
  };
}

/** The wire shape of an iteration proposal. */
export function toProposalView(p: Proposal): ProposalView {
  return {
    proposal_id: p.id,
    experiment_id: p.experimentId,
    analysis_id: p.analysisId,
    status: p.status,
    provider: p.provider,
    created_at: iso(p.createdAt),
    decided_at: p.decidedAt === null ? null : iso(p.decidedAt),
    angle: p.angle,
    rationale: p.rationale,
    challengers: p.challengers,
    retire: p.retire.map((r) => ({ variant_id: r.variantId, label: r.label, p_best: r.pBest })),
  };
}

/** The wire shape of a simulation and its analysis. */
export function toSimulationView({ simulation: s, analysis }: SimulationResult): SimulationView {
  return {
    simulation: {
      users: s.users,
      days: s.days,
      seed: s.seed,
      impressions: s.impressions,
      events: s.events,
      arms: s.arms.map((a) => ({
        variant_id: a.variantId,
        label: a.label,
        weight: a.weight,
        true_open_rate: a.trueOpenRate,
        true_conversion_rate: a.trueConversionRate,
        users: a.users,
      })),
    },
    analysis: toAnalysisView(analysis),
  };
}
