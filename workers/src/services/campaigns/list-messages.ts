import { isId } from "@pushbunny/core";
import { type EmailMessageRow, type EmailMessageStatus, listCampaignMessages } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { keysetPage, readCursor } from "../../infra/cursor";
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
  const page = await keysetPage(
    input.limit,
    500,
    (limit) =>
      listCampaignMessages(ctx.db, projectId, input.campaignId, {
        limit,
        status: input.status,
        after: after && { batch: after[0], contactId: after[1] },
      }),
    (last) => [last.batch, last.contactId],
  );
  return { messages: page.rows, nextCursor: page.nextCursor };
}
