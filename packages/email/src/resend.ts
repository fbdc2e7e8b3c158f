import type { EmailBatch, EmailTransport, OutgoingEmail, SendResult } from "./transport";
import { messageProblems } from "./transport";

export interface ResendOptions {
  apiKey: string;
  /** Default https://api.resend.com; tests point it at a local stub. */
  baseUrl?: string;
  /** Default the global fetch. */
  fetch?: typeof fetch;
  /** Per request; default 15 s. */
  timeoutMs?: number;
  /** For Retry-After given as an HTTP date. */
  now?: () => number;
}

/** Resend's batch endpoint takes at most 100 emails per call. */
export const RESEND_MAX_BATCH = 100;
// Resend keeps idempotency keys for 24 hours and takes up to 256 characters; chunk suffixes need room.
const MAX_KEY_LENGTH = 200;
const TAG = /^[A-Za-z0-9_-]{1,256}$/;

type Failure = Extract<SendResult, { status: "failed" }>;

/** Reads Retry-After (delta-seconds or an HTTP date) as milliseconds. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function resendBody(message: OutgoingEmail): Record<string, unknown> {
  const tags = { message_id: message.id, ...message.tags };
  return {
    from: message.from,
    to: Array.isArray(message.to) ? message.to : [message.to],
    subject: message.subject,
    // Resend refuses an empty part; account mail is text only.
    ...(message.html ? { html: message.html } : {}),
    ...(message.text ? { text: message.text } : {}),
    ...(message.replyTo === undefined ? {} : { reply_to: message.replyTo }),
    ...(message.headers && Object.keys(message.headers).length > 0 ? { headers: message.headers } : {}),
    tags: Object.entries(tags).map(([name, value]) => ({ name, value })),
  };
}

function resendProblems(message: OutgoingEmail): string[] {
  const problems = messageProblems(message);
  for (const [name, value] of Object.entries({ message_id: message.id, ...message.tags })) {
    if (!TAG.test(name) || !TAG.test(value)) problems.push(`tags: ${name} must be 1-256 of A-Z a-z 0-9 _ -`);
  }
  return problems;
}

/**
 * Sends through Resend's `POST /emails/batch` with an `Idempotency-Key` per call, so a retried
 * batch is not sent twice. Strict validation (Resend's default): messages are checked here first,
 * because one invalid message makes Resend refuse its whole call.
 */
export class ResendTransport implements EmailTransport {
  readonly name = "resend";
  readonly maxBatchSize = RESEND_MAX_BATCH;
  private readonly baseUrl: string;
  private readonly fetcher: typeof fetch;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ResendOptions) {
    if (!options.apiKey) throw new TypeError("ResendTransport needs an API key");
    this.baseUrl = (options.baseUrl ?? "https://api.resend.com").replace(/\/+$/, "");
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.now = options.now ?? Date.now;
  }

  async send(batch: EmailBatch): Promise<SendResult[]> {
    if (!batch.idempotencyKey || batch.idempotencyKey.length > MAX_KEY_LENGTH) {
      throw new TypeError(`idempotencyKey: 1-${MAX_KEY_LENGTH} characters`);
    }
    if (new Set(batch.messages.map((message) => message.id)).size !== batch.messages.length) {
      throw new TypeError("message ids must be unique within a batch");
    }
    const results = new Map<string, SendResult>();
    const valid: OutgoingEmail[] = [];
    for (const message of batch.messages) {
      const problems = resendProblems(message);
      if (problems.length > 0) {
        results.set(message.id, {
          id: message.id,
          status: "failed",
          retryable: false,
          code: "rejected",
          message: problems.join("; "),
        });
      } else {
        valid.push(message);
      }
    }
    const chunks: OutgoingEmail[][] = [];
    for (let i = 0; i < valid.length; i += RESEND_MAX_BATCH)
      chunks.push(valid.slice(i, i + RESEND_MAX_BATCH));
    // Calls run one after another: Resend's default limit is a few requests per second per team.
    for (const [index, chunk] of chunks.entries()) {
      const key = chunks.length === 1 ? batch.idempotencyKey : `${batch.idempotencyKey}/${index}`;
      for (const result of await this.sendChunk(chunk, key)) results.set(result.id, result);
    }
    return batch.messages.map((message) => results.get(message.id) as SendResult);
  }

  private async sendChunk(messages: OutgoingEmail[], idempotencyKey: string): Promise<SendResult[]> {
    const failAll = (failure: Omit<Failure, "id">): SendResult[] =>
      messages.map((message) => ({ ...failure, id: message.id }));
    let response: Response;
    try {
      response = await this.fetcher(`${this.baseUrl}/emails/batch`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          "content-type": "application/json",
          "idempotency-key": idempotencyKey,
        },
        body: JSON.stringify(messages.map(resendBody)),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // Network failure or timeout: Resend may or may not have taken the batch; the same key on the
      // retry makes that safe.
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      return failAll({
        status: "failed",
        retryable: true,
        code: timedOut ? "timeout" : "network",
        message: timedOut ? `no answer from Resend within ${this.timeoutMs} ms` : "could not reach Resend",
      });
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (response.ok) {
      const data = (body as { data?: unknown } | undefined)?.data;
      if (!Array.isArray(data) || data.length !== messages.length) {
        return failAll({
          status: "failed",
          retryable: false,
          code: "bad_response",
          message: `Resend answered ${response.status} without one id per message`,
        });
      }
      return messages.map((message, i) => {
        const id = (data[i] as { id?: unknown } | undefined)?.id;
        return typeof id === "string" && id
          ? { id: message.id, status: "accepted", providerMessageId: id }
          : {
              id: message.id,
              status: "failed",
              retryable: false,
              code: "bad_response",
              message: "no id for this message",
            };
      });
    }
    const error = body as { name?: unknown; message?: unknown } | undefined;
    const name = typeof error?.name === "string" ? error.name : "";
    const detail = typeof error?.message === "string" ? error.message.slice(0, 300) : "";
    const message = `Resend answered ${response.status}${name ? ` ${name}` : ""}${detail ? `: ${detail}` : ""}`;
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.now());
    const status = response.status;
    // 409 concurrent_idempotent_requests: the first call with this key is still running.
    const retryable =
      status === 429 || status >= 500 || (status === 409 && name === "concurrent_idempotent_requests");
    const code =
      status === 429
        ? name.endsWith("quota_exceeded")
          ? "quota_exceeded"
          : "rate_limited"
        : status >= 500
          ? "provider_error"
          : status === 401 || status === 403
            ? "unauthorized"
            : status === 409
              ? name === "concurrent_idempotent_requests"
                ? "idempotency_in_progress"
                : "idempotency_conflict"
              : "rejected";
    return failAll({
      status: "failed",
      retryable,
      ...(retryable && retryAfterMs !== undefined ? { retryAfterMs } : {}),
      code,
      message,
    });
  }
}
