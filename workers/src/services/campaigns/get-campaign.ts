import type { AppContext } from "../../context";
import { type Campaign, mustCampaign, toCampaign } from "./lib/campaign";
import { nextDue } from "./lib/schedule";

/** One of the project's campaigns, with its counters and the instants it is still due at. */
export async function getCampaign({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { campaignId: string };
}): Promise<Campaign> {
  const row = await mustCampaign(ctx, projectId, input.campaignId);
  return { ...toCampaign(row), nextDue: await nextDue(ctx, row) };
}
