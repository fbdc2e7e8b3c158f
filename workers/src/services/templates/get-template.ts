import type { AppContext } from "../../context";
import { type CheckedTemplate, checkTemplate, mustTemplate, toTemplate } from "./lib/template";

/** One of the project's templates, with the warnings its checks find today. */
export async function getTemplate({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { templateId: string };
}): Promise<CheckedTemplate> {
  const template = toTemplate(await mustTemplate(ctx, projectId, input.templateId));
  return { template, issues: checkTemplate(template) };
}
