import { createRoute, z } from "@hono/zod-openapi";
import { analyzeExperimentNow, getLatestAnalysis } from "../../../services/experiment-report";
import { decideIteration, getProposal, proposeIteration } from "../../../services/iterate";
import { SIMULATION_LIMITS, simulateExperiment } from "../../../services/simulate";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound, unavailable } from "../../schemas";
import type { App } from "../../types";
import { conflict, Experiment, ExperimentParams, emptyJsonIsEmptyObject } from "./schemas";

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

const Analysis = z
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

const analysisResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: Analysis } },
});

const analyzeRoute = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/analyze",
  operationId: "analyzeExperiment",
  tags: ["analysis"],
  summary: "Analyse an experiment now",
  description:
    "Builds the statistics snapshot from real traffic, has the LLM narrate it (validated: any number not in the snapshot, or a recommendation that contradicts the decision, is rejected and the template is used instead) and stores it.",
  security: BEARER,
  request: { params: ExperimentParams },
  responses: { 200: analysisResponse("The stored analysis"), ...commonErrors, ...notFound },
});

const AnalysisQuery = z.object({
  simulated: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => v === "true" || v === "1")
    .openapi({
      type: "string",
      enum: ["true", "false"],
      description: "The latest simulation's analysis instead",
    }),
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/experiments/{experiment_id}/analysis",
  operationId: "getExperimentAnalysis",
  tags: ["analysis"],
  summary: "The latest analysis with its snapshot",
  security: BEARER,
  request: { params: ExperimentParams, query: AnalysisQuery },
  responses: { 200: analysisResponse("The latest analysis"), ...commonErrors, ...notFound },
});

const Rates = z
  .record(z.string().min(1).max(128), z.number().min(0).max(1))
  .refine((r) => Object.keys(r).length <= 30, "at most 30 arms")
  .default({});

const SimulateBody = z
  .strictObject({
    users: z.int().min(SIMULATION_LIMITS.minUsers).max(SIMULATION_LIMITS.maxUsers).default(2_000),
    days: z.int().min(1).max(SIMULATION_LIMITS.maxDays).default(7),
    seed: z.string().trim().min(1).max(64).default("pushbunny"),
    open_rates: Rates.openapi({
      description: "True open rate per arm (variant id or label: Control, B, C …); 0.05 when absent",
      example: { Control: 0.05, B: 0.08 },
    }),
    conversion_rates: Rates.openapi({
      description: "True conversion rate per impression per arm (≤ its open rate); 0 when absent",
      example: { Control: 0.01, B: 0.02 },
    }),
    weights: z
      .record(z.string().min(1).max(128), z.number().min(0).max(1_000_000))
      .default({})
      .openapi({
        description: "Assignment weights per arm; equal when absent",
        example: { Control: 1, B: 1 },
      }),
  })
  .openapi("SimulateRequest");

const Simulation = z
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

const simulateRoute = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/simulate",
  operationId: "simulateExperiment",
  tags: ["analysis"],
  summary: "Inject synthetic traffic and analyse it",
  description:
    "N users assigned by a stable weighted hash, impressions spread over the past `days`, opens and conversions drawn from the true rates; every event is signed like a real one and goes through ingest verification and the consumer's writer. Simulated rows are marked (`sim_` impression ids) and excluded from real statistics unless `include_simulated=true`; a new simulation replaces the previous one. The body is optional.",
  security: BEARER,
  middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    params: ExperimentParams,
    body: { required: false, content: { "application/json": { schema: SimulateBody } } },
  },
  responses: {
    200: {
      description: "What was injected and its analysis",
      content: { "application/json": { schema: Simulation } },
    },
    ...commonErrors,
    ...notFound,
    ...conflict("The experiment has no arm to simulate"),
  },
});

const ProposalSchema = z
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

const iterateRoute = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/iterate",
  operationId: "proposeIteration",
  tags: ["analysis"],
  summary: "Propose the next experiment from the latest analysis",
  description:
    "The LLM writes new challengers in a direction chosen from the analysis (build on a winner, a new angle when nothing differs, more challengers while undecided); arms with almost no chance of being best are proposed for retirement. Nothing changes until the proposal is confirmed. A newer proposal supersedes a pending one.",
  security: BEARER,
  request: { params: ExperimentParams },
  responses: {
    201: {
      description: "The proposal, pending",
      content: { "application/json": { schema: ProposalSchema } },
    },
    ...commonErrors,
    ...notFound,
    ...conflict("The latest analysis raised a sample ratio mismatch"),
    ...unavailable,
  },
});

const ProposalParams = ExperimentParams.extend({
  proposal_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "proposal_id", in: "path" }, example: "prp_0a1b2c3d4e5f60718293" }),
});

const getProposalRoute = createRoute({
  method: "get",
  path: "/v1/experiments/{experiment_id}/iterate/{proposal_id}",
  operationId: "getIterationProposal",
  tags: ["analysis"],
  summary: "A proposal and its status",
  security: BEARER,
  request: { params: ProposalParams },
  responses: {
    200: { description: "The proposal", content: { "application/json": { schema: ProposalSchema } } },
    ...commonErrors,
    ...notFound,
  },
});

const decideRoute = (decision: "confirm" | "discard") =>
  createRoute({
    method: "post",
    path: `/v1/experiments/{experiment_id}/iterate/{proposal_id}/${decision}`,
    operationId: decision === "confirm" ? "confirmIteration" : "discardIteration",
    tags: ["analysis"],
    summary: decision === "confirm" ? "Apply a pending proposal" : "Discard a pending proposal",
    description:
      decision === "confirm"
        ? "Adds the proposed challengers and retires the proposed arms in one change recorded in the history, then republishes the pool. A proposal is applied at most once."
        : "Marks the proposal discarded; nothing changes.",
    security: BEARER,
    request: { params: ProposalParams },
    responses: {
      200: {
        description: "The proposal after the decision, and the experiment when it was applied",
        content: {
          "application/json": {
            schema: z.object({ proposal: ProposalSchema, experiment: Experiment.nullable() }),
          },
        },
      },
      ...commonErrors,
      ...notFound,
      ...conflict("The proposal is no longer pending"),
    },
  });

/** POST analyze, GET analysis, POST simulate, POST iterate (+ get, confirm, discard). */
export function registerAnalysisRoutes(app: App) {
  app.openapi(analyzeRoute, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const analysis = await analyzeExperimentNow({
      ctx: c.get("ctx"),
      input: { projectId: c.get("owner").projectId, experimentId: experiment_id, source: "manual" },
    });
    return c.json(analysis, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const { simulated } = c.req.valid("query");
    const analysis = await getLatestAnalysis({
      ctx: c.get("ctx"),
      input: { projectId: c.get("owner").projectId, experimentId: experiment_id, simulated },
    });
    return c.json(analysis, 200);
  });

  app.openapi(simulateRoute, async (c) => {
    const { experiment_id } = c.req.valid("param");
    // An optional body arrives as a bare {} when none was sent: parse again for the defaults.
    const body = SimulateBody.parse(c.req.valid("json") ?? {});
    const result = await simulateExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        experimentId: experiment_id,
        users: body.users,
        days: body.days,
        seed: body.seed,
        openRates: body.open_rates,
        conversionRates: body.conversion_rates,
        weights: body.weights,
      },
    });
    return c.json(result, 200);
  });

  app.openapi(iterateRoute, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const proposal = await proposeIteration({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { experimentId: experiment_id },
    });
    return c.json(proposal, 201);
  });

  app.openapi(getProposalRoute, async (c) => {
    const { experiment_id, proposal_id } = c.req.valid("param");
    const proposal = await getProposal({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { experimentId: experiment_id, proposalId: proposal_id },
    });
    return c.json(proposal, 200);
  });

  for (const decision of ["confirm", "discard"] as const) {
    app.openapi(decideRoute(decision), async (c) => {
      const { experiment_id, proposal_id } = c.req.valid("param");
      const result = await decideIteration({
        ctx: c.get("ctx"),
        projectId: c.get("owner").projectId,
        actor: c.get("actor"),
        input: { experimentId: experiment_id, proposalId: proposal_id, decision },
      });
      return c.json(result, 200);
    });
  }
}
