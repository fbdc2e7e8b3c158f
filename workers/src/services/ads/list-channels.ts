import { listChannelAccounts } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { toConnection } from "./lib/connection";
import type { AdConnection } from "./lib/types";

/** The project's connected channels (at most one per channel, so never paged), by channel name. */
export async function listChannels({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<AdConnection[]> {
  const rows = await listChannelAccounts(ctx.db, projectId);
  return Promise.all(rows.map((r) => toConnection(ctx, r)));
}
