import { createRoute, z } from "@hono/zod-openapi";
import { previewTemplate } from "../../../services/templates/preview-template";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, LocaleTag, notFound } from "../../schemas";
import type { App } from "../../types";
import { Attributes, ContactEmail, ContactName, TimeZone } from "../contacts/schemas";
import { ContentIssueView, TemplateIdParam } from "./schemas";

export const SampleContact = z
  .strictObject({
    email: ContactEmail,
    name: ContactName.optional(),
    locale: LocaleTag.nullable().optional(),
    time_zone: TimeZone.nullable().optional(),
    attributes: Attributes.optional(),
  })
  .openapi("SampleContact");

export const PreviewTemplateRequest = z
  .strictObject({
    contact_id: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: "One of the project's contacts", example: "ctc_0a1b2c3d4e5f60718293" }),
    contact: SampleContact.optional().openapi({ description: "An inline sample contact (not stored)" }),
  })
  .refine((b) => !(b.contact_id !== undefined && b.contact !== undefined), {
    message: "send contact_id or contact, not both",
  })
  .openapi("PreviewTemplateRequest", { example: { contact: { email: "ada@example.com", name: "Ada" } } });

const route = createRoute({
  method: "post",
  path: "/v1/templates/{template_id}/preview",
  operationId: "previewTemplate",
  "x-pushbunny-access": "read",
  tags: ["templates"],
  summary: "Render a template for a contact, a sample contact, or the built-in sample ({} )",
  description:
    "Unsubscribe and preferences links are preview stand-ins. `missing` lists variables with no value for this contact (rendered empty).",
  security: BEARER,
  middleware: [limitBody(32 * 1024)] as const,
  request: {
    params: TemplateIdParam,
    body: { required: true, content: { "application/json": { schema: PreviewTemplateRequest } } },
  },
  responses: {
    200: {
      description: "The rendered parts and what the checks found",
      content: {
        "application/json": {
          schema: z
            .object({
              subject: z.string(),
              preheader: z.string(),
              html: z.string(),
              text: z.string(),
              text_derived: z.boolean().openapi({ description: "The text part was derived from the HTML" }),
              missing: z.array(z.string()),
              issues: z.array(ContentIssueView),
            })
            .openapi("TemplatePreview"),
        },
      },
    },
    ...commonErrors,
    ...notFound,
  },
});

/** POST /v1/templates/{template_id}/preview */
export function registerPreviewTemplate(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const result = await previewTemplate({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        templateId: c.req.valid("param").template_id,
        contactId: b.contact_id,
        contact: b.contact && {
          email: b.contact.email,
          name: b.contact.name ?? null,
          locale: b.contact.locale ?? null,
          timeZone: b.contact.time_zone ?? null,
          attributes: b.contact.attributes ?? {},
        },
      },
    });
    const r = result.rendered;
    return c.json(
      {
        subject: r.subject,
        preheader: r.preheader,
        html: r.html,
        text: r.text,
        text_derived: result.textDerived,
        missing: r.missing,
        issues: result.issues,
      },
      200,
    );
  });
}
