import { createRoute, z } from "@hono/zod-openapi";
import { resolveMessage } from "../../../services/message/resolve-message";
import {
  BaseExample,
  BEARER,
  commonErrors,
  isWellFormed,
  LocaleTag,
  ServedIntentId,
  unavailable,
  WELL_FORMED,
} from "../../schemas";
import type { App } from "../../types";

const MAX_BODY_BYTES = 64 * 1024;

export const ResolveRequest = z
  .object({
    intent_id: ServedIntentId.openapi({
      example: "order_ready",
      description:
        "The notification's intent. A random UUID v4 (the SDKs' default when the app names none) is pooled by `base_message` as an `auto-…` intent.",
    }),
    base_message: BaseExample.openapi({ example: "Your order is ready" }),
    context: z.string().max(1_000).refine(isWellFormed, WELL_FORMED).nullish().openapi({
      type: "string",
      example: "delivery",
      description:
        "Free text about the notification. Its first 256 characters are kept on the impression and given to generation as a hint.",
    }),
    locale: LocaleTag.nullish().openapi({
      type: "string",
      example: "es-ES",
      description: "null = the project's default",
    }),
    timestamp: z
      .string()
      .max(64)
      .refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO-8601 time such as 2026-12-06T12:00:00Z")
      .nullish()
      .openapi({
        type: "string",
        example: "2026-12-06T12:00:00Z",
        description: "When the app asked; accepted and not used",
      }),
    api_key: z.string().max(256).nullish().openapi({
      type: "string",
      description: "The project's API key, when no Authorization header carries it",
    }),
  })
  .openapi("ResolveRequest");

export const ResolveResponse = z
  .object({
    variant_id: z.string().openapi({
      description:
        "Send it back to POST /v1/metrics as is. It is this impression's signed tracking token (`trk_v1.…`), or `base_…` when the copy was served untracked",
      example:
        "trk_v1.prj_dev.exp_3f9a1c2b7d4e5f60.var_3f9a1c2b7d4e.imp_0m4x8k2a1b2c3d4e5f.m4x8k2a1.q1w2e3r4t5y6u7i8o9p0aa",
    }),
    resolved_message: z.string().openapi({ example: "Your order is ready to pick up" }),
    intent_id: z
      .string()
      .openapi({ description: "The intent the copy was chosen for", example: "order_ready" }),
    locale: z.string().openapi({ example: "es-ES" }),
    tracked: z.boolean().openapi({ description: "false: the base message, served outside any experiment" }),
    variant: z.object({ variant_id: z.string(), experiment_id: z.string() }).nullable().openapi({
      description: "The copy's catalogue ids (as GET /v1/variants lists them); null when untracked",
    }),
    reason: z.string().nullable().openapi({ description: "Why the copy is untracked, when it is" }),
  })
  .openapi("ResolveResponse");

const route = createRoute({
  method: "post",
  path: "/v1/resolve",
  operationId: "resolveMessage",
  "x-pushbunny-access": "message",
  "x-pushbunny-credential": { body: MAX_BODY_BYTES },
  tags: ["mobile SDKs"],
  summary: "Pick the copy for a notification (the mobile SDKs' wire format)",
  description:
    "UPSTREAM.md §B: what the shipped Kotlin and Flutter SDKs call. The API key comes from the body's `api_key` or an `Authorization: Bearer` header (the header wins). Same engine as POST /v1/message; the impression is recorded here, and `sent` on /v1/metrics confirms it without counting it twice.",
  security: BEARER,
  request: { body: { required: true, content: { "application/json": { schema: ResolveRequest } } } },
  responses: {
    200: { description: "The chosen copy", content: { "application/json": { schema: ResolveResponse } } },
    ...commonErrors,
    ...unavailable,
  },
});

/** POST /v1/resolve */
export function registerResolveMessage(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const out = await resolveMessage({
      ctx: c.get("ctx"),
      owner: c.get("owner"),
      input: {
        intentId: body.intent_id,
        baseMessage: body.base_message,
        locale: body.locale ?? null,
        context: body.context ?? "",
      },
    });
    return c.json(
      {
        variant_id: out.variantId,
        resolved_message: out.text,
        intent_id: out.intentId,
        locale: out.locale,
        tracked: out.tracked,
        variant: out.variant && { variant_id: out.variant.id, experiment_id: out.variant.experimentId },
        reason: out.reason,
      },
      200,
    );
  });
}
