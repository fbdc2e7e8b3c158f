import { createRoute } from "@hono/zod-openapi";
import { retireVariant } from "../../../services/experiments/retire-variant";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { conflict, emptyJsonIsEmptyObject, experimentResponse, ReasonBody, VariantParams } from "./schemas";
import { toExperimentView } from "./views";

const route = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/variants/{variant_id}/retire",
  operationId: "retireVariant",
  "x-pushbunny-access": "write",
  tags: ["experiments"],
  summary: "Take a variant out of rotation for good",
  description:
    "It stops serving from the next message on; its counts stay in the statistics. Retiring a declared winner clears the winner. The body may be empty or left out.",
  security: BEARER,
  middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    params: VariantParams,
    body: { required: true, content: { "application/json": { schema: ReasonBody } } },
  },
  responses: {
    200: experimentResponse("The experiment after the change"),
    ...commonErrors,
    ...notFound,
    ...conflict("The control cannot be retired, or the variant already is"),
  },
});

/** POST /v1/experiments/{experiment_id}/variants/{variant_id}/retire */
export function registerRetireVariant(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id, variant_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const experiment = await retireVariant({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { experimentId: experiment_id, variantId: variant_id, reason: body.reason },
    });
    return c.json(toExperimentView(experiment), 200);
  });
}
