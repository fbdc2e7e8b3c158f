import { updateEmailTemplateRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import type { TemplateInput } from "./create-template";
import { type CheckedTemplate, checkTemplate, mustTemplate, toTemplate } from "./lib/template";

/** Changes some fields of a template; the whole result is checked again before it is saved. */
export async function updateTemplate({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { templateId: string } & Partial<TemplateInput>;
}): Promise<CheckedTemplate> {
  const current = await mustTemplate(ctx, projectId, input.templateId);
  const parts = {
    subject: input.subject ?? current.subject,
    preheader: input.preheader ?? current.preheader,
    html: input.html ?? current.html,
    text: input.text === undefined ? current.text : input.text,
  };
  const issues = checkTemplate(parts);
  const row = await updateEmailTemplateRow(ctx.db, projectId, input.templateId, {
    ...parts,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.fromName !== undefined ? { fromName: input.fromName } : {}),
    ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}),
    updatedAt: ctx.now(),
  });
  if (!row) throw new NotFoundError(`template '${input.templateId}' not found`);
  return { template: toTemplate(row), issues };
}
