import type { Channel } from "./types";

export type AdSyncErrorKind = "auth" | "rate_limited" | "transient" | "bad_response" | "config";

// Waiting can only help when the channel was busy or briefly broken; bad credentials, a response we
// cannot read and our own misconfiguration fail the same way every time.
const RETRYABLE_BY_DEFAULT: Record<AdSyncErrorKind, boolean> = {
  auth: false,
  rate_limited: true,
  transient: true,
  bad_response: false,
  config: false,
};

export interface AdSyncErrorOptions {
  retryable?: boolean;
  /** Undefined is accepted and ignored, so callers can pass a header they may not have got. */
  retryAfterMs?: number | undefined;
  status?: number;
  cause?: unknown;
}

/** A connector failure, classified so callers can decide whether and when to try again. */
export class AdSyncError extends Error {
  readonly kind: AdSyncErrorKind;
  readonly channel: Channel;
  readonly retryable: boolean;
  /** How long the channel asked us to wait, when it said. */
  readonly retryAfterMs?: number;
  /** HTTP status of the failed response, when there was one. */
  readonly status?: number;

  constructor(kind: AdSyncErrorKind, channel: Channel, message: string, options: AdSyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AdSyncError";
    this.kind = kind;
    this.channel = channel;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT[kind];
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.status !== undefined) this.status = options.status;
  }
}

/** True for an AdSyncError, also across duplicated module instances (bundlers, test runners). */
export function isAdSyncError(value: unknown): value is AdSyncError {
  return (
    value instanceof AdSyncError ||
    (value instanceof Error &&
      value.name === "AdSyncError" &&
      typeof (value as AdSyncError).kind === "string" &&
      typeof (value as AdSyncError).channel === "string")
  );
}

/** The error for a caller's AbortSignal firing: we stopped because we were told to, not because the channel failed. */
export function abortedError(channel: Channel, signal: AbortSignal): AdSyncError {
  return new AdSyncError("transient", channel, `${channel} sync aborted by the caller`, {
    retryable: false,
    cause: signal.reason,
  });
}

export function throwIfAborted(channel: Channel, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(channel, signal);
}

const REDACTED = "[redacted]";
// Shorter values (a test "x", an empty field) would blank out ordinary words in messages.
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces any credential that leaked into a message (channels sometimes echo the token they
 * rejected) and turns anything that is not an AdSyncError into one, so the connector contract holds.
 */
export function sanitizeError(err: unknown, channel: Channel, secrets: readonly string[]): AdSyncError {
  const scrub = (text: string): string =>
    secrets.reduce(
      (out, secret) => (secret.length >= MIN_SECRET_LENGTH ? out.split(secret).join(REDACTED) : out),
      text,
    );
  if (isAdSyncError(err)) {
    err.message = scrub(err.message);
    return err;
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AdSyncError("bad_response", channel, `${channel} sync failed unexpectedly: ${scrub(message)}`);
}
