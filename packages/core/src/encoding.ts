// Web Push keys arrive from browsers as unpadded base64url (PushSubscription.toJSON()); some
// client libraries pad them, so padding is tolerated, the standard alphabet's "+" and "/" are not.
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** Unpadded base64url: tokens, cursors, Web Push keys. */
export function encodeBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The bytes of a base64url string (padding optional), or null when it is not base64url. */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!BASE64URL.test(text)) return null;
  const unpadded = text.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) return null;
  const base64 = unpadded.replaceAll("-", "+").replaceAll("_", "/");
  let bin: string;
  try {
    bin = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** base64url without padding (alias kept for the token and seal code). */
export const toBase64Url = encodeBase64Url;

/** Like decodeBase64Url, but throws where that returns null. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const out = decodeBase64Url(text);
  if (!out) throw new TypeError("not base64url");
  return out;
}

/** Lowercase hex SHA-256 of a UTF-8 string. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let out = "";
  for (const b of digest) out += b.toString(16).padStart(2, "0");
  return out;
}
