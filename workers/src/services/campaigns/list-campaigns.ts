import { encodeCursor, isId } from "@pushbunny/core";
import { listEmailCampaignsPage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { readCursor } from "../../infra/cursor";
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
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => isId(id, "cmp"));
  const limit = Math.min(Math.max(Math.trunc(input.limit) || 1, 1), 100);
  const rows = await listEmailCampaignsPage(ctx.db, projectId, {
    limit: limit + 1,
    after: after && { createdAt: after[0], id: after[1] },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    campaigns: page.map(toCampaign),
    nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
