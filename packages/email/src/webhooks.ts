import { fromBase64, hmacSha256, timingSafeEqual, toBase64 } from "./crypto";

/** Standard Webhooks allows five minutes of clock skew either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = "whsec_";

/** A new signing secret: `whsec_` + base64 of 32 random bytes (the spec allows 24–64). */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const bytes = fromBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
  if (!bytes || bytes.length < 16)
    throw new TypeError("webhook secret: whsec_ followed by base64 of at least 16 bytes");
  return bytes;
}

const ID = /^[\x21-\x7e]{1,256}$/;

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.payload">`. */
export async function webhookSignature(
  id: string,
  timestamp: number,
  payload: string,
  secret: string,
): Promise<string> {
  const mac = await hmacSha256(secretBytes(secret), `${id}.${timestamp}.${payload}`, "standard-webhooks");
  return `v1,${toBase64(mac)}`;
}

export interface SignWebhookInput {
  /** Unique per message and the same on every retry of it (receivers dedupe on it). */
  id: string;
  /** Unix seconds, or a Date. */
  timestamp: number | Date;
  /** The exact body bytes as text. */
  payload: string;
  /** One secret, or several while a rotation is under way (each gets its own signature). */
  secret: string | readonly string[];
}

/** The three Standard Webhooks headers for a payload. */
export async function signWebhook(input: SignWebhookInput): Promise<Record<string, string>> {
  if (!ID.test(input.id)) throw new TypeError("webhook id: 1-256 visible ASCII characters");
  const timestamp =
    input.timestamp instanceof Date
      ? Math.floor(input.timestamp.getTime() / 1000)
      : Math.floor(input.timestamp);
  const secrets = typeof input.secret === "string" ? [input.secret] : input.secret;
  if (secrets.length === 0) throw new TypeError("webhook secret: at least one");
  const signatures = await Promise.all(
    secrets.map((secret) => webhookSignature(input.id, timestamp, input.payload, secret)),
  );
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatures.join(" "),
  };
}

export type WebhookProblem =
  | "missing headers"
  | "bad timestamp"
  | "timestamp too old"
  | "timestamp too new"
  | "no matching signature";

export type WebhookVerification =
  | { ok: true; id: string; timestamp: number }
  | { ok: false; problem: WebhookProblem };

/** Reads headers from a Headers object or a plain record (case-insensitive). */
type HeaderSource = Headers | Record<string, string | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : record[key];
}

export interface VerifyWebhookInput {
  headers: HeaderSource;
  /** The raw body as received, before any JSON parsing. */
  payload: string;
  /** Every secret currently valid (the new and the old one during a rotation). */
  secrets: string | readonly string[];
  /** Unix seconds; default now. */
  now?: number;
  toleranceSeconds?: number;
}

/**
 * Verifies a Standard Webhooks delivery: any `v1` signature in the header may match any of the
 * secrets, and the timestamp must be within the tolerance. Also reads Svix's `svix-*` headers,
 * which is how Resend signs its webhooks. Never throws on input; throws only on a malformed secret.
 */
export async function verifyWebhook(input: VerifyWebhookInput): Promise<WebhookVerification> {
  const id = header(input.headers, "webhook-id") ?? header(input.headers, "svix-id");
  const stamp = header(input.headers, "webhook-timestamp") ?? header(input.headers, "svix-timestamp");
  const signature = header(input.headers, "webhook-signature") ?? header(input.headers, "svix-signature");
  if (!id || !stamp || !signature) return { ok: false, problem: "missing headers" };
  if (!/^\d{1,12}$/.test(stamp)) return { ok: false, problem: "bad timestamp" };
  const timestamp = Number(stamp);
  const now = Math.floor(input.now ?? Date.now() / 1000);
  const tolerance = input.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (timestamp < now - tolerance) return { ok: false, problem: "timestamp too old" };
  if (timestamp > now + tolerance) return { ok: false, problem: "timestamp too new" };
  const offered = signature
    .split(" ")
    .filter((part) => part.startsWith("v1,"))
    .map((part) => part.slice(3))
    // A sender rotates through two or three secrets; more signatures than this is someone probing.
    .slice(0, 10);
  const secrets = typeof input.secrets === "string" ? [input.secrets] : input.secrets;
  for (const secret of secrets) {
    const expected = (await webhookSignature(id, timestamp, input.payload, secret)).slice(3);
    // Compare against every offered signature, without stopping early on a match in the middle.
    let matched = false;
    for (const candidate of offered) matched = timingSafeEqual(candidate, expected) || matched;
    if (matched) return { ok: true, id, timestamp };
  }
  return { ok: false, problem: "no matching signature" };
}
