import { createRoute, z } from "@hono/zod-openapi";
import { declareWinner } from "../../../services/experiments/declare-winner";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { conflict, ExperimentParams, experimentResponse, Reason } from "./schemas";
import { toExperimentView } from "./views";

export const DeclareWinnerRequest = z
  .strictObject({
    variant_id: z.string().trim().min(1, "is required").max(128).openapi({ example: "var_3f9a1c2b7d4e" }),
    reason: Reason.optional(),
  })
  .openapi("DeclareWinnerRequest");

const route = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/winner",
  operationId: "declareWinner",
  "x-pushbunny-access": "write",
  tags: ["experiments"],
  summary: "Declare a winner: it serves everyone but the holdout",
  description: "Until the winner is cleared (DELETE) or retired. A retired variant cannot win.",
  security: BEARER,
  middleware: [limitBody(16 * 1024)] as const,
  request: {
    params: ExperimentParams,
    body: { required: true, content: { "application/json": { schema: DeclareWinnerRequest } } },
  },
  responses: {
    200: experimentResponse("The experiment with its winner"),
    ...commonErrors,
    ...notFound,
    ...conflict("The variant is retired"),
  },
});

/** POST /v1/experiments/{experiment_id}/winner */
export function registerDeclareWinner(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const experiment = await declareWinner({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { experimentId: experiment_id, variantId: body.variant_id, reason: body.reason },
    });
    return c.json(toExperimentView(experiment), 200);
  });
}
