import type { ChannelAccountRow } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { storedAccountId } from "./credentials";
import { type AdConnection, parseStoredError } from "./types";

/** A stored channel account as the domain shows it: which account it reads, never the credentials. */
export async function toConnection(ctx: AppContext, row: ChannelAccountRow): Promise<AdConnection> {
  return {
    channel: row.channel,
    source: row.source,
    accountId: await storedAccountId(ctx, row),
    lastStatus: row.lastStatus === "ok" || row.lastStatus === "error" ? row.lastStatus : null,
    lastError: parseStoredError(row.lastError),
    lastSyncedAt: row.lastSyncedAt,
    connectedAt: row.createdAt,
  };
}
