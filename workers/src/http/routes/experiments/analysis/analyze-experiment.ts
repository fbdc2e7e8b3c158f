import { createRoute } from "@hono/zod-openapi";
import { analyzeExperiment } from "../../../../services/analysis/analyze-experiment";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { ExperimentParams } from "../schemas";
import { analysisResponse } from "./schemas";
import { toAnalysisView } from "./views";

const route = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/analyze",
  operationId: "analyzeExperiment",
  "x-pushbunny-access": "write",
  tags: ["analysis"],
  summary: "Analyze an experiment now",
  description:
    "Builds the statistics snapshot from real traffic, has the LLM narrate it (validated: any number not in the snapshot, or a recommendation that contradicts the decision, is rejected and the template is used instead) and stores it.",
  security: BEARER,
  request: { params: ExperimentParams },
  responses: { 200: analysisResponse("The stored analysis"), ...commonErrors, ...notFound },
});

/** POST /v1/experiments/{experiment_id}/analyze */
export function registerAnalyzeExperiment(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const analysis = await analyzeExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { experimentId: experiment_id },
    });
    return c.json(toAnalysisView(analysis), 200);
  });
}
