import { encodeCursor, isId } from "@pushbunny/core";
import { type EmailMessageRow, type EmailMessageStatus, listCampaignMessages } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { readCursor } from "../../infra/cursor";
import { mustCampaign } from "./lib/campaign";

/** A page of a campaign's per-recipient rows, in batch order, optionally of one status. */
export async function listMessages({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { campaignId: string; limit: number; status?: EmailMessageStatus; cursor?: string };
}): Promise<{ messages: EmailMessageRow[]; nextCursor: string | null }> {
  const after = readCursor(
    input.cursor,
    ["number", "string"],
    ([batch, contactId]) => Number.isInteger(batch) && batch >= 0 && isId(contactId, "ctc"),
  );
  await mustCampaign(ctx, projectId, input.campaignId);
  const limit = Math.min(Math.max(Math.trunc(input.limit) || 1, 1), 500);
  const rows = await listCampaignMessages(ctx.db, projectId, input.campaignId, {
    limit: limit + 1,
    status: input.status,
    after: after && { batch: after[0], contactId: after[1] },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    messages: page,
    nextCursor: rows.length > limit && last ? encodeCursor([last.batch, last.contactId]) : null,
  };
}
