import { createRoute, z } from "@hono/zod-openapi";
import { EMAIL_COPY_KINDS, EMAIL_COPY_LIMITS } from "@pushbunny/llm";
import { writeCopy } from "../../../services/templates/write-copy";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { STORABLE, storableText } from "../contacts/schemas";
import { ContentIssueView } from "./schemas";

const text = (max: number) => z.string().max(max).refine(storableText, STORABLE);

export const WriteCopyRequest = z
  .strictObject({
    what: z.enum(EMAIL_COPY_KINDS).openapi({ description: "subject, preheader, or body (HTML)" }),
    brief: text(EMAIL_COPY_LIMITS.brief)
      .refine((v) => v.trim() !== "", "must not be empty")
      .openapi({ description: "What the email is about; quoted to the model as data" }),
    brand_voice: text(EMAIL_COPY_LIMITS.brandVoice).optional(),
    examples: z.array(text(EMAIL_COPY_LIMITS.example)).max(EMAIL_COPY_LIMITS.examples).optional(),
    variables: z
      .array(z.string().max(80))
      .max(EMAIL_COPY_LIMITS.variables)
      .default(["name"])
      .openapi({
        description: "Variables the copy may use (default name)",
        example: ["name", "attributes.plan"],
      }),
    count: z.number().int().min(1).max(EMAIL_COPY_LIMITS.count).default(3),
    locale: z
      .string()
      .max(35)
      .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/, "a BCP-47 tag")
      .optional(),
  })
  .openapi("WriteCopyRequest", {
    example: {
      what: "subject",
      brief: "Spring collection is in: linen shirts and light jackets.",
      brand_voice: "warm, plain, no hype",
      variables: ["name"],
      count: 3,
    },
  });

const route = createRoute({
  method: "post",
  path: "/v1/templates/copy",
  operationId: "writeEmailCopy",
  "x-pushbunny-access": "write",
  tags: ["templates"],
  summary: "AI-written subject, preheader or body variants, each checked before use",
  description:
    "Gemini when configured, else the deterministic offline writer. Every variant is checked (length, spam phrases, unresolved or unlisted variables, links); `usable` is false on any error or spam phrase. Spends one unit of the project's generation quota (429 when spent).",
  security: BEARER,
  middleware: [limitBody(32 * 1024)] as const,
  request: { body: { required: true, content: { "application/json": { schema: WriteCopyRequest } } } },
  responses: {
    200: {
      description: "The variants",
      content: {
        "application/json": {
          schema: z
            .object({
              what: z.enum(EMAIL_COPY_KINDS),
              provider: z.enum(["offline", "gemini"]),
              fallback_reason: z.string().nullable().openapi({
                description:
                  "Why the configured model's answer was not used (the offline writer's is served)",
              }),
              variants: z.array(
                z.object({ text: z.string(), usable: z.boolean(), issues: z.array(ContentIssueView) }),
              ),
            })
            .openapi("EmailCopy"),
        },
      },
    },
    ...commonErrors,
  },
});

/** POST /v1/templates/copy */
export function registerWriteCopy(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const result = await writeCopy({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        what: b.what,
        brief: b.brief,
        variables: b.variables,
        count: b.count,
        ...(b.brand_voice !== undefined ? { brandVoice: b.brand_voice } : {}),
        ...(b.examples !== undefined ? { examples: b.examples } : {}),
        ...(b.locale !== undefined ? { locale: b.locale } : {}),
      },
    });
    return c.json(
      {
        what: b.what,
        provider: result.provider,
        fallback_reason: result.fallbackReason,
        variants: result.variants.map((v) => ({ text: v.text, usable: v.usable, issues: v.issues })),
      },
      200,
    );
  });
}
