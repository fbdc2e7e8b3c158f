import { bytesEqual, fromBase64Url, toBase64Url } from "./encoding";
import { isId } from "./ids";

/** What a tracking token proves about an impression, without a database read. */
export interface TrackingClaims {
  projectId: string;
  experimentId: string;
  variantId: string;
  impressionId: string;
  /** When the impression was served (UTC ms). Events are attributed to this day. */
  issuedAt: number;
}

export type TokenProblem = "malformed token" | "invalid signature";

const PREFIX = "trk_";
const VERSION = "v1";
// 128 bits of HMAC-SHA256 is far beyond what an online forger can brute-force and keeps
// tokens short enough for push payloads.
const SIG_BYTES = 16;
const keyCache = new Map<string, Promise<CryptoKey>>();
const utf8 = new TextEncoder();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    keyCache.set(secret, key);
  }
  return key;
}

async function sign(secret: string, body: string): Promise<Uint8Array> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), utf8.encode(body));
  return new Uint8Array(mac).slice(0, SIG_BYTES);
}

/** Mints `trk_v1.<project>.<experiment>.<variant>.<impression>.<issuedAt36>.<sig>`. */
export async function signTrackingToken(secret: string, claims: TrackingClaims): Promise<string> {
  const body = [
    VERSION,
    claims.projectId,
    claims.experimentId,
    claims.variantId,
    claims.impressionId,
    claims.issuedAt.toString(36),
  ].join(".");
  return `${PREFIX}${body}.${toBase64Url(await sign(secret, body))}`;
}

/** Verifies a token's signature and shape; never throws. */
export async function verifyTrackingToken(
  secret: string,
  token: string,
): Promise<{ ok: true; claims: TrackingClaims } | { ok: false; problem: TokenProblem }> {
  if (typeof token !== "string" || !token.startsWith(PREFIX) || token.length > 400) {
    return { ok: false, problem: "malformed token" };
  }
  const parts = token.slice(PREFIX.length).split(".");
  if (parts.length !== 7 || parts[0] !== VERSION) return { ok: false, problem: "malformed token" };
  const [, projectId, experimentId, variantId, impressionId, issued36, sig] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const issuedAt = Number.parseInt(issued36, 36);
  const given = fromBase64Url(sig);
  if (
    ![projectId, experimentId, variantId, impressionId].every(isId) ||
    !/^[0-9a-z]{1,12}$/.test(issued36) ||
    !Number.isSafeInteger(issuedAt) ||
    !given
  ) {
    return { ok: false, problem: "malformed token" };
  }
  const expected = await sign(secret, parts.slice(0, 6).join("."));
  if (!bytesEqual(given, expected)) return { ok: false, problem: "invalid signature" };
  return { ok: true, claims: { projectId, experimentId, variantId, impressionId, issuedAt } };
}
