import { claimEmailClick, claimEmailOpen, findEmailMessage, settleMessages } from "@pushbunny/db";
import { verifyClickToken, verifyOpenToken } from "@pushbunny/email";
import type { AppContext } from "../../context";
import { ingestEvents } from "../events/ingest-events";
import { emitWebhookEvents } from "../webhooks/emit";
import { emailEvent } from "../webhooks/events";
import { notifyCampaignLive } from "./live";

// Apple Mail Privacy Protection (a bare `Mozilla/5.0`), Gmail's and Yahoo's image proxies fetch images on
// user's behalf: an open from them says nothing about a person reading.
const PRIVACY_PROXIES =
  /GoogleImageProxy|YahooMailProxy|Mozilla\/5\.0 \(Macintosh; Intel Mac OS X 10_15_7\) AppleWebKit\/605\.1\.15 \(KHTML, like Gecko\)$/;
/** An open this soon after the send is a scanner or a proxy, not a person. */
export const MACHINE_OPEN_MS = 2_000;

export const isMachineOpen = (userAgent: string, sentAt: number | null, now: number) =>
  PRIVACY_PROXIES.test(userAgent) || (sentAt !== null && now - sentAt < MACHINE_OPEN_MS);

/**
 * The open pixel: the first human open of a message records an `opened` event for its impression
 * through /v1/events' pipeline (ingestEvents), once. Machine opens are stored on the row
 * (`machine_open`) and never reach the stats. Unknown or forged tokens record nothing.
 */
export async function recordOpen({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { token: string; userAgent: string };
}): Promise<void> {
  const verified = await verifyOpenToken(ctx.config.trackingSecret, input.token);
  if (!verified.ok) return;
  const row = await findEmailMessage(ctx.db, verified.messageId);
  if (!row || row.sentAt === null) return;
  const now = ctx.now();
  if (isMachineOpen(input.userAgent, row.sentAt, now)) {
    if (!row.machineOpen)
      await settleMessages(ctx.db, [{ id: row.id, set: { machineOpen: true, updatedAt: now } }]);
    return;
  }
  if (row.openedAt !== null) return;
  // Mail proxies fetch a pixel twice at once: only the fetch whose update set opened_at goes on.
  if (!(await claimEmailOpen(ctx.db, { projectId: row.projectId, messageId: row.id, now }))) return;
  notifyCampaignLive(ctx, row.projectId, row.campaignId);
  ctx.waitUntil(emitWebhookEvents(ctx, row.projectId, [emailEvent("email.opened", row, now)]));
  await trackEvents(ctx, row.projectId, row.trackingToken, ["opened"], now);
}

/**
 * The click redirect: only to the link at the token's index in the list stored with the message
 * (never a URL from the request). The first click records `opened` (when no human open was seen)
 * and `conversion`: a click is the success of the email's goal metric. Null for a bad token.
 * The status moves to `clicked` only forward (never over bounced or complained).
 */
export async function recordClick({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { token: string };
}): Promise<string | null> {
  const verified = await verifyClickToken(ctx.config.trackingSecret, input.token);
  if (!verified.ok) return null;
  const row = await findEmailMessage(ctx.db, verified.messageId);
  const url = row?.links?.[verified.index];
  if (!row || !url) return null;
  const now = ctx.now();
  // Compare-and-set: only the first click counts, and it never overwrites a bounce or complaint.
  if (
    row.clickedAt === null &&
    (await claimEmailClick(ctx.db, { projectId: row.projectId, messageId: row.id, now }))
  ) {
    const opened =
      row.openedAt === null &&
      (await claimEmailOpen(ctx.db, { projectId: row.projectId, messageId: row.id, now }));
    notifyCampaignLive(ctx, row.projectId, row.campaignId);
    ctx.waitUntil(
      emitWebhookEvents(ctx, row.projectId, [
        ...(opened ? [emailEvent("email.opened", row, now)] : []),
        emailEvent("email.clicked", row, now, { url }),
      ]),
    );
    await trackEvents(
      ctx,
      row.projectId,
      row.trackingToken,
      opened ? ["opened", "conversion"] : ["conversion"],
      now,
    );
  }
  return url;
}

async function trackEvents(
  ctx: AppContext,
  projectId: string,
  trackingToken: string | null,
  types: ("opened" | "conversion")[],
  now: number,
): Promise<void> {
  if (!trackingToken) return;
  const result = await ingestEvents({
    ctx,
    projectId,
    input: types.map((type) => ({ type, tracking_token: trackingToken, timestamp: now })),
  });
  if (result.rejected.length > 0)
    ctx.logger.warn("email tracking event refused", { rejected: result.rejected });
}
