import {
  type ContentIssue,
  previewTemplate as preview,
  type RenderedEmail,
  type TemplateContact,
} from "@pushbunny/email";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { attributeIssues, mustContact } from "../contacts/lib/contact";
import { KNOWN_VARIABLES, mustTemplate, renderable } from "./lib/template";

/**
 * Renders a saved template for one of the project's contacts (another project's is a 404) or
 * for an inline sample contact; system links are preview stand-ins.
 */
export async function previewTemplate({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { templateId: string; contactId?: string; contact?: TemplateContact };
}): Promise<{ rendered: RenderedEmail; issues: ContentIssue[]; textDerived: boolean }> {
  const row = await mustTemplate(ctx, projectId, input.templateId);
  let contact = input.contact;
  if (contact?.attributes) {
    const issues = attributeIssues(contact.attributes);
    if (issues.length > 0)
      throw BadRequestError.fromIssues(issues.map((i) => ({ ...i, path: `contact.${i.path}` })));
  }
  if (input.contactId !== undefined) {
    const c = await mustContact(ctx, projectId, input.contactId);
    contact = {
      email: c.email,
      name: c.name,
      locale: c.locale,
      timeZone: c.timeZone,
      attributes: c.attributes,
    };
  }
  const result = preview(renderable(row), { known: KNOWN_VARIABLES, ...(contact ? { contact } : {}) });
  // A saved template has passed the syntax checks, so there is always a rendering.
  const rendered = result.rendered ?? { subject: "", preheader: "", html: "", text: "", missing: [] };
  return { rendered, issues: result.issues, textDerived: row.text === null };
}
