import { fromBase64Url, toBase64Url } from "./encoding";

const VERSION = "v1";
const utf8 = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

// The secret may be any long string: HKDF turns it into an AES key, with a purpose label so
// the same secret could key other things without the keys ever coinciding.
function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = (async () => {
      const material = await crypto.subtle.importKey("raw", utf8.encode(secret), "HKDF", false, [
        "deriveKey",
      ]);
      return crypto.subtle.deriveKey(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: utf8.encode("pushbunny-seal"),
          info: utf8.encode(`seal ${VERSION}`),
        },
        material,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"],
      );
    })();
    keys.set(secret, key);
  }
  return key;
}

/**
 * Encrypts `plaintext` with AES-256-GCM under a key derived from `secret`. `context` (e.g. the
 * owning project and purpose) is bound as associated data: a sealed value copied to another
 * row does not open there. Output: `v1.<iv>.<ciphertext+tag>`, base64url.
 */
export async function seal(secret: string, context: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: utf8.encode(context) },
    await keyFor(secret),
    utf8.encode(plaintext),
  );
  return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** Opens a value sealed by `seal` with the same secret and context; null if it does not. */
export async function unseal(secret: string, context: string, sealed: string): Promise<string | null> {
  const [version, iv, body] = sealed.split(".");
  if (version !== VERSION || !iv || !body) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: utf8.encode(context) },
      await keyFor(secret),
      fromBase64Url(body),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
