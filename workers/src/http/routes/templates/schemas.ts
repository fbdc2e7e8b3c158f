import { z } from "@hono/zod-openapi";
import type { ContentIssue } from "@pushbunny/email";
import type { Template } from "../../../services/templates/lib/template";
import { STORABLE, storableText } from "../contacts/schemas";
import { iso, PathId } from "../push/shared";

export const TemplateIdParam = z.object({ template_id: PathId("template_id", "tpl_0a1b2c3d4e5f60718293") });

/** Bounds on a stored template, in UTF-8 bytes for the two large parts. */
export const TEMPLATE_LIMITS = {
  html: 256 * 1024,
  text: 128 * 1024,
  subject: 500,
  preheader: 1_000,
} as const;
/** The request body a template write may send: both large parts, JSON-escaped. */
export const TEMPLATE_BODY_LIMIT = 1024 * 1024;

const utf8Bytes = (value: string) => new TextEncoder().encode(value).length;
const part = (maxBytes: number, label: string) =>
  z
    .string()
    .refine(storableText, STORABLE)
    .refine((v) => utf8Bytes(v) <= maxBytes, `at most ${label} as UTF-8`);
const oneLine = (max: number) =>
  z
    .string()
    .max(max)
    .refine(storableText, STORABLE)
    .refine((v) => !/[\r\n]/.test(v), "must be one line");

export const TemplateName = z.string().trim().min(1).max(120).refine(storableText, STORABLE);
export const TemplateSubject = oneLine(TEMPLATE_LIMITS.subject).openapi({
  description: "Mustache; e.g. `{{name}}, your {{attributes.plan}} plan`",
  example: "{{name}}, spring is here",
});
export const TemplatePreheader = oneLine(TEMPLATE_LIMITS.preheader).openapi({
  description: "Preview text shown after the subject (Mustache)",
});
export const TemplateHtml = part(TEMPLATE_LIMITS.html, "256 KB").openapi({
  description: "Mustache HTML; variables are HTML-escaped; `{{{…}}}` is refused",
  example:
    '<p>Hi {{name}},</p><p>Our spring collection is in.</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
});
export const TemplateText = part(TEMPLATE_LIMITS.text, "128 KB")
  .nullable()
  .openapi({ description: "Mustache text part; null or absent derives it from the HTML when rendered" });
export const FromName = oneLine(100).nullable().openapi({ example: "Bunny Shop" });
export const ReplyTo = z
  .string()
  .trim()
  .max(320)
  .refine((v) => /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/.test(v), "must be an email address")
  .nullable()
  .openapi({ example: "support@example.com" });

export const ContentIssueView = z
  .object({
    field: z.enum(["subject", "preheader", "html", "text", "from", "reply_to"]),
    code: z.string().openapi({ example: "spam_phrase" }),
    message: z.string(),
    severity: z.enum(["error", "warning"]),
  })
  .openapi("ContentIssue");

export const TemplateView = z
  .object({
    template_id: z.string().openapi({ example: "tpl_0a1b2c3d4e5f60718293" }),
    name: z.string(),
    subject: z.string(),
    preheader: z.string(),
    html: z.string(),
    text: z.string().nullable().openapi({ description: "null: derived from the HTML when rendered" }),
    from_name: z.string().nullable(),
    reply_to: z.string().nullable(),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("EmailTemplate");

export const CheckedTemplateView = TemplateView.extend({
  issues: z.array(ContentIssueView).openapi({
    description: "Warnings that did not block saving (spam phrases, http links, long subject)",
  }),
}).openapi("CheckedEmailTemplate");

export const templateView = (t: Template): z.infer<typeof TemplateView> => ({
  template_id: t.id,
  name: t.name,
  subject: t.subject,
  preheader: t.preheader,
  html: t.html,
  text: t.text,
  from_name: t.fromName,
  reply_to: t.replyTo,
  created_at: iso(t.createdAt),
  updated_at: iso(t.updatedAt),
});

export const checkedTemplateView = (r: { template: Template; issues: ContentIssue[] }) => ({
  ...templateView(r.template),
  issues: r.issues,
});

export const checkedTemplateResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: CheckedTemplateView } },
});
