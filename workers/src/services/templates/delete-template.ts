import { deleteEmailTemplateRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";

/** Deletes a template. */
export async function deleteTemplate({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { templateId: string };
}): Promise<void> {
  if (!(await deleteEmailTemplateRow(ctx.db, projectId, input.templateId)))
    throw new NotFoundError(`template '${input.templateId}' not found`);
}
