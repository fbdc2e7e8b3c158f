import type { AppContext } from "../../context";
import { type Campaign, mustCampaign, toCampaign } from "./lib/campaign";

/** One of the project's campaigns, with its counters. */
export async function getCampaign({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { campaignId: string };
}): Promise<Campaign> {
  return toCampaign(await mustCampaign(ctx, projectId, input.campaignId));
}
