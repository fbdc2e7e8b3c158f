import { fromBase64Url, toBase64Url } from "./encoding";
import { isId } from "./ids";

const PREFIX = "rcp_v1";
const utf8 = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      utf8.encode(`receipt:${secret}`),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keys.set(secret, key);
  }
  return key;
}

/**
 * A receipt token lets a service worker report one delivery as displayed or clicked without
 * an API key: `rcp_v1.<project>.<delivery>.<hmac>`. It proves nothing else.
 */
export async function signReceipt(secret: string, projectId: string, deliveryId: string): Promise<string> {
  if (!isId(projectId) || !isId(deliveryId)) throw new TypeError("receipt claims must be ids");
  const body = `${PREFIX}.${projectId}.${deliveryId}`;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), utf8.encode(body)));
  return `${body}.${toBase64Url(mac.slice(0, 16))}`;
}

/** The (project, delivery) a receipt names, or null when it is malformed or forged. */
export async function verifyReceipt(
  secret: string,
  token: string,
): Promise<{ projectId: string; deliveryId: string } | null> {
  if (typeof token !== "string" || token.length > 200) return null;
  const parts = token.split(".");
  if (parts.length !== 4 || parts[0] !== PREFIX) return null;
  const [, projectId, deliveryId, sig] = parts as [string, string, string, string];
  if (!isId(projectId) || !isId(deliveryId)) return null;
  let given: Uint8Array;
  try {
    given = fromBase64Url(sig);
  } catch {
    return null;
  }
  if (given.length !== 16) return null;
  const mac = new Uint8Array(
    await crypto.subtle.sign(
      "HMAC",
      await hmacKey(secret),
      utf8.encode(`${PREFIX}.${projectId}.${deliveryId}`),
    ),
  );
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= (mac[i] ?? 0) ^ (given[i] ?? 0);
  return diff === 0 ? { projectId, deliveryId } : null;
}
