import type { ContactRow, EmailTemplateRow } from "@pushbunny/db";
import {
  addOpenPixel,
  listUnsubscribeHeaders,
  type OutgoingEmail,
  renderTemplate,
  rewriteLinks,
  signOpenToken,
  signUnsubscribeToken,
} from "@pushbunny/email";
import type { AppContext } from "../../../context";
import { mailOrigin } from "../../email/transport";
import { renderable } from "../../templates/lib/template";

/** The contact's variables as /v1/message context: what decides whether a subject variant can render. */
export function contactContext(contact: ContactRow): Record<string, string> {
  const out: Record<string, string> = { email: contact.email };
  if (contact.name) out.name = contact.name;
  if (contact.locale) out.locale = contact.locale;
  if (contact.timeZone) out.time_zone = contact.timeZone;
  for (const [key, value] of Object.entries(contact.attributes ?? {}))
    out[`attributes.${key}`] = String(value);
  return out;
}

/**
 * One campaign email for one contact: rendered with per-recipient unsubscribe and preferences
 * URLs (signed), links rewritten to click-tracking URLs (the originals returned, kept on the row),
 * an open pixel, and RFC 8058 List-Unsubscribe headers when the origin is https (Gmail and Yahoo
 * require them for bulk mail; a plain-http development origin cannot carry them).
 */
export async function renderCampaignMessage(
  ctx: AppContext,
  input: {
    messageId: string;
    campaign: { id: string; projectId: string; from: string; replyTo: string | null };
    template: EmailTemplateRow;
    subject: string;
    contact: ContactRow;
    tracking: boolean;
  },
): Promise<{ email: OutgoingEmail; links: string[] }> {
  const origin = mailOrigin(ctx);
  const secret = ctx.config.trackingSecret;
  const token = await signUnsubscribeToken(secret, {
    projectId: input.campaign.projectId,
    contactId: input.contact.id,
    campaignId: input.campaign.id,
  });
  const unsubscribeUrl = `${origin}/email/unsubscribe?token=${encodeURIComponent(token)}`;
  const preferencesUrl = `${origin}/email/preferences?token=${encodeURIComponent(token)}`;
  const rendered = renderTemplate(
    renderable({ ...input.template, subject: input.subject }),
    { ...input.contact, attributes: input.contact.attributes },
    { system: { unsubscribe_url: unsubscribeUrl, preferences_url: preferencesUrl } },
  );
  let html = rendered.html;
  let links: string[] = [];
  if (input.tracking) {
    const rewritten = await rewriteLinks(html, {
      messageId: input.messageId,
      secret,
      clickBase: `${origin}/email/c/`,
      exclude: (url) =>
        url === unsubscribeUrl || url === preferencesUrl || url.startsWith(`${origin}/email/`),
    });
    links = rewritten.links;
    html = addOpenPixel(
      rewritten.html,
      `${origin}/email/o/${await signOpenToken(secret, input.messageId)}.gif`,
    );
  }
  const headers = origin.startsWith("https://") ? listUnsubscribeHeaders(unsubscribeUrl) : undefined;
  return {
    email: {
      id: input.messageId,
      from: input.campaign.from,
      ...(input.campaign.replyTo ? { replyTo: input.campaign.replyTo } : {}),
      to: input.contact.email,
      subject: rendered.subject,
      html,
      text: rendered.text,
      ...(headers ? { headers } : {}),
      tags: { campaign_id: input.campaign.id },
    },
    links,
  };
}
