import { decodeBase64Url, encodeBase64Url } from "@pushbunny/core";

const utf8 = new TextEncoder();
const hmacKeys = new Map<string, Promise<CryptoKey>>();

// Keys are cached per (purpose, secret): the click redirect and the webhook verifier run once per
// request, and importKey costs as much as the HMAC itself. The purpose label keeps one secret from
// producing the same MAC for two kinds of token.
function hmacKey(purpose: string, secret: string | Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const raw = typeof secret === "string" ? utf8.encode(secret) : secret;
  const cacheKey = `${purpose}\u0000${typeof secret === "string" ? secret : toBase64(secret)}`;
  let key = hmacKeys.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    // A bounded cache: secrets are few (one per project or endpoint), but never let it grow unbounded.
    if (hmacKeys.size >= 256) hmacKeys.clear();
    hmacKeys.set(cacheKey, key);
  }
  return key;
}

/** HMAC-SHA256 of a UTF-8 message. */
export async function hmacSha256(
  secret: string | Uint8Array<ArrayBuffer>,
  message: string,
  purpose = "raw",
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await hmacKey(purpose, secret);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(message)));
}

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Standard base64 (with padding) of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The bytes of standard base64 text, or null when it is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) return null;
  return decodeBase64Url(text.replaceAll("+", "-").replaceAll("/", "_"));
}

export { decodeBase64Url, encodeBase64Url };
