import { type EmailTemplateRow, findEmailTemplate } from "@pushbunny/db";
import {
  CONTACT_VARIABLES,
  type ContentIssue,
  type EmailTemplate,
  previewTemplate,
  SYSTEM_VARIABLES,
  TEMPLATE_FIELDS,
  variableUses,
} from "@pushbunny/email";
import type { AppContext } from "../../../context";
import { BadRequestError, NotFoundError } from "../../../errors";
import { ATTRIBUTE_KEY } from "../../contacts/lib/contact";
import { htmlToText } from "./html-to-text";

/** A template as verbs return it; `text` null means it is derived from the HTML. */
export interface Template {
  id: string;
  name: string;
  subject: string;
  preheader: string;
  html: string;
  text: string | null;
  fromName: string | null;
  replyTo: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A saved template and what its checks found that does not block saving. */
export interface CheckedTemplate {
  template: Template;
  issues: ContentIssue[];
}

export const toTemplate = (row: EmailTemplateRow): Template => ({
  id: row.id,
  name: row.name,
  subject: row.subject,
  preheader: row.preheader,
  html: row.html,
  text: row.text,
  fromName: row.fromName,
  replyTo: row.replyTo,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/** Every name a contact offers a template: its fields, `attributes.<key>` and the sender's links. */
export const KNOWN_VARIABLES: readonly string[] = [...CONTACT_VARIABLES, ...SYSTEM_VARIABLES, "attributes.*"];

/** The template as the email package renders it, the text part derived when absent. */
export function renderable(t: Pick<Template, "subject" | "preheader" | "html" | "text">): EmailTemplate {
  return { subject: t.subject, preheader: t.preheader, html: t.html, text: t.text ?? htmlToText(t.html) };
}

export async function mustTemplate(
  ctx: AppContext,
  projectId: string,
  templateId: string,
): Promise<EmailTemplateRow> {
  const row = await findEmailTemplate(ctx.db, projectId, templateId);
  if (!row) throw new NotFoundError(`template '${templateId}' not found`);
  return row;
}

// `attributes.*` in the package matches any suffix; contacts only ever have keys of the import's
// shape, so `{{attributes.Plan}}` or `{{attributes.a.b}}` would render empty for everyone.
function badAttributeKeys(template: EmailTemplate): ContentIssue[] {
  const issues: ContentIssue[] = [];
  for (const field of TEMPLATE_FIELDS) {
    let uses: ReturnType<typeof variableUses>["uses"];
    try {
      uses = variableUses(template[field] ?? "").uses;
    } catch {
      continue; // reported as template_syntax by validateTemplate
    }
    for (const name of new Set(uses.map((u) => u.name))) {
      if (name.startsWith("attributes.") && !ATTRIBUTE_KEY.test(name.slice("attributes.".length))) {
        issues.push({
          field,
          code: "unknown_variable",
          message: `${field}: {{${name}}} is not an attribute key (1-64 of a-z 0-9 _)`,
          severity: "error",
        });
      }
    }
  }
  return issues;
}

/**
 * Save-time checks: errors (bad syntax, partials, unknown variables, `{{{…}}}`, broken or unsafe
 * links, empty or absurdly long parts) refuse the template with a 400 listing each problem by
 * field; warnings (spam phrases, http links, long subjects) come back with the saved template.
 * The checks render for the sample contact, so `{{name}}` is not an unresolved tag.
 */
export function checkTemplate(t: Pick<Template, "subject" | "preheader" | "html" | "text">): ContentIssue[] {
  const template = renderable(t);
  const { issues } = previewTemplate(template, { known: KNOWN_VARIABLES });
  // Unknown names are a warning in the package (render empty); here nobody could ever fill them.
  const all = [
    ...issues.map((i): ContentIssue => (i.code === "unknown_variable" ? { ...i, severity: "error" } : i)),
    ...badAttributeKeys(template),
  ];
  const errors = all.filter((i) => i.severity === "error");
  if (errors.length > 0) {
    throw BadRequestError.fromIssues(errors.map((i) => ({ path: i.field, message: stripField(i) })));
  }
  return all;
}

const stripField = (i: ContentIssue) =>
  i.message.startsWith(`${i.field}: `) ? i.message.slice(i.field.length + 2) : i.message;
