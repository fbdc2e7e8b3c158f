import type { GitHubAppConfig } from "./app";
import { base64ToBytes, base64UrlFromBytes, base64UrlFromString } from "./base64";
import { GitHubError } from "./types";

// DER prefix of a PKCS#8 PrivateKeyInfo for rsaEncryption: version 0 and the algorithm
// identifier; the PKCS#1 key follows as an OCTET STRING.
const PKCS8_RSA_HEADER = [
  0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

/** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo: WebCrypto imports only the latter. */
export function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array {
  const octetString = [0x04, ...derLength(pkcs1.length)];
  const innerLength = PKCS8_RSA_HEADER.length + octetString.length + pkcs1.length;
  const sequence = [0x30, ...derLength(innerLength)];
  const out = new Uint8Array(sequence.length + innerLength);
  out.set(sequence, 0);
  out.set(PKCS8_RSA_HEADER, sequence.length);
  out.set(octetString, sequence.length + PKCS8_RSA_HEADER.length);
  out.set(pkcs1, sequence.length + PKCS8_RSA_HEADER.length + octetString.length);
  return out;
}

function badKey(reason: string): GitHubError {
  return new GitHubError(
    "unauthorized",
    `GITHUB_APP_PRIVATE_KEY ${reason}: paste the whole .pem file GitHub generated for the App ("-----BEGIN RSA PRIVATE KEY-----" … "-----END RSA PRIVATE KEY-----")`,
  );
}

/** Imports the App's key for RS256 signing; GitHub's download is PKCS#1, WebCrypto wants PKCS#8. */
export async function importAppKey(pem: string): Promise<CryptoKey> {
  // Secrets pasted through one-line forms often carry "\n" literally.
  const text = pem.replace(/\\n/g, "\n").trim();
  const match = /^-----BEGIN (RSA )?PRIVATE KEY-----([\s\S]+?)-----END (RSA )?PRIVATE KEY-----$/.exec(text);
  if (!match) {
    if (/BEGIN (ENCRYPTED |EC |OPENSSH )?PRIVATE KEY/.test(text)) {
      throw badKey("is not an unencrypted RSA private key");
    }
    throw badKey("is not a PEM private key");
  }
  if ((match[1] ?? "") !== (match[3] ?? "")) throw badKey("has mismatched BEGIN/END lines");
  let der: Uint8Array;
  try {
    der = base64ToBytes((match[2] ?? "").replace(/\s+/g, ""));
  } catch {
    throw badKey("is not valid base64 between its BEGIN and END lines");
  }
  if (der.length < 64 || der[0] !== 0x30) throw badKey("does not hold a DER key");
  const pkcs8 = match[1] ? pkcs1ToPkcs8(der) : der;
  try {
    return await crypto.subtle.importKey(
      "pkcs8",
      pkcs8,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
  } catch {
    throw badKey("could not be read as an RSA private key");
  }
}

/**
 * The App's JWT (RS256) for the /app endpoints: issued a minute in the past against clock drift,
 * valid 9 minutes (GitHub refuses more than 10).
 */
export async function createAppJwt(
  config: Pick<GitHubAppConfig, "appId" | "privateKeyPem">,
  nowMs: number,
): Promise<string> {
  if (!/^\S+$/.test(config.appId)) throw badAppId();
  const key = await importAppKey(config.privateKeyPem);
  const now = Math.floor(nowMs / 1000);
  const header = base64UrlFromString(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = base64UrlFromString(
    JSON.stringify({ iat: now - 60, exp: now + 9 * 60, iss: config.appId }),
  );
  const input = `${header}.${payload}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(input));
  return `${input}.${base64UrlFromBytes(new Uint8Array(signature))}`;
}

function badAppId(): GitHubError {
  return new GitHubError(
    "unauthorized",
    "GITHUB_APP_ID is empty: set it to the App ID on the App's settings page",
  );
}
