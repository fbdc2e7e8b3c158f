import type { PushOutcome } from "@pushbunny/webpush";

/** Attempts per delivery before a retryable failure (5xx, network, 429) counts as failed. */
export const MAX_PUSH_ATTEMPTS = 5;

/** What happened to one delivery: the push service's answer, or why it was never sent. */
export type AttemptOutcome = PushOutcome | { kind: "no_key" } | { kind: "payload_error"; message: string };

/** The `error` recorded on a failed delivery. */
export function failureReason(o: AttemptOutcome): string {
  switch (o.kind) {
    case "too_large":
      return "push service answered 413: payload too large";
    case "vapid_rejected":
      return o.status
        ? `push service answered ${o.status}: VAPID signature refused`
        : "not sent: batch stopped after a VAPID refusal";
    case "redirected":
      return `push service answered ${o.status}: a redirect, not followed (push services never redirect)`;
    case "failed":
      return `push service answered ${o.status}`;
    case "retry":
      return `gave up after ${MAX_PUSH_ATTEMPTS} attempts: ${o.status ? `status ${o.status}` : "network error"}`;
    case "rate_limited":
      return `gave up after ${MAX_PUSH_ATTEMPTS} attempts: rate limited`;
    case "no_key":
      return "the subscription's VAPID key could not be opened";
    case "payload_error":
      return `could not build the message: ${o.message}`.slice(0, 300);
    default:
      return "unknown";
  }
}
