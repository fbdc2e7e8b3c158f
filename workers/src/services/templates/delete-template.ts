import { deleteEmailTemplateRow, liveCampaignUsingTemplate } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError, NotFoundError } from "../../errors";

/** Deletes a template; not while a campaign that is still to send uses it (409). */
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
  const live = await liveCampaignUsingTemplate(ctx.db, projectId, input.templateId);
  if (live) {
    throw new ConflictError(
      `template '${input.templateId}' is used by campaign '${live.id}' (${live.status}): cancel it or let it finish first`,
    );
  }
  if (!(await deleteEmailTemplateRow(ctx.db, projectId, input.templateId)))
    throw new NotFoundError(`template '${input.templateId}' not found`);
}
