import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  type ECDH,
  hkdfSync,
  type KeyObject,
  randomBytes,
  verify,
} from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A push service stand-in (RFC 8030) for tests and the benchmark. It checks what a real one checks
 * (the VAPID JWT of RFC 8292, aes128gcm content coding, a TTL header) and also decrypts every
 * message with its own RFC 8291 implementation on node:crypto, so a round trip through it proves
 * the sender's encryption without trusting the library that did it.
 *
 * The Worker tests run inside workerd and cannot call into this process, so everything is
 * reachable over HTTP as well as through the returned object:
 *
 * - `POST /_control/subscriptions` `{ "script"?: number[] | "ok" }` → `{ id, endpoint, keys }`, a
 *   subscriber whose deliveries are answered with the scripted statuses in order (the last one
 *   repeats; default 201).
 * - `POST /push/<id>` — a delivery. Anything that fails verification or decryption gets 400 with
 *   `{ reason }` (413 for a body over 4096 bytes, 404 for an unknown subscriber) and is recorded as
 *   a failure.
 * - A 3xx in a script is answered with `Location: <base>/_redirected/<id>`; any request that
 *   follows it there is counted (`redirectsFollowed`), so a test can prove a sender never follows.
 * - `GET /_control/deliveries[?endpoint=…|?id=…]` → `{ deliveries, failures, redirectsFollowed }`.
 * - `GET /_control/stats` → counts. `POST /_control/reset` forgets everything.
 *
 * One instance serves a whole test run, with test files in parallel: query deliveries by your own
 * endpoint rather than asserting global counts or resetting.
 */

/** The statuses a subscriber answers with, in order; "ok" is [201]. */
export type DeliveryScript = readonly number[] | "ok";

/** What a browser would hand the application server, plus the id the service knows it by. */
export interface FakeSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** A message that passed every check, as the subscriber's browser would have received it. */
export interface FakeDelivery {
  id: string;
  endpoint: string;
  /** Epoch milliseconds. */
  at: number;
  /** The status the service answered (from the script). */
  status: number;
  ttl: number;
  urgency: string | null;
  topic: string | null;
  /** The decrypted body, UTF-8. */
  payload: string;
  claims: VapidClaims;
}

/** A request the service refused before the script was consulted. */
export interface FakeFailure {
  /** The subscriber id from the path (perhaps of no subscriber). */
  id: string;
  at: number;
  status: number;
  reason: string;
}

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
  [claim: string]: unknown;
}

export interface FakePushStats {
  subscribers: number;
  deliveries: number;
  failures: number;
  /** Deliveries per answered status, e.g. { "201": 9, "410": 1 }. */
  byStatus: Record<string, number>;
}

export interface FakePushService {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** The VAPID `aud` the service accepts: its own origin with the https scheme. */
  audience: string;
  createSubscriber(script?: DeliveryScript): FakeSubscription;
  /** Deliveries in arrival order, all or one subscriber's (by id or endpoint). */
  deliveries(filter?: { id?: string; endpoint?: string }): FakeDelivery[];
  failures(filter?: { id?: string; endpoint?: string }): FakeFailure[];
  /** Requests that followed a scripted 3xx to its Location, per subscriber id (or all). */
  redirectsFollowed(filter?: { id?: string; endpoint?: string }): number;
  stats(): FakePushStats;
  reset(): void;
  close(): Promise<void>;
}

/** A subscriber's secrets: the user agent's ECDH key pair and authentication secret. */
export interface SubscriberKeys {
  ecdh: ECDH;
  auth: Buffer;
}

/** A fresh P-256 key pair and 16-byte auth secret, as a browser makes on subscribe(). */
export function generateSubscriberKeys(): SubscriberKeys & { p256dh: string; authSecret: string } {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    ecdh,
    auth,
    p256dh: ecdh.getPublicKey().toString("base64url"),
    authSecret: auth.toString("base64url"),
  };
}

/** A refusal with the status the service answers it with. */
export class PushRejection extends Error {
  readonly status: number;

  constructor(message: string, status = 400) {
    super(message);
    this.name = "PushRejection";
    this.status = status;
  }
}

const KEY_INFO_LABEL = Buffer.from("WebPush: info\0", "latin1");
const CEK_INFO = Buffer.from("Content-Encoding: aes128gcm\0", "latin1");
const NONCE_INFO = Buffer.from("Content-Encoding: nonce\0", "latin1");
const TAG_BYTES = 16;
// RFC 8030 §7.2: a push service must accept 4096 octets of body and may refuse more with 413.
const MAX_BODY_BYTES = 4096;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Decrypts an RFC 8291 message (aes128gcm content coding, RFC 8188, single record) for the
 * subscriber and returns the plaintext as UTF-8. Throws PushRejection saying what is wrong.
 */
export function decryptAes128gcm(body: Uint8Array, keys: SubscriberKeys): string {
  const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (data.length < 21) throw new PushRejection("aes128gcm: body shorter than its header");
  const salt = data.subarray(0, 16);
  const recordSize = data.readUInt32BE(16);
  const idLength = data[20] ?? 0;
  // RFC 8291 §4: the key id carries the sender's ephemeral public key, uncompressed.
  if (idLength !== 65) throw new PushRejection(`aes128gcm: keyid is ${idLength} bytes, expected 65`);
  const senderPublic = data.subarray(21, 21 + idLength);
  const record = data.subarray(21 + idLength);
  if (record.length < TAG_BYTES + 1) throw new PushRejection("aes128gcm: record too short");
  // One record only: Web Push messages are never split (RFC 8291 §4).
  if (record.length > recordSize) throw new PushRejection("aes128gcm: more than one record");

  let ecdhSecret: Buffer;
  try {
    ecdhSecret = keys.ecdh.computeSecret(senderPublic);
  } catch {
    throw new PushRejection("aes128gcm: keyid is not a P-256 point");
  }
  const uaPublic = keys.ecdh.getPublicKey();
  const keyInfo = Buffer.concat([KEY_INFO_LABEL, uaPublic, senderPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", ecdhSecret, keys.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, CEK_INFO, 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, NONCE_INFO, 12));

  let padded: Buffer;
  try {
    const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
    padded = Buffer.concat([
      decipher.update(record.subarray(0, record.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new PushRejection("aes128gcm: authentication failed (wrong keys or tampered body)");
  }
  // RFC 8188 §2: data, then a delimiter (0x02 on the last record), then any number of zeros.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== 0x02) throw new PushRejection("aes128gcm: missing last-record delimiter");
  try {
    return strictUtf8.decode(padded.subarray(0, end));
  } catch {
    throw new PushRejection("payload is not UTF-8");
  }
}

// A benchmark signs every message with the same VAPID key; parsing it once keeps requests cheap.
const vapidKeyCache = new Map<string, KeyObject>();

function vapidPublicKey(k: string): KeyObject {
  const cached = vapidKeyCache.get(k);
  if (cached !== undefined) return cached;
  const raw = Buffer.from(k, "base64url");
  if (raw.length !== 65 || raw[0] !== 0x04) {
    throw new PushRejection("vapid: k is not an uncompressed P-256 point");
  }
  let key: KeyObject;
  try {
    key = createPublicKey({
      format: "jwk",
      key: {
        kty: "EC",
        crv: "P-256",
        x: raw.subarray(1, 33).toString("base64url"),
        y: raw.subarray(33).toString("base64url"),
      },
    });
  } catch {
    throw new PushRejection("vapid: k is not a point on P-256");
  }
  if (vapidKeyCache.size > 100) vapidKeyCache.clear();
  vapidKeyCache.set(k, key);
  return key;
}

function parseJsonSegment(segment: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Reported below, as for a non-object.
  }
  throw new PushRejection(`vapid: JWT ${what} is not a JSON object`);
}

/**
 * Verifies an `Authorization: vapid t=<jwt>, k=<key>` header (RFC 8292 §3) for `audience` and
 * returns the JWT claims. Refusals are 400 (a real service says 401 or 403) so that a test reading
 * a 401/403 knows it came from the script, not from a signing bug.
 */
export function verifyVapid(
  authorization: string | undefined,
  audience: string,
  now = Date.now(),
): VapidClaims {
  const match = /^vapid\s+(.+)$/i.exec(authorization ?? "");
  if (!match?.[1]) throw new PushRejection("vapid: no `Authorization: vapid …` header");
  const params = new Map<string, string>();
  for (const part of match[1].split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const token = params.get("t");
  const k = params.get("k");
  if (!token || !k) throw new PushRejection("vapid: t= and k= are both required");

  const segments = token.split(".");
  if (segments.length !== 3) throw new PushRejection("vapid: t is not a JWS compact serialization");
  const [headerPart, claimsPart, signaturePart] = segments as [string, string, string];
  const header = parseJsonSegment(headerPart, "header");
  if (header.alg !== "ES256" || header.typ !== "JWT") {
    throw new PushRejection("vapid: JWT header must be { typ: JWT, alg: ES256 }");
  }
  const signature = Buffer.from(signaturePart, "base64url");
  // JWS ES256 signatures are r || s, 32 bytes each (RFC 7518 §3.4), not DER.
  if (signature.length !== 64) throw new PushRejection("vapid: ES256 signature must be 64 bytes");
  const key = vapidPublicKey(k);
  const signed = Buffer.from(`${headerPart}.${claimsPart}`, "ascii");
  if (!verify("sha256", signed, { key, dsaEncoding: "ieee-p1363" }, signature)) {
    throw new PushRejection("vapid: bad JWT signature for k");
  }

  const claims = parseJsonSegment(claimsPart, "claims");
  if (claims.aud !== audience) {
    throw new PushRejection(`vapid: aud ${JSON.stringify(claims.aud)} is not ${audience}`);
  }
  const nowSeconds = Math.floor(now / 1000);
  if (typeof claims.exp !== "number" || claims.exp <= nowSeconds) {
    throw new PushRejection("vapid: JWT expired (or no exp)");
  }
  // RFC 8292 §2: exp no more than 24 hours from the time of the request.
  if (claims.exp > nowSeconds + 24 * 60 * 60) throw new PushRejection("vapid: exp more than 24 h ahead");
  if (typeof claims.sub !== "string" || !/^(mailto:|https:)/.test(claims.sub)) {
    throw new PushRejection("vapid: sub must be a mailto: or https: URI");
  }
  return claims as VapidClaims;
}

interface Subscriber {
  id: string;
  endpoint: string;
  keys: SubscriberKeys;
  script: number[];
  answered: number;
  deliveries: FakeDelivery[];
}

const URGENCIES = new Set(["very-low", "low", "normal", "high"]);
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;

/** Starts the service on 127.0.0.1 at a random port. It never keeps the process alive. */
export async function startFakePushService(): Promise<FakePushService> {
  const subscribers = new Map<string, Subscriber>();
  let deliveries: FakeDelivery[] = [];
  let failures: FakeFailure[] = [];
  let followed = new Map<string, number>();
  let nextId = 1;
  let nextMessage = 1;
  let baseUrl = "";
  let audience = "";

  const createSubscriber = (script: DeliveryScript = "ok"): FakeSubscription => {
    const statuses = script === "ok" ? [201] : [...script];
    if (statuses.length === 0) statuses.push(201);
    for (const status of statuses) {
      if (!Number.isInteger(status) || status < 200 || status > 599) {
        throw new RangeError(`script status ${status} is not an HTTP status from 200 to 599`);
      }
    }
    // Ids are unguessable, like real endpoints, and unique across resets.
    const id = `${nextId++}-${randomBytes(6).toString("base64url")}`;
    const keys = generateSubscriberKeys();
    const endpoint = `${baseUrl}/push/${id}`;
    subscribers.set(id, {
      id,
      endpoint,
      keys,
      script: statuses,
      answered: 0,
      deliveries: [],
    });
    return { id, endpoint, keys: { p256dh: keys.p256dh, auth: keys.authSecret } };
  };

  const idFrom = (filter?: { id?: string; endpoint?: string }): string | undefined => {
    if (filter?.id !== undefined) return filter.id;
    if (filter?.endpoint !== undefined) return /\/push\/([^/?#]+)/.exec(filter.endpoint)?.[1] ?? "";
    return undefined;
  };
  const listDeliveries = (filter?: { id?: string; endpoint?: string }): FakeDelivery[] => {
    const id = idFrom(filter);
    return id === undefined ? [...deliveries] : [...(subscribers.get(id)?.deliveries ?? [])];
  };
  const listFailures = (filter?: { id?: string; endpoint?: string }): FakeFailure[] => {
    const id = idFrom(filter);
    return failures.filter((f) => id === undefined || f.id === id);
  };
  const redirectsFollowed = (filter?: { id?: string; endpoint?: string }): number => {
    const id = idFrom(filter);
    if (id !== undefined) return followed.get(id) ?? 0;
    let n = 0;
    for (const v of followed.values()) n += v;
    return n;
  };
  const stats = (): FakePushStats => {
    const byStatus: Record<string, number> = {};
    for (const d of deliveries) byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
    return {
      subscribers: subscribers.size,
      deliveries: deliveries.length,
      failures: failures.length,
      byStatus,
    };
  };
  const reset = (): void => {
    subscribers.clear();
    deliveries = [];
    failures = [];
    followed = new Map();
  };

  const push = (id: string, req: IncomingMessage, body: Buffer, res: ServerResponse): void => {
    const subscriber = subscribers.get(id);
    try {
      if (req.method !== "POST") throw new PushRejection("deliveries are POSTs", 405);
      if (subscriber === undefined) throw new PushRejection("no such subscription", 404);
      if (body.length > MAX_BODY_BYTES) throw new PushRejection(`body is ${body.length} bytes`, 413);
      const ttlHeader = header(req, "ttl");
      if (ttlHeader === undefined || !/^\d+$/.test(ttlHeader)) {
        throw new PushRejection("TTL header missing or not a number of seconds");
      }
      if (header(req, "content-encoding")?.toLowerCase() !== "aes128gcm") {
        throw new PushRejection("Content-Encoding must be aes128gcm");
      }
      const urgency = header(req, "urgency") ?? null;
      if (urgency !== null && !URGENCIES.has(urgency)) throw new PushRejection(`bad Urgency ${urgency}`);
      const topic = header(req, "topic") ?? null;
      if (topic !== null && !TOPIC.test(topic)) throw new PushRejection(`bad Topic ${topic}`);
      const claims = verifyVapid(header(req, "authorization"), audience);
      const payload = decryptAes128gcm(body, subscriber.keys);

      const status = subscriber.script[Math.min(subscriber.answered, subscriber.script.length - 1)] ?? 201;
      subscriber.answered++;
      const delivery: FakeDelivery = {
        id,
        endpoint: subscriber.endpoint,
        at: Date.now(),
        status,
        ttl: Number(ttlHeader),
        urgency,
        topic,
        payload,
        claims,
      };
      deliveries.push(delivery);
      subscriber.deliveries.push(delivery);
      answer(res, status, id);
    } catch (err) {
      // Anything unexpected is still answered and recorded: a throw here would crash the test run.
      const status = err instanceof PushRejection ? err.status : 500;
      const reason = err instanceof Error ? err.message : String(err);
      failures.push({ id, at: Date.now(), status, reason });
      sendJson(res, status, { reason });
    }
  };

  const answer = (res: ServerResponse, status: number, id: string): void => {
    if (status === 201) {
      res.writeHead(201, { location: `${baseUrl}/message/${id}/${nextMessage++}`, "content-length": "0" });
      res.end();
    } else if (status === 429) {
      sendJson(res, 429, { reason: "scripted rate limit" }, { "retry-after": "1" });
    } else if (status >= 300 && status < 400) {
      res.writeHead(status, { location: `${baseUrl}/_redirected/${id}`, "content-length": "0" });
      res.end();
    } else if (status >= 200 && status < 300) {
      res.writeHead(status, { "content-length": "0" });
      res.end();
    } else {
      sendJson(res, status, { reason: `scripted ${status}` });
    }
  };

  const control = (req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): void => {
    const route = `${req.method} ${url.pathname}`;
    if (route === "POST /_control/subscriptions") {
      let script: DeliveryScript | undefined;
      try {
        const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
        const raw = (parsed as { script?: unknown } | null)?.script;
        if (raw !== undefined && raw !== "ok" && !(Array.isArray(raw) && raw.every(Number.isInteger))) {
          throw new RangeError('script must be "ok" or an array of HTTP statuses');
        }
        script = raw as DeliveryScript | undefined;
        sendJson(res, 201, createSubscriber(script));
      } catch (err) {
        sendJson(res, 400, { reason: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    if (route === "GET /_control/deliveries") {
      const id = url.searchParams.get("id") ?? undefined;
      const endpoint = url.searchParams.get("endpoint") ?? undefined;
      const filter = id !== undefined ? { id } : endpoint !== undefined ? { endpoint } : undefined;
      sendJson(res, 200, {
        deliveries: listDeliveries(filter),
        failures: listFailures(filter),
        redirectsFollowed: redirectsFollowed(filter),
      });
      return;
    }
    if (route === "GET /_control/stats") {
      sendJson(res, 200, stats());
    } else if (route === "POST /_control/reset") {
      reset();
      sendJson(res, 200, { ok: true });
    } else {
      sendJson(res, 404, { reason: `no control route ${route}` });
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", baseUrl);
      const body = Buffer.concat(chunks);
      const pushPath = /^\/push\/([^/]+)$/.exec(url.pathname);
      const redirected = /^\/_redirected\/([^/]+)$/.exec(url.pathname);
      if (pushPath?.[1] !== undefined) push(pushPath[1], req, body, res);
      else if (redirected?.[1] !== undefined) {
        followed.set(redirected[1], (followed.get(redirected[1]) ?? 0) + 1);
        sendJson(res, 201, { reason: "a redirect was followed: it never should be" });
      } else if (url.pathname.startsWith("/_control/")) control(req, url, body, res);
      else sendJson(res, 404, { reason: `no route ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // It lives as long as the test run and must not keep the process alive after it.
  server.unref();
  server.on("connection", (socket) => socket.unref());
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  audience = `https://127.0.0.1:${port}`;

  return {
    baseUrl,
    audience,
    createSubscriber,
    deliveries: listDeliveries,
    failures: listFailures,
    redirectsFollowed,
    stats,
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}
