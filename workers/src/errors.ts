import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The closed set of error codes and the HTTP status each maps to. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorIssue {
  path: string;
  message: string;
}

/** A failure the client can act on; `onError` turns it into the JSON envelope. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: ErrorIssue[] = [],
    readonly headers: Record<string, string> = {},
    /** What went wrong underneath (logged, never sent to the client). */
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = "AppError";
  }

  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, issues: ErrorIssue[] = [], options: { cause?: unknown } = {}) {
    super("BAD_REQUEST", message, issues, {}, options);
  }

  /** The one 400 for failed validation: a readable message per field, joined. */
  static fromIssues(issues: ErrorIssue[]): BadRequestError {
    return new BadRequestError(
      issues.map((i) => `${i.path}: ${i.message}`).join("; ") || "invalid request",
      issues,
    );
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super("UNAUTHORIZED", message, [], { "WWW-Authenticate": 'Bearer realm="pushbunny"' });
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super("NOT_FOUND", message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super("CONFLICT", message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super("PAYLOAD_TOO_LARGE", message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super("FORBIDDEN", message);
  }
}

export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterSeconds: number) {
    super("RATE_LIMITED", message, [], { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

/**
 * A dependency that is down for now (a queue, a missing secret): the client may retry. Never
 * for a plain bug: those are logged 500s.
 */
export class ServiceUnavailableError extends AppError {
  constructor(message: string, retryAfterSeconds = 5, options: { cause?: unknown } = {}) {
    super("SERVICE_UNAVAILABLE", message, [], { "Retry-After": String(retryAfterSeconds) }, options);
  }
}

/** The envelope every error response uses. */
export function errorBody(code: ErrorCode, message: string, requestId: string, issues: ErrorIssue[] = []) {
  return { error: { code, message, requestId, issues } };
}

/** Readable per-field issues from a zod error (`context.name: expected string`). */
export function issuesFromZod(error: {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string }>;
}): ErrorIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join(".") || "(body)",
    // "Invalid input: expected string, received undefined" says less than the word for it.
    message: i.code === "invalid_type" && /received undefined$/.test(i.message) ? "required" : i.message,
  }));
}
