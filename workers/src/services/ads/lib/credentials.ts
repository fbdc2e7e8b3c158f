import { AdSyncError, type Channel, type ChannelCredentials } from "@pushbunny/adsync";
import { seal, unseal } from "@pushbunny/core";
import type { ChannelAccountRow } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { ServiceUnavailableError } from "../../../errors";

// Associated data: a sealed blob opens only for the project and channel it was sealed for.
const sealContext = (projectId: string, channel: Channel) => `${projectId}:adsync:${channel}`;

/** Seals checked credentials (string fields trimmed) for storage; 503 while CREDENTIALS_KEY is unset. */
export async function sealCredentials(
  ctx: AppContext,
  projectId: string,
  channel: Channel,
  credentials: Record<string, unknown>,
): Promise<string> {
  const key = ctx.config.credentialsKey;
  if (!key) {
    throw new ServiceUnavailableError(
      "CREDENTIALS_KEY is not set: run `wrangler secret put CREDENTIALS_KEY` before storing channel credentials",
      3600,
    );
  }
  const trimmed = Object.fromEntries(
    Object.entries(credentials).map(([k, v]) => [k, typeof v === "string" ? v.trim() : v]),
  );
  return seal(key, sealContext(projectId, channel), JSON.stringify(trimmed));
}

/** The stored credentials in the clear (null for the sandbox); a "config" AdSyncError when they do not open. */
export async function openCredentials(
  ctx: AppContext,
  row: ChannelAccountRow,
): Promise<ChannelCredentials | null> {
  if (row.source === "sandbox" || !row.credentials) return null;
  const key = ctx.config.credentialsKey;
  if (!key) {
    throw new AdSyncError(
      "config",
      row.channel,
      "CREDENTIALS_KEY is not set, so stored credentials cannot be opened",
    );
  }
  const plain = await unseal(key, sealContext(row.projectId, row.channel), row.credentials);
  if (plain === null) {
    throw new AdSyncError(
      "config",
      row.channel,
      "stored credentials do not open with the current CREDENTIALS_KEY; connect the channel again",
    );
  }
  return JSON.parse(plain) as ChannelCredentials;
}

/** The account the credentials read (ad account, customer or advertiser id); not a secret. */
export function accountIdOf(credentials: ChannelCredentials | Record<string, unknown> | null): string | null {
  if (!credentials) return null;
  const c = credentials as Record<string, unknown>;
  const id = c.adAccountId ?? c.customerId ?? c.advertiserId;
  return typeof id === "string" ? id.trim() : null;
}

/** The account id of a stored connection, or null when its credentials do not open. */
export async function storedAccountId(ctx: AppContext, row: ChannelAccountRow): Promise<string | null> {
  try {
    return accountIdOf(await openCredentials(ctx, row));
  } catch {
    // The connection is still listed; its next sync reports why the credentials do not open.
    return null;
  }
}
