import { createRoute, z } from "@hono/zod-openapi";
import { finishWebExperiment } from "../../../services/web-experiments/finish-web-experiment";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { Analysis } from "../experiments/analysis/schemas";
import { toAnalysisView } from "../experiments/analysis/views";
import { emptyJsonIsEmptyObject } from "../experiments/schemas";
import { conflict, ReasonRequest, WebExperiment, WebKeyParams, WebResults } from "./schemas";
import { toWebExperimentView, toWebResultsView } from "./views";

export const FinishedWebExperiment = z
  .object({ experiment: WebExperiment, analysis: Analysis, results: WebResults })
  .openapi("FinishedWebExperiment");

const route = createRoute({
  method: "post",
  path: "/v1/web-experiments/{key}/finish",
  operationId: "finishWebExperiment",
  "x-pushbunny-access": "write",
  tags: ["web-experiments"],
  summary: "Stop the test and analyze it (active → finished)",
  description:
    "Exposures are refused from now on and the SDK stops assigning at its next refresh. Runs the engine's analysis on the final numbers and returns it with the results. The body may be empty or left out.",
  security: BEARER,
  middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    params: WebKeyParams,
    body: { required: true, content: { "application/json": { schema: ReasonRequest } } },
  },
  responses: {
    200: {
      description: "Finished, with the analysis and results",
      content: { "application/json": { schema: FinishedWebExperiment } },
    },
    ...commonErrors,
    ...notFound,
    ...conflict("Not active"),
  },
});

/** POST /v1/web-experiments/{key}/finish */
export function registerFinishWebExperiment(app: App) {
  app.openapi(route, async (c) => {
    const done = await finishWebExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { key: c.req.valid("param").key, reason: c.req.valid("json").reason ?? null },
    });
    return c.json(
      {
        experiment: toWebExperimentView(done.experiment),
        analysis: toAnalysisView(done.analysis),
        results: toWebResultsView(done.results),
      },
      200,
    );
  });
}
