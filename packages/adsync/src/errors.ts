import type { Channel } from "./types";

export type AdSyncErrorKind = "auth" | "rate_limited" | "transient" | "bad_response" | "config";

/**
 * Why a sync failed, finer than `kind` and stable for clients and dashboards. `kind` says what to
 * do (retry or not); `code` says what happened.
 */
export type AdSyncFailureCode =
  /** DNS lookup or TCP/TLS connection failed, or the connection dropped before an answer. */
  | "connection_failed"
  /** No complete answer within the per-request timeout. */
  | "timeout"
  /** HTTP 401/403 or the channel's own "bad token / no access" codes. */
  | "credentials_rejected"
  /** HTTP 429 or a throttling code; `retryAfterMs` when the channel said how long. */
  | "rate_limited"
  /** HTTP 5xx or the channel's own "try again later" codes. */
  | "channel_error"
  /** A reply that is not JSON or not in the shape the API documents. */
  | "malformed_response"
  /** Another 4xx or error code: the channel refused the request as sent. */
  | "request_rejected"
  /** Credentials, options or range we know are unusable before asking. */
  | "invalid_config"
  /** The caller stopped the sync. */
  | "aborted"
  /** Something that is none of the above (a bug on our side). */
  | "unexpected";

const CODE_BY_KIND: Record<AdSyncErrorKind, (status: number | undefined) => AdSyncFailureCode> = {
  auth: () => "credentials_rejected",
  rate_limited: () => "rate_limited",
  transient: (status) => (status === undefined ? "connection_failed" : "channel_error"),
  bad_response: (status) =>
    status !== undefined && status >= 400 && status < 500 ? "request_rejected" : "malformed_response",
  config: () => "invalid_config",
};

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
  /** Default: derived from the kind and status. */
  code?: AdSyncFailureCode;
  cause?: unknown;
}

/** A connector failure, classified so callers can decide whether and when to try again. */
export class AdSyncError extends Error {
  readonly kind: AdSyncErrorKind;
  readonly code: AdSyncFailureCode;
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
    this.code = options.code ?? CODE_BY_KIND[kind](options.status);
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
    code: "aborted",
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
    redactTokens(
      secrets.reduce(
        (out, secret) => (secret.length >= MIN_SECRET_LENGTH ? out.split(secret).join(REDACTED) : out),
        text,
      ),
    );
  if (isAdSyncError(err)) {
    err.message = scrub(err.message);
    return err;
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AdSyncError("bad_response", channel, `${channel} sync failed unexpectedly: ${scrub(message)}`, {
    code: "unexpected",
  });
}

// Tokens we did not hand over but a channel may echo: Google's short-lived access token, Meta
// tokens of another app, anything after "Bearer" or "access_token=".
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\bEAA[A-Za-z0-9]{20,}/g,
  /\bya29\.[\w.-]+/g,
  /\b1\/\/[\w-]{10,}/g,
  /\bGOCSPX-[\w-]+/g,
  /(?<=\bbearer\s+)[\w.~+/-]{8,}/gi,
  // Values only: a message may well say "accessToken: must not be empty".
  /(?<=\b(?:access|refresh)[_-]?token["']?\s*[=:]\s*["']?)[\w.~+/-]{16,}/gi,
];

/** `text` with anything shaped like an access or refresh token replaced by "[redacted]". */
export function redactTokens(text: string): string {
  return TOKEN_PATTERNS.reduce((out, pattern) => out.replace(pattern, REDACTED), text);
}

const LEAD: Record<AdSyncFailureCode, string> = {
  connection_failed: "could not connect to the channel (DNS or connection failure)",
  timeout: "the channel did not answer in time",
  credentials_rejected: "the channel rejected the credentials; connect the channel again with valid ones",
  rate_limited: "the channel is rate limiting us",
  channel_error: "the channel's servers failed",
  malformed_response: "the channel sent a reply we cannot read",
  request_rejected: "the channel refused the request",
  invalid_config: "the connection is misconfigured",
  aborted: "the sync was stopped",
  unexpected: "unexpected failure",
};

/** What a sync run records about a failure: a stable code, a one-line human message and, for rate limits, the wait. */
export interface AdSyncFailure {
  kind: AdSyncErrorKind;
  code: AdSyncFailureCode;
  message: string;
  status?: number;
  retryAfterMs?: number;
}

/**
 * A failure as a sync run shows it, for any error a connector or its caller threw: anything that
 * is not an AdSyncError is "unexpected" and keeps no detail (it may hold anything). Token-shaped
 * text is redacted once more, and the message is capped at 500 characters.
 */
export function describeFailure(err: unknown): AdSyncFailure {
  if (!isAdSyncError(err)) {
    return { kind: "transient", code: "unexpected", message: LEAD.unexpected };
  }
  const code: AdSyncFailureCode = err.code ?? CODE_BY_KIND[err.kind](err.status);
  const wait =
    err.retryAfterMs === undefined ? "" : ` (it asked to wait ${Math.ceil(err.retryAfterMs / 1000)} s)`;
  const message = redactTokens(`${LEAD[code]}${wait} — ${err.message}`);
  return {
    kind: err.kind,
    code,
    message: message.length > 500 ? `${message.slice(0, 499)}…` : message,
    ...(err.status === undefined ? {} : { status: err.status }),
    ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
  };
}
