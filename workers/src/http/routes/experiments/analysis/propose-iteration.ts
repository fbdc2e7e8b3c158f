import { createRoute } from "@hono/zod-openapi";
import { proposeIteration } from "../../../../services/analysis/propose-iteration";
import { BEARER, commonErrors, notFound, unavailable } from "../../../schemas";
import type { App } from "../../../types";
import { conflict, ExperimentParams } from "../schemas";
import { proposalResponse } from "./schemas";
import { toProposalView } from "./views";

const route = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/iterate",
  operationId: "proposeIteration",
  "x-pushbunny-access": "write",
  tags: ["analysis"],
  summary: "Propose the next experiment from the latest analysis",
  description:
    "The LLM writes new challengers in a direction chosen from the analysis (build on a winner, a new angle when nothing differs, more challengers while undecided); arms with almost no chance of being best are proposed for retirement. Nothing changes until the proposal is confirmed. A newer proposal supersedes a pending one.",
  security: BEARER,
  request: { params: ExperimentParams },
  responses: {
    201: proposalResponse("The proposal, pending"),
    ...commonErrors,
    ...notFound,
    ...conflict("The latest analysis raised a sample ratio mismatch"),
    ...unavailable,
  },
});

/** POST /v1/experiments/{experiment_id}/iterate */
export function registerProposeIteration(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const proposal = await proposeIteration({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { experimentId: experiment_id },
    });
    return c.json(toProposalView(proposal), 201);
  });
}
