import {
  findContact,
  findSuppression,
  liftUnsubscribe,
  SELF_SERVICE_SOURCES,
  suppressAddress,
} from "@pushbunny/db";
import { verifyUnsubscribeToken } from "@pushbunny/email";
import type { AppContext } from "../../context";
import { type Contact, toContact } from "./lib/contact";

/**
 * The contact an unsubscribe token names, when its signature holds (TRACKING_SECRET, purpose
 * `unsubscribe.v1`) and the contact still exists; null otherwise. The token is the only identity
 * the public pages accept: an address in a form or a query is never trusted.
 */
export async function contactForToken({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { token: string };
}): Promise<{ projectId: string; campaignId?: string; contact: Contact } | null> {
  const claims = await verifyUnsubscribeToken(ctx.config.trackingSecret, input.token);
  if (!claims.ok) return null;
  const row = await findContact(ctx.db, claims.projectId, claims.contactId);
  if (!row) return null;
  return { projectId: claims.projectId, campaignId: claims.campaignId, contact: toContact(row) };
}

/** The person behind a token unsubscribes (one click or the page); idempotent. */
export async function unsubscribeByToken({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { token: string; source: "one_click" | "unsubscribe_page" | "preferences" };
}): Promise<Contact | null> {
  const found = await contactForToken({ ctx, input });
  if (!found) return null;
  if (found.contact.status === "subscribed") {
    await suppressAddress(ctx.db, {
      projectId: found.projectId,
      email: found.contact.email,
      reason: "unsubscribed",
      source: input.source,
      status: "unsubscribed",
      now: ctx.now(),
    });
  }
  return (await contactForToken({ ctx, input }))?.contact ?? null;
}

/**
 * The person behind a token subscribes again from the preferences page: lifts their own
 * unsubscribe (made from a mail's link or page). A bounce or complaint, and whatever the tenant
 * suppressed (a manual entry, an unsubscribe through the API), stay suppressed (false).
 */
export async function resubscribeByToken({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { token: string };
}): Promise<{ contact: Contact; resubscribed: boolean } | null> {
  const found = await contactForToken({ ctx, input });
  if (!found) return null;
  if (found.contact.status === "subscribed") return { contact: found.contact, resubscribed: true };
  if (found.contact.status !== "unsubscribed") return { contact: found.contact, resubscribed: false };
  const lifted = await liftUnsubscribe(ctx.db, {
    projectId: found.projectId,
    email: found.contact.email,
    now: ctx.now(),
    selfService: true,
  });
  const after = await contactForToken({ ctx, input });
  return after ? { contact: after.contact, resubscribed: lifted } : null;
}

/** Whether the preferences page offers "Subscribe again": only to undo the person's own unsubscribe. */
export async function mayResubscribe({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { projectId: string; email: string };
}): Promise<boolean> {
  const row = await findSuppression(ctx.db, input.projectId, input.email);
  return row?.reason === "unsubscribed" && (SELF_SERVICE_SOURCES as readonly string[]).includes(row.source);
}
