/** What a push service's answer means for the delivery and the subscription. */
export type PushOutcome =
  /** Accepted (201; 200 and 202 from some services). */
  | { kind: "sent" }
  /** 404 or 410: the subscription is gone; delete it. */
  | { kind: "expired"; status: number }
  /** 413: this message can never be delivered; fail it but keep the subscription. */
  | { kind: "too_large"; status: 413 }
  /** 429: wait `retryAfterMs` before sending to this service again. */
  | { kind: "rate_limited"; retryAfterMs: number }
  /** 401 or 403: the service refused our VAPID signature or key; stop the batch and alert. */
  | { kind: "vapid_rejected"; status: number }
  /** 5xx, a network error or a timeout (status null): try again later. */
  | { kind: "retry"; status: number | null }
  /**
   * 3xx: a push service never redirects a delivery. Requests are sent with `redirect: "manual"`
   * so the VAPID header never reaches another host; the delivery fails, the subscription stays.
   */
  | { kind: "redirected"; status: number }
  /** Any other status: fail this delivery, keep the subscription. */
  | { kind: "failed"; status: number };

// When a 429 comes without a usable Retry-After; FCM and Mozilla usually send one.
const DEFAULT_RETRY_AFTER_MS = 60_000;

/** Classifies a push service's response status (and Retry-After on 429) into what to do next. */
export function classifyPushResponse(
  status: number,
  headers: Headers,
  now: number = Date.now(),
): PushOutcome {
  if (status >= 200 && status < 300) return { kind: "sent" };
  if (status >= 300 && status < 400) return { kind: "redirected", status };
  switch (status) {
    case 404:
    case 410:
      return { kind: "expired", status };
    case 413:
      return { kind: "too_large", status };
    case 429:
      return { kind: "rate_limited", retryAfterMs: retryAfterMs(headers, now) ?? DEFAULT_RETRY_AFTER_MS };
    case 401:
    case 403:
      return { kind: "vapid_rejected", status };
  }
  if (status >= 500 && status < 600) return { kind: "retry", status };
  return { kind: "failed", status };
}

/** Retry-After (RFC 9110 §10.2.3: delay-seconds or an HTTP date) in milliseconds, never negative. */
function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Every HTTP-date form names a month; without this check V8 reads "-5" as the year -5.
  if (!/[a-z]{3}/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
