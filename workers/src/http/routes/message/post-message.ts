import { createRoute, z } from "@hono/zod-openapi";
import { getMessage } from "../../../services/message/get-message";
import { limitBody } from "../../middleware/limits";
import { BaseExample, BEARER, commonErrors, LocaleTag, ServedIntentId, unavailable } from "../../schemas";
import type { App } from "../../types";

const ContextValue = z.union([z.string().max(1_000), z.number(), z.boolean()]).transform(String);

export const MessageRequest = z
  .object({
    intent_id: ServedIntentId,
    base_example: BaseExample,
    locale: LocaleTag.nullish().openapi({
      type: "string",
      example: "en-US",
      description: "null = the project's default",
    }),
    user_id: z
      .union([z.string().trim().min(1).max(256), z.number().transform(String)])
      .nullish()
      .openapi({ type: "string", example: "user_42" }),
    context: z
      .record(z.string().min(1).max(64), ContextValue)
      .refine((v) => Object.keys(v).length <= 50, "at most 50 keys")
      .nullish()
      .openapi({ type: "object", additionalProperties: { type: "string" }, example: { first_name: "Ada" } }),
  })
  .openapi("MessageRequest");

export const MessageResponse = z
  .object({
    text: z.string(),
    variant_id: z.string().openapi({ example: "var_3f9a1c2b7d4e" }),
    experiment_id: z.string(),
    tracking_token: z.string().openapi({ example: "trk_v1.prj_…" }),
    locale: z.string(),
  })
  .openapi("MessageResponse");

const route = createRoute({
  method: "post",
  path: "/v1/message",
  operationId: "getMessage",
  "x-pushbunny-access": "message",
  tags: ["messages"],
  summary: "Pick the copy for a notification",
  description:
    "Upstream PushBunny contract (UPSTREAM.md §A). The first request for an (intent, locale) creates its experiment with `base_example` as the control; LLM challengers join in the background.",
  security: BEARER,
  middleware: [limitBody(64 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: MessageRequest } } } },
  responses: {
    200: { description: "The chosen copy", content: { "application/json": { schema: MessageResponse } } },
    ...commonErrors,
    ...unavailable,
  },
});

/** POST /v1/message */
export function registerPostMessage(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const out = await getMessage({
      ctx: c.get("ctx"),
      owner: c.get("owner"),
      input: {
        intentId: body.intent_id,
        baseExample: body.base_example,
        locale: body.locale ?? null,
        userId: body.user_id ?? null,
        context: body.context ?? {},
      },
    });
    return c.json(
      {
        text: out.text,
        variant_id: out.variantId,
        experiment_id: out.experimentId,
        tracking_token: out.trackingToken,
        locale: out.locale,
      },
      200,
    );
  });
}
