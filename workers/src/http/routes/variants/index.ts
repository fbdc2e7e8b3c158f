import { createRoute, z } from "@hono/zod-openapi";
import {
  listAllVariants,
  listIntentVariants,
  VARIANTS_PAGE,
  type VariantSummary,
} from "../../../services/variants/list-variants";
import { BEARER, commonErrors, IntentId } from "../../schemas";
import type { App } from "../../types";

const counts = {
  variant_id: z.string().openapi({ example: "var_3f9a1c2b7d4e" }),
  message: z.string().openapi({ example: "Your order is ready to pick up" }),
  sent: z.number().int().openapi({ description: "Impressions" }),
  clicked: z.number().int().openapi({ description: "Opens (the SDKs' `clicked`)" }),
  experiment_id: z.string(),
  locale: z.string().openapi({ example: "es-ES" }),
  source: z.string().openapi({ example: "llm", description: "control, llm or manual" }),
  status: z.string().openapi({ example: "active" }),
  conversions: z.number().int(),
};

export const IntentVariant = z
  .object({
    ...counts,
    opened: z.number().int().openapi({ description: "Opens: the same count as `clicked`" }),
  })
  .openapi("IntentVariant");

export const GroupedVariant = z.object(counts).openapi("GroupedVariant");

const grouped = (v: VariantSummary) => ({
  variant_id: v.variantId,
  message: v.message,
  sent: v.sent,
  clicked: v.opens,
  experiment_id: v.experimentId,
  locale: v.locale,
  source: v.source,
  status: v.status,
  conversions: v.conversions,
});

const listAll = createRoute({
  method: "get",
  path: "/v1/variants",
  operationId: "listVariants",
  "x-pushbunny-access": "read",
  tags: ["mobile SDKs"],
  summary: "Every intent's copies with their counts (the upstream dashboard's shape)",
  description: `An object keyed by intent id. Pages hold ${VARIANTS_PAGE.default} experiments (an intent has one per locale), newest first; when more remain, the \`X-Next-Cursor\` header carries the cursor for \`?cursor=\`.`,
  security: BEARER,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(VARIANTS_PAGE.max).default(VARIANTS_PAGE.default),
      cursor: z.string().max(200).optional(),
    }),
  },
  responses: {
    200: {
      description: "Copies by intent",
      headers: z.object({ "X-Next-Cursor": z.string().optional() }),
      content: { "application/json": { schema: z.record(z.string(), z.array(GroupedVariant)) } },
    },
    ...commonErrors,
  },
});

const listOne = createRoute({
  method: "get",
  path: "/v1/variants/{intent_id}",
  operationId: "listIntentVariants",
  "x-pushbunny-access": "read",
  tags: ["mobile SDKs"],
  summary: "One intent's copies with their counts (all locales); [] for an unknown intent",
  security: BEARER,
  request: { params: z.object({ intent_id: IntentId }) },
  responses: {
    200: {
      description: "The intent's copies",
      content: { "application/json": { schema: z.array(IntentVariant) } },
    },
    ...commonErrors,
  },
});

/** GET /v1/variants and GET /v1/variants/{intent_id} */
export function registerVariantRoutes(app: App) {
  app.openapi(listAll, async (c) => {
    const q = c.req.valid("query");
    const out = await listAllVariants({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { limit: q.limit, ...(q.cursor !== undefined ? { cursor: q.cursor } : {}) },
    });
    if (out.nextCursor) c.header("X-Next-Cursor", out.nextCursor);
    // fromEntries defines every key as its own property, "__proto__" included.
    const body = Object.fromEntries([...out.byIntent].map(([intent, list]) => [intent, list.map(grouped)]));
    return c.json(body, 200);
  });
  app.openapi(listOne, async (c) => {
    const list = await listIntentVariants({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { intentId: c.req.valid("param").intent_id },
    });
    return c.json(
      list.map((v) => ({ ...grouped(v), opened: v.opens })),
      200,
    );
  });
}
