import { createRoute, z } from "@hono/zod-openapi";
import { MAX_VARIANT_LENGTH } from "@pushbunny/llm";
import { addManualVariant } from "../../../services/experiments/add-variant";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, copyChecks, notFound } from "../../schemas";
import type { App } from "../../types";
import { conflict, ExperimentParams, Reason, Variant } from "./schemas";
import { toVariantView } from "./views";

export const AddVariantRequest = z
  .strictObject({
    text: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .refine((t) => [...t].length <= MAX_VARIANT_LENGTH, `at most ${MAX_VARIANT_LENGTH} characters`)
      .check(copyChecks)
      .openapi({
        description: "May use `{{placeholders}}` from the message context",
        example: "Still thinking it over, {{first_name}}? Your cart is saved",
      }),
    reason: Reason.optional(),
  })
  .openapi("AddVariantRequest");

const route = createRoute({
  method: "post",
  path: "/v1/experiments/{experiment_id}/variants",
  operationId: "addVariant",
  "x-pushbunny-access": "write",
  tags: ["experiments"],
  summary: "Add a hand-written variant to the rotation",
  description:
    "It serves from the next message on. Text that reads the same as an existing variant (retired ones included) is a 409.",
  security: BEARER,
  middleware: [limitBody(16 * 1024)] as const,
  request: {
    params: ExperimentParams,
    body: { required: true, content: { "application/json": { schema: AddVariantRequest } } },
  },
  responses: {
    201: { description: "The new variant", content: { "application/json": { schema: Variant } } },
    ...commonErrors,
    ...notFound,
    ...conflict("Duplicate text, or the experiment is full"),
  },
});

/** POST /v1/experiments/{experiment_id}/variants */
export function registerAddVariant(app: App) {
  app.openapi(route, async (c) => {
    const { experiment_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const variant = await addManualVariant({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { experimentId: experiment_id, text: body.text, reason: body.reason },
    });
    return c.json(toVariantView(variant), 201);
  });
}
