import { decodeBase64Url } from "@pushbunny/core";

/** The keys of a browser PushSubscription, as `toJSON()` gives them. */
export interface SubscriptionKeys {
  p256dh: string;
  auth: string;
}

/** Which push services subscriptions may point at. */
export interface EndpointPolicy {
  /**
   * Host suffixes, matched on label boundaries: "fcm.googleapis.com" matches that host and its
   * subdomains, ".push.apple.com" only subdomains.
   */
  allowedHosts: readonly string[];
  /**
   * Accept loopback endpoints, over http too: tests and local development only. Loopback means
   * exactly the hosts `localhost`, `127.0.0.0/8` in dotted decimal, and `[::1]` (see isLoopbackHost).
   */
  allowLoopback: boolean;
}

/**
 * The push services browsers hand out endpoints for. The endpoint is attacker-controlled input
 * that the Worker will POST to, so anything else is refused rather than fetched.
 */
export const DEFAULT_PUSH_HOSTS: readonly string[] = Object.freeze([
  // Chrome, Edge (Chromium), Opera, Samsung Internet; android.googleapis.com is FCM's legacy host.
  "fcm.googleapis.com",
  "android.googleapis.com",
  // Firefox
  "updates.push.services.mozilla.com",
  "push.services.mozilla.com",
  // Safari 16+ (web.push.apple.com)
  ".push.apple.com",
  // Legacy Edge / Windows (wns2-*.notify.windows.com)
  ".notify.windows.com",
]);

// RFC 8030 leaves endpoint length open; real ones are under 500 characters, and a bound keeps a
// hostile client from storing kilobytes per row.
const MAX_ENDPOINT_LENGTH = 2048;
// 127.0.0.0/8 in plain dotted decimal only: no leading zeros, no decimal/hex/octal shorthands
// (2130706433, 0x7f.1, 0177.0.0.1), which URL parsers quietly turn into 127.0.0.1.
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const LOOPBACK = new RegExp(`^(?:localhost|127(?:\\.${OCTET}){3}|\\[::1\\])$`);

/**
 * Whether `host` is a loopback host this package lets through when the policy allows it:
 * exactly `localhost`, an address in 127.0.0.0/8 written as four decimal octets, or `[::1]`.
 * Not 0.0.0.0, not `localhost.example.com`, not other spellings of 127.0.0.1.
 */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

// ASCII controls, DEL, C1 controls and every Unicode space: none belongs inside a URL a browser
// hands out, and a stray one would make the same browser a second, undeliverable row.
function hasControlOrSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || (c >= 0x7f && c <= 0xa0) || c === 0xfeff || c === 0x200b || /\s/.test(text[i] ?? "")) {
      return true;
    }
  }
  return false;
}
const SCHEME_AND_AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;

/** An endpoint in its one stored form, or why it has none. */
export type NormalizedEndpoint =
  | { ok: true; endpoint: string; host: string }
  | { ok: false; problem: string };

/**
 * The one form an endpoint is validated and stored in, so one browser is stored once: trimmed,
 * scheme and host lower-cased, the rest (path and query, which push services treat as opaque
 * tokens) kept byte for byte. Control characters or whitespace inside are refused. `host` is
 * the host as written (without userinfo and port), before any URL parser rewrote it.
 */
export function normalizeEndpoint(raw: string): NormalizedEndpoint {
  const trimmed = raw.trim();
  if (hasControlOrSpace(trimmed)) {
    return { ok: false, problem: "endpoint: must not contain whitespace or control characters" };
  }
  const parts = SCHEME_AND_AUTHORITY.exec(trimmed);
  if (!parts) return { ok: false, problem: "endpoint: not a valid URL" };
  const [, scheme = "", authority = "", rest = ""] = parts;
  // A host is written in one way only: `fcm%2Egoogleapis.com` would be another row for the same
  // browser (and the parser's `fcm.googleapis.com` for the allowlist).
  if (authority.includes("%"))
    return { ok: false, problem: "endpoint: the host must not be percent-encoded" };
  const lowered = authority.toLowerCase();
  let parsedHost: string;
  try {
    parsedHost = new URL(trimmed).host;
  } catch {
    return { ok: false, problem: "endpoint: not a valid URL" };
  }
  // The parser's host drops a default port (`:443` on https), so both spellings store as one.
  const storedAuthority = lowered.includes("@") ? lowered : parsedHost;
  const endpoint = `${scheme.toLowerCase()}://${storedAuthority}${rest}`;
  const hostPort = lowered.slice(lowered.lastIndexOf("@") + 1);
  const host = hostPort.startsWith("[")
    ? hostPort.slice(0, hostPort.indexOf("]") + 1)
    : hostPort.replace(/:\d*$/, "");
  return { ok: true, endpoint, host };
}

/** Whether `hostname` matches an allowlist entry (see EndpointPolicy.allowedHosts). */
export function hostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = hostname.toLowerCase();
  return allowedHosts.some((entry) => {
    const suffix = entry.toLowerCase();
    if (suffix.startsWith(".")) return host.endsWith(suffix) && host.length > suffix.length;
    return host === suffix || host.endsWith(`.${suffix}`);
  });
}

/**
 * Problems with a push endpoint URL, each starting "endpoint: " (empty = acceptable). The
 * endpoint is read in its normalized form (see normalizeEndpoint).
 */
export function endpointProblems(endpoint: string, policy: EndpointPolicy): string[] {
  const normal = normalizeEndpoint(endpoint);
  if (!normal.ok) return [normal.problem];
  if (normal.endpoint.length > MAX_ENDPOINT_LENGTH) {
    return [`endpoint: longer than ${MAX_ENDPOINT_LENGTH} characters`];
  }
  let url: URL;
  try {
    url = new URL(normal.endpoint);
  } catch {
    return ["endpoint: not a valid URL"];
  }
  const problems: string[] = [];
  // The host as written must be the host the URL parser reads: `http://2130706433/` is parsed
  // as 127.0.0.1 and must not pass for loopback.
  const loopback = policy.allowLoopback && normal.host === url.hostname && isLoopbackHost(normal.host);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    problems.push("endpoint: must be an https URL");
  }
  if (url.username !== "" || url.password !== "") {
    problems.push("endpoint: must not contain credentials");
  }
  if (!loopback && !hostAllowed(url.hostname, policy.allowedHosts)) {
    problems.push(`endpoint: host ${url.hostname} is not a known push service`);
  }
  return problems;
}

/** Problems with a subscription's p256dh and auth, each naming the field (empty = usable). */
export async function keyProblems(keys: SubscriptionKeys): Promise<string[]> {
  const problems: string[] = [];
  const p256dh = typeof keys.p256dh === "string" ? decodeBase64Url(keys.p256dh) : null;
  if (p256dh === null) {
    problems.push("keys.p256dh: must be base64url");
  } else if (p256dh.byteLength !== 65 || p256dh[0] !== 0x04) {
    problems.push("keys.p256dh: must be a 65-byte uncompressed P-256 point (starting 0x04)");
  } else {
    try {
      // Import checks the point lies on the curve; a bogus one would only fail later, at send time.
      await crypto.subtle.importKey("raw", p256dh, { name: "ECDH", namedCurve: "P-256" }, false, []);
    } catch {
      problems.push("keys.p256dh: not a point on P-256");
    }
  }
  const auth = typeof keys.auth === "string" ? decodeBase64Url(keys.auth) : null;
  if (auth === null) {
    problems.push("keys.auth: must be base64url");
  } else if (auth.byteLength !== 16) {
    // RFC 8291 §3.2: the authentication secret is exactly 16 octets.
    problems.push(`keys.auth: must decode to 16 bytes, got ${auth.byteLength}`);
  }
  return problems;
}

/**
 * Problems with a subscription (empty = valid): the endpoint must be an https URL on an allowed
 * push service (http only on loopback when the policy allows it), without credentials, at most
 * 2048 characters; p256dh a base64url uncompressed P-256 point; auth base64url of 16 bytes.
 * Each message names its field: "endpoint: …", "keys.p256dh: …", "keys.auth: …".
 */
export async function subscriptionProblems(
  endpoint: string,
  keys: SubscriptionKeys,
  policy: EndpointPolicy,
): Promise<string[]> {
  const endpointIssues =
    typeof endpoint === "string" ? endpointProblems(endpoint, policy) : ["endpoint: must be a string"];
  return [...endpointIssues, ...(await keyProblems(keys))];
}
