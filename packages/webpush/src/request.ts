import { encryptNotification, vapidHeaders } from "@block65/webcrypto-web-push";
import type { VapidKeyPair } from "./keys";
import { isLoopbackHost, keyProblems, type SubscriptionKeys } from "./subscription";

/**
 * The largest plaintext in bytes: a push service need only accept 4096 octets of body (RFC 8030
 * §7.2), and the aes128gcm header (86), padding delimiter (1) and GCM tag (16) share them.
 */
export const MAX_PAYLOAD_BYTES = 3993;

/** RFC 8030 §5.2–5.4 delivery options. */
export interface PushOptions {
  /** Seconds the push service keeps an undelivered message, 0..2419200 (28 days, FCM's cap). */
  ttl: number;
  urgency?: "very-low" | "low" | "normal" | "high";
  /** Replaces an undelivered message with the same topic: at most 32 base64url characters. */
  topic?: string;
}

/** A ready-to-send request: `fetch(request.url, request.init)`. */
export interface PushRequest {
  url: string;
  init: { method: "POST"; headers: Record<string, string>; body: Uint8Array };
  /** Size of the encrypted body; always 4096, since every payload is padded to hide its length. */
  encryptedBytes: number;
}

/** The payload does not fit in one push message; `bytes` is its UTF-8 size. */
export class PayloadTooLargeError extends Error {
  readonly bytes: number;

  constructor(bytes: number) {
    super(`push payload is ${bytes} bytes, the maximum is ${MAX_PAYLOAD_BYTES}`);
    this.name = "PayloadTooLargeError";
    this.bytes = bytes;
  }
}

/** The subscription cannot be encrypted for (its keys are malformed); it will never work. */
export class InvalidSubscriptionError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid push subscription: ${problems.join("; ")}`);
    this.name = "InvalidSubscriptionError";
    this.problems = problems;
  }
}

const encoder = new TextEncoder();
const MAX_TTL_SECONDS = 2_419_200;
const URGENCIES: ReadonlySet<string> = new Set(["very-low", "low", "normal", "high"]);
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;

/** The UTF-8 size of a payload, the number MAX_PAYLOAD_BYTES limits. */
export function payloadBytes(payload: string): number {
  return encoder.encode(payload).byteLength;
}

/**
 * Encrypts `payload` (RFC 8291 aes128gcm, padded to 4096 bytes) for the subscription and signs a
 * VAPID JWT (RFC 8292, valid 12 h) for its push service. Throws PayloadTooLargeError above
 * MAX_PAYLOAD_BYTES, InvalidSubscriptionError for keys that cannot be encrypted to, and RangeError
 * for bad options or a VAPID subject that is not a mailto: or https: URI. An http endpoint is accepted only on loopback (local dev and tests): it is still
 * the URL requested, but the JWT audience is the https origin of the same host and port, because
 * the signer refuses http and push services only ever see https audiences.
 */
export async function buildPushRequest(
  sub: { endpoint: string; keys: SubscriptionKeys },
  payload: string,
  options: PushOptions,
  vapid: { subject: string } & VapidKeyPair,
  /** `keysChecked`: the keys passed subscriptionProblems when stored, skip checking them again. */
  trust: { keysChecked?: boolean } = {},
): Promise<PushRequest> {
  checkOptions(options);
  // RFC 8292 §2.1 contact URI. Some services (Apple) refuse JWTs without one, and failing here beats
  // a 403 that stops the whole batch.
  if (!/^(mailto:|https:)/.test(vapid.subject)) {
    throw new RangeError("VAPID subject must be a mailto: or https: URI");
  }
  const plaintext = encoder.encode(payload);
  if (plaintext.byteLength > MAX_PAYLOAD_BYTES) throw new PayloadTooLargeError(plaintext.byteLength);
  const url = new URL(sub.endpoint);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new RangeError(`push endpoint must be https, got ${url.protocol}`);
  }
  // The library's own key checks throw bare Errors (or a DOMException from importKey); naming the
  // field lets the caller retire the subscription instead of retrying it forever.
  if (!trust.keysChecked) {
    const problems = await keyProblems(sub.keys);
    if (problems.length > 0) throw new InvalidSubscriptionError(problems);
  }

  // An explicit ":80" keeps the port distinct: https://localhost would mean port 443.
  const audience = url.protocol === "http:" ? `https://${url.hostname}:${url.port || "80"}` : url.origin;
  const subscription = { endpoint: `${audience}/`, expirationTime: null, keys: sub.keys };
  const [authorization, body] = await Promise.all([
    vapidAuthorization(audience, subscription, vapid),
    encryptNotification(subscription, plaintext),
  ]);

  // buildPushPayload from the library is not used: it turns a TTL of 0 into 60 and has no
  // "very-low" urgency.
  const headers: Record<string, string> = {
    authorization,
    ttl: String(options.ttl),
    "content-encoding": "aes128gcm",
    "content-type": "application/octet-stream",
    "content-length": String(body.byteLength),
  };
  if (options.urgency !== undefined) headers.urgency = options.urgency;
  if (options.topic !== undefined) headers.topic = options.topic;
  return { url: sub.endpoint, init: { method: "POST", headers, body }, encryptedBytes: body.byteLength };
}

// A VAPID JWT depends only on the push service's origin, the key and the subject, and the
// library signs it for 12 h: one signature per (service, key) serves a whole broadcast instead
// of one ECDSA signature per message. Renewed well before it expires.
const JWT_REUSE_MS = 6 * 3_600_000;
const MAX_CACHED_JWTS = 1_000;
const jwtCache = new Map<string, { authorization: Promise<string>; renewAt: number }>();

function vapidAuthorization(
  audience: string,
  subscription: { endpoint: string; expirationTime: null; keys: SubscriptionKeys },
  vapid: { subject: string } & VapidKeyPair,
): Promise<string> {
  const key = `${audience}|${vapid.publicKey}|${vapid.subject}`;
  const now = Date.now();
  const hit = jwtCache.get(key);
  if (hit && hit.renewAt > now) return hit.authorization;
  if (jwtCache.size >= MAX_CACHED_JWTS) jwtCache.clear();
  const authorization = vapidHeaders(subscription, {
    subject: vapid.subject,
    publicKey: vapid.publicKey,
    privateKey: vapid.privateKey,
  }).then((h) => h.headers.authorization);
  // A failed signature must not be served from the cache.
  authorization.catch(() => jwtCache.delete(key));
  jwtCache.set(key, { authorization, renewAt: now + JWT_REUSE_MS });
  return authorization;
}

function checkOptions(options: PushOptions): void {
  if (!Number.isInteger(options.ttl) || options.ttl < 0 || options.ttl > MAX_TTL_SECONDS) {
    throw new RangeError(`push ttl must be an integer from 0 to ${MAX_TTL_SECONDS} seconds`);
  }
  if (options.urgency !== undefined && !URGENCIES.has(options.urgency)) {
    throw new RangeError(`push urgency must be one of ${[...URGENCIES].join(", ")}`);
  }
  if (options.topic !== undefined && !TOPIC.test(options.topic)) {
    throw new RangeError("push topic must be 1 to 32 base64url characters");
  }
}
