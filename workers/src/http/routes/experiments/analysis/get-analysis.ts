import { createRoute, z } from "@hono/zod-openapi";
import { getLatestAnalysis } from "../../../../services/analysis/get-analysis";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { ExperimentParams } from "../schemas";
import { analysisResponse } from "./schemas";
import { toAnalysisView } from "./views";

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

const route = createRoute({
  method: "get",
  path: "/v1/experiments/{experiment_id}/analysis",
  operationId: "getExperimentAnalysis",
  "x-pushbunny-access": "read",
  tags: ["analysis"],
  summary: "The latest analysis with its snapshot",
  security: BEARER,
  request: { params: ExperimentParams, query: AnalysisQuery },
  responses: { 200: analysisResponse("The latest analysis"), ...commonErrors, ...notFound },
});

/** GET /v1/experiments/{experiment_id}/analysis */
export function registerGetAnalysis(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const { simulated } = c.req.valid("query");
    const analysis = await getLatestAnalysis({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { experimentId: experiment_id, simulated },
    });
    return c.json(toAnalysisView(analysis), 200);
  });
}
