import { createRoute } from "@hono/zod-openapi";
import { confirmIteration } from "../../../../services/analysis/confirm-iteration";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { conflict } from "../schemas";
import { toExperimentView } from "../views";
import { ProposalDecision, ProposalParams } from "./schemas";
import { toProposalView } from "./views";

const route = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/iterate/{proposal_id}/confirm",
  operationId: "confirmIteration",
  "x-pushbunny-access": "write",
  tags: ["analysis"],
  summary: "Apply a pending proposal",
  description:
    "Adds the proposed challengers and retires the proposed arms in one change recorded in the history, then republishes the pool. A proposal is applied at most once.",
  security: BEARER,
  request: { params: ProposalParams },
  responses: {
    200: {
      description: "The proposal, applied, and the experiment after the change",
      content: { "application/json": { schema: ProposalDecision } },
    },
    ...commonErrors,
    ...notFound,
    ...conflict("The proposal is no longer pending"),
  },
});

/** POST /v1/experiments/{experiment_id}/iterate/{proposal_id}/confirm */
export function registerConfirmIteration(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id, proposal_id } = c.req.valid("param");
    const { proposal, experiment } = await confirmIteration({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { experimentId: experiment_id, proposalId: proposal_id },
    });
    return c.json({ proposal: toProposalView(proposal), experiment: toExperimentView(experiment) }, 200);
  });
}
