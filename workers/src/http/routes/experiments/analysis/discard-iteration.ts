import { createRoute } from "@hono/zod-openapi";
import { discardIteration } from "../../../../services/analysis/discard-iteration";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { conflict } from "../schemas";
import { ProposalDecision, ProposalParams } from "./schemas";
import { toProposalView } from "./views";

const route = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/iterate/{proposal_id}/discard",
  operationId: "discardIteration",
  "x-pushbunny-access": "write",
  tags: ["analysis"],
  summary: "Discard a pending proposal",
  description: "Marks the proposal discarded; nothing changes (`experiment` is null).",
  security: BEARER,
  request: { params: ProposalParams },
  responses: {
    200: {
      description: "The proposal, discarded",
      content: { "application/json": { schema: ProposalDecision } },
    },
    ...commonErrors,
    ...notFound,
    ...conflict("The proposal is no longer pending"),
  },
});

/** POST /v1/experiments/{experiment_id}/iterate/{proposal_id}/discard */
export function registerDiscardIteration(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id, proposal_id } = c.req.valid("param");
    const proposal = await discardIteration({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { experimentId: experiment_id, proposalId: proposal_id },
    });
    return c.json({ proposal: toProposalView(proposal), experiment: null }, 200);
  });
}
