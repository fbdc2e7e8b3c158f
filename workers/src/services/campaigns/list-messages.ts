import { type EmailMessageRow, listCampaignMessages } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { mustCampaign } from "./lib/campaign";

/** A campaign's per-recipient rows, in batch order. */
export async function listMessages({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { campaignId: string; limit: number };
}): Promise<EmailMessageRow[]> {
  await mustCampaign(ctx, projectId, input.campaignId);
  return listCampaignMessages(ctx.db, projectId, input.campaignId, Math.min(Math.max(1, input.limit), 500));
}
