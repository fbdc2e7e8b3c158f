export type LlmErrorKind = "timeout" | "rate_limited" | "upstream" | "malformed" | "auth" | "bad_request";

// Retrying the same request can only help when the failure was transient or the model's output was
// unlucky; a bad key or a bad request fails the same way every time.
const RETRYABLE_BY_DEFAULT: Record<LlmErrorKind, boolean> = {
  timeout: true,
  rate_limited: true,
  upstream: true,
  malformed: true,
  auth: false,
  bad_request: false,
};

export interface LlmErrorOptions {
  retryable?: boolean;
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** A provider failure, classified so callers can decide whether and when to retry. */
export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;

  constructor(kind: LlmErrorKind, message: string, options: LlmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LlmError";
    this.kind = kind;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT[kind];
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** True for an LlmError, also across duplicated module instances (bundlers, test runners). */
export function isLlmError(value: unknown): value is LlmError {
  return (
    value instanceof LlmError ||
    (value instanceof Error && value.name === "LlmError" && typeof (value as LlmError).kind === "string")
  );
}
