import { z } from "@hono/zod-openapi";
import { Experiment, ExperimentParams } from "../schemas";

/** Shared by the analysis routes: analyses, simulations and iteration proposals, snake_case. */

const ChartSpec = z
  .object({
    type: z.enum(["bar", "line", "pie"]),
    data: z.object({
      labels: z.array(z.string()),
      datasets: z.array(z.object({ label: z.string(), data: z.array(z.number()) })),
    }),
    options: z.object({
      responsive: z.literal(true),
      plugins: z.object({ title: z.object({ display: z.literal(true), text: z.string() }) }),
    }),
  })
  .openapi("ChartSpec", { description: "A Chart.js configuration: `new Chart(canvas, spec)`" });

export const Analysis = z
  .object({
    analysis_id: z.string().openapi({ example: "ana_0a1b2c3d4e5f60718293" }),
    experiment_id: z.string(),
    source: z.enum(["scheduled", "manual", "simulation"]),
    provider: z.string().openapi({ description: "Who wrote the narrative: offline (template) or gemini" }),
    fallback_reason: z
      .string()
      .nullable()
      .openapi({ description: "Why the LLM's answer was rejected and the template used instead" }),
    created_at: z.string(),
    decision: z.string().openapi({ example: "underpowered" }),
    summary: z.string(),
    insights: z.array(z.string()),
    winner_recommendation: z.object({
      action: z.enum(["promote", "keep_testing", "stop", "investigate_srm"]),
      variant_id: z.string().nullable(),
      rationale: z.string(),
    }),
    plots: z.array(ChartSpec),
    flags: z
      .array(z.enum(["collecting", "underpowered", "srm_alarm", "no_significant_difference"]))
      .openapi({ description: "Stated by code from the statistics, whatever the narrative says" }),
    snapshot: z
      .record(z.string(), z.unknown())
      .openapi({ description: "Every number the narrative may use, computed by the experiment engine" }),
  })
  .openapi("Analysis");

export const analysisResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: Analysis } },
});

export const Simulation = z
  .object({
    simulation: z.object({
      users: z.number(),
      days: z.number(),
      seed: z.string(),
      impressions: z.number(),
      events: z.object({ opened: z.number(), conversion: z.number(), rejected: z.number() }),
      arms: z.array(
        z.object({
          variant_id: z.string(),
          label: z.string(),
          weight: z.number(),
          true_open_rate: z.number(),
          true_conversion_rate: z.number(),
          users: z.number(),
        }),
      ),
    }),
    analysis: Analysis,
  })
  .openapi("Simulation");

export const Proposal = z
  .object({
    proposal_id: z.string().openapi({ example: "prp_0a1b2c3d4e5f60718293" }),
    experiment_id: z.string(),
    analysis_id: z.string(),
    status: z.enum(["pending", "applied", "discarded", "superseded"]),
    provider: z.string(),
    created_at: z.string(),
    decided_at: z.string().nullable(),
    angle: z.enum(["build_on_winner", "new_angle", "more_challengers"]),
    rationale: z.string(),
    challengers: z.array(z.string()),
    retire: z.array(z.object({ variant_id: z.string(), label: z.string(), p_best: z.number() })),
  })
  .openapi("IterationProposal");

export const proposalResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: Proposal } },
});

/** What confirming or discarding answers: the proposal, and the experiment when it was applied. */
export const ProposalDecision = z
  .object({ proposal: Proposal, experiment: Experiment.nullable() })
  .openapi("IterationDecision");

export const ProposalParams = ExperimentParams.extend({
  proposal_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "proposal_id", in: "path" }, example: "prp_0a1b2c3d4e5f60718293" }),
});
