import { decodeBase64Url } from "./base64url";

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
  /** Accept 127.0.0.1, localhost and [::1], over http too: tests and local development only. */
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
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Whether `hostname` (as URL.hostname gives it) is a loopback host this package lets through. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
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

/** Problems with a push endpoint URL, each starting "endpoint: " (empty = acceptable). */
export function endpointProblems(endpoint: string, policy: EndpointPolicy): string[] {
  if (endpoint.length > MAX_ENDPOINT_LENGTH) {
    return [`endpoint: longer than ${MAX_ENDPOINT_LENGTH} characters`];
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return ["endpoint: not a valid URL"];
  }
  const problems: string[] = [];
  const loopback = policy.allowLoopback && isLoopbackHost(url.hostname);
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
