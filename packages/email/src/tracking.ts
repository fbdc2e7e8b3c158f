import { encodeBase64Url, hmacSha256, timingSafeEqual } from "./crypto";
import { escapeAttribute, findLinks } from "./links";

// 128 bits of HMAC-SHA256: far beyond online guessing, and short enough for URLs.
const SIG_BYTES = 16;
const PART = /^[A-Za-z0-9_-]{1,64}$/;
const SIG = /^[A-Za-z0-9_-]{22}$/;

async function sign(secret: string, purpose: string, body: string): Promise<string> {
  const mac = await hmacSha256(secret, `${purpose}.${body}`, "email-tracking");
  return encodeBase64Url(mac.subarray(0, SIG_BYTES));
}

function checkPart(name: string, value: string): void {
  if (!PART.test(value)) throw new TypeError(`${name}: 1-64 of A-Z a-z 0-9 _ -`);
}

/** A click token: `<messageId>.<link index, base 36>.<sig>`. */
export async function signClickToken(secret: string, messageId: string, index: number): Promise<string> {
  checkPart("messageId", messageId);
  if (!Number.isSafeInteger(index) || index < 0) throw new TypeError("index: a non-negative integer");
  const body = `${messageId}.${index.toString(36)}`;
  return `${body}.${await sign(secret, "click.v1", body)}`;
}

/** The message and link a click token names, when its signature holds. Never throws. */
export async function verifyClickToken(
  secret: string,
  token: string,
): Promise<{ ok: true; messageId: string; index: number } | { ok: false }> {
  const parts = typeof token === "string" && token.length <= 200 ? token.split(".") : [];
  const [messageId, index36, sig] = parts;
  if (
    parts.length !== 3 ||
    !messageId ||
    !index36 ||
    !sig ||
    !PART.test(messageId) ||
    !/^[0-9a-z]{1,4}$/.test(index36) ||
    !SIG.test(sig)
  ) {
    return { ok: false };
  }
  const expected = await sign(secret, "click.v1", `${messageId}.${index36}`);
  if (!timingSafeEqual(sig, expected)) return { ok: false };
  return { ok: true, messageId, index: Number.parseInt(index36, 36) };
}

/** An open token: `<messageId>.<sig>`. */
export async function signOpenToken(secret: string, messageId: string): Promise<string> {
  checkPart("messageId", messageId);
  return `${messageId}.${await sign(secret, "open.v1", messageId)}`;
}

/** The message an open token names, when its signature holds. Never throws. */
export async function verifyOpenToken(
  secret: string,
  token: string,
): Promise<{ ok: true; messageId: string } | { ok: false }> {
  const parts = typeof token === "string" && token.length <= 200 ? token.split(".") : [];
  const [messageId, sig] = parts;
  if (parts.length !== 2 || !messageId || !sig || !PART.test(messageId) || !SIG.test(sig))
    return { ok: false };
  const expected = await sign(secret, "open.v1", messageId);
  return timingSafeEqual(sig, expected) ? { ok: true, messageId } : { ok: false };
}

export interface RewriteOptions {
  messageId: string;
  secret: string;
  /** Prefix the token is appended to, e.g. `https://edge.example.com/v1/email/c/`. */
  clickBase: string;
  /** Links to leave as they are (the unsubscribe and preferences links, for example). */
  exclude?: (url: string) => boolean;
}

/**
 * Points every http(s) link of an HTML part at a signed click URL. The originals are returned in
 * `links` (one entry per distinct URL; the token carries its index): the Worker keeps this list
 * with the message and redirects only to an entry of it, so the redirect is never open.
 */
export async function rewriteLinks(
  html: string,
  options: RewriteOptions,
): Promise<{ html: string; links: string[] }> {
  checkPart("messageId", options.messageId);
  const links: string[] = [];
  const indexOf = new Map<string, number>();
  const found: { start: number; end: number; index: number }[] = [];
  for (const link of findLinks(html)) {
    let url: URL;
    try {
      url = new URL(link.href);
    } catch {
      continue;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") continue;
    if (options.exclude?.(link.href)) continue;
    // The parsed form is what the redirect sends: WHATWG parsing drops tabs and line breaks and
    // percent-encodes the rest, so no control character reaches a Location header.
    const target = url.href;
    let index = indexOf.get(target);
    if (index === undefined) {
      index = links.push(target) - 1;
      indexOf.set(target, index);
    }
    found.push({ start: link.start, end: link.end, index });
  }
  // One signature per distinct link, computed together: each WebCrypto call is a promise.
  const urls = await Promise.all(
    links.map(async (_, index) =>
      escapeAttribute(options.clickBase + (await signClickToken(options.secret, options.messageId, index))),
    ),
  );
  const edits = found.map(({ start, end, index }) => ({ start, end, value: urls[index] as string }));
  let out = "";
  let at = 0;
  for (const edit of edits) {
    out += html.slice(at, edit.start) + edit.value;
    at = edit.end;
  }
  return { html: out + html.slice(at), links };
}

/** Adds a 1×1 open pixel before `</body>` (or at the end). */
export function addOpenPixel(html: string, pixelUrl: string): string {
  const img = `<img src="${escapeAttribute(pixelUrl)}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px;overflow:hidden" />`;
  const close = html.search(/<\/body\s*>(?![\s\S]*<\/body\s*>)/i);
  return close === -1 ? html + img : html.slice(0, close) + img + html.slice(close);
}

/** Who an unsubscribe link acts for. */
export interface UnsubscribeClaims {
  projectId: string;
  contactId: string;
  /** The campaign the click came from, for reporting; "-" when none. */
  campaignId?: string;
}

/** An unsubscribe token: `<projectId>.<contactId>.<campaignId or ->.<sig>`. */
export async function signUnsubscribeToken(secret: string, claims: UnsubscribeClaims): Promise<string> {
  checkPart("projectId", claims.projectId);
  checkPart("contactId", claims.contactId);
  if (claims.campaignId !== undefined) checkPart("campaignId", claims.campaignId);
  const body = `${claims.projectId}.${claims.contactId}.${claims.campaignId ?? "-"}`;
  return `${body}.${await sign(secret, "unsubscribe.v1", body)}`;
}

/** The claims of an unsubscribe token, when its signature holds. Never throws. */
export async function verifyUnsubscribeToken(
  secret: string,
  token: string,
): Promise<({ ok: true } & UnsubscribeClaims) | { ok: false }> {
  const parts = typeof token === "string" && token.length <= 300 ? token.split(".") : [];
  const [projectId, contactId, campaignId, sig] = parts;
  if (
    parts.length !== 4 ||
    !projectId ||
    !contactId ||
    !campaignId ||
    !sig ||
    !PART.test(projectId) ||
    !PART.test(contactId) ||
    !(campaignId === "-" || PART.test(campaignId)) ||
    !SIG.test(sig)
  ) {
    return { ok: false };
  }
  const expected = await sign(secret, "unsubscribe.v1", `${projectId}.${contactId}.${campaignId}`);
  if (!timingSafeEqual(sig, expected)) return { ok: false };
  return { ok: true, projectId, contactId, ...(campaignId === "-" ? {} : { campaignId }) };
}

/**
 * `List-Unsubscribe` and `List-Unsubscribe-Post` for RFC 8058 one-click unsubscribe: the URL must
 * be https and, POSTed `List-Unsubscribe=One-Click` with no cookies, must unsubscribe by itself.
 * Gmail and Yahoo require both headers for bulk senders. A mailto: is added when given.
 */
export function listUnsubscribeHeaders(url: string, mailto?: string): Record<string, string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError("List-Unsubscribe needs an absolute https URL");
  }
  if (parsed.protocol !== "https:") throw new TypeError("List-Unsubscribe needs an https URL (RFC 8058)");
  const uris = [`<${parsed.href}>`];
  if (mailto) {
    if (/[\s<>,]/.test(mailto)) throw new TypeError("List-Unsubscribe mailto: no spaces, <, > or commas");
    uris.push(`<${mailto.startsWith("mailto:") ? mailto : `mailto:${mailto}`}>`);
  }
  return { "List-Unsubscribe": uris.join(", "), "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}
