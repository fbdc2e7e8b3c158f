export type EmailNormalization = { ok: true; email: string } | { ok: false; reason: string };

const MAX_LENGTH = 254;
const LOCAL_MAX = 64;
// RFC 5322 atext plus dots, and any letter or digit (SMTPUTF8 addresses). Quoted local parts
// ("john doe"@example.com) are valid but so rare in marketing lists that they are refused.
const LOCAL = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * Trims an address and makes it the key contacts are unique on: NFC, the whole address lowercased,
 * an internationalised domain in its ASCII (punycode) form. The local part is lowercased too: RFC
 * 5321 lets a server treat it case-sensitively, but no major mailbox provider does, and two contacts
 * for one mailbox would get every campaign twice and could not both be unsubscribed by one click.
 * Dots and +tags are kept: what they mean is up to each provider.
 */
export function normalizeEmail(input: string): EmailNormalization {
  const email = input.normalize("NFC").trim();
  if (email === "") return { ok: false, reason: "is empty" };
  if (email.length > MAX_LENGTH * 2) return { ok: false, reason: "is too long" };
  if (/[\s\p{Cc}]/u.test(email)) return { ok: false, reason: "contains spaces or control characters" };
  const at = email.lastIndexOf("@");
  if (at <= 0 || at === email.length - 1)
    return { ok: false, reason: "needs one @ between a name and a domain" };
  const local = email.slice(0, at).toLowerCase();
  let domain = email.slice(at + 1).toLowerCase();
  if (domain.endsWith(".")) domain = domain.slice(0, -1);
  if (local.length > LOCAL_MAX) return { ok: false, reason: `the part before @ is longer than ${LOCAL_MAX}` };
  if (!LOCAL.test(local)) return { ok: false, reason: "has characters an address cannot have before the @" };
  if (/[/?#:@[\]\\%]/.test(domain)) return { ok: false, reason: "has an invalid domain" };
  let ascii: string;
  try {
    // WHATWG URL host parsing applies IDNA (UTS #46): "bücher.de" → "xn--bcher-kva.de".
    ascii = new URL(`http://${domain}`).hostname;
  } catch {
    return { ok: false, reason: "has an invalid domain" };
  }
  const labels = ascii.split(".");
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || !TLD.test(labels.at(-1) ?? "")) {
    return { ok: false, reason: "has an invalid domain" };
  }
  const normalized = `${local}@${ascii}`;
  if (normalized.length > MAX_LENGTH) return { ok: false, reason: "is too long" };
  return { ok: true, email: normalized };
}
