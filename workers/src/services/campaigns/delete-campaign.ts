import { deleteEmailCampaignRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError } from "../../errors";
import { mustCampaign } from "./lib/campaign";

/** Deletes a draft or a cancelled campaign; one that sent (or is sending) keeps its record (409). */
export async function deleteCampaign({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { campaignId: string };
}): Promise<void> {
  const current = await mustCampaign(ctx, projectId, input.campaignId);
  const deletable = ["draft", "cancelled"] as const;
  if (!(deletable as readonly string[]).includes(current.status)) {
    throw new ConflictError(
      `only a draft or a cancelled campaign can be deleted; this one is ${current.status}`,
    );
  }
  if (!(await deleteEmailCampaignRow(ctx.db, projectId, input.campaignId, deletable))) {
    throw new ConflictError("the campaign changed status while it was being deleted");
  }
}
