import { listEmailCampaignsPage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { newestFirstPage } from "../../infra/cursor";
import { type Campaign, toCampaign } from "./lib/campaign";

/** A page of the project's campaigns, newest first. */
export async function listCampaigns({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number; cursor?: string };
}): Promise<{ campaigns: Campaign[]; nextCursor: string | null }> {
  const page = await newestFirstPage(input, "cmp", (q) => listEmailCampaignsPage(ctx.db, projectId, q));
  return { campaigns: page.rows.map(toCampaign), nextCursor: page.nextCursor };
}
