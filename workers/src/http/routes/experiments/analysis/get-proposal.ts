import { createRoute } from "@hono/zod-openapi";
import { getProposal } from "../../../../services/analysis/get-proposal";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { ProposalParams, proposalResponse } from "./schemas";
import { toProposalView } from "./views";

const route = createRoute({
  method: "get",
  path: "/v1/experiments/{experiment_id}/iterate/{proposal_id}",
  operationId: "getIterationProposal",
  "x-pushbunny-access": "read",
  tags: ["analysis"],
  summary: "A proposal and its status",
  security: BEARER,
  request: { params: ProposalParams },
  responses: { 200: proposalResponse("The proposal"), ...commonErrors, ...notFound },
});

/** GET /v1/experiments/{experiment_id}/iterate/{proposal_id} */
export function registerGetProposal(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id, proposal_id } = c.req.valid("param");
    const proposal = await getProposal({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { experimentId: experiment_id, proposalId: proposal_id },
    });
    return c.json(toProposalView(proposal), 200);
  });
}
