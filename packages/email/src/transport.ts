/** One email to one recipient, ready to hand to a provider. */
export interface OutgoingEmail {
  /** Our message id (the email_messages row), echoed in results and kept in the provider's tags. */
  id: string;
  from: string;
  replyTo?: string | string[];
  to: string | string[];
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>;
  /** Provider tags for webhooks and analytics: names and values of [A-Za-z0-9_-]. */
  tags?: Record<string, string>;
}

/** A batch of messages sent together; the same key on a retry makes the provider skip what it took. */
export interface EmailBatch {
  /** Unique per batch and stable across retries (e.g. `campaign/<id>/batch/<n>`), ≤ 200 characters. */
  idempotencyKey: string;
  messages: OutgoingEmail[];
}

/** What happened to one message of a batch. */
export type SendResult =
  | { id: string; status: "accepted"; providerMessageId: string }
  | {
      id: string;
      status: "failed";
      /** True when the same message may succeed later (rate limit, 5xx, network). */
      retryable: boolean;
      /** How long the provider asked us to wait, when it said. */
      retryAfterMs?: number;
      /** A short machine-readable reason (`rate_limited`, `provider_error`, `network`, `rejected`, …). */
      code: string;
      message: string;
    };

/** Delivery through a provider: one result per message, in the batch's order. Never throws for provider failures. */
export interface EmailTransport {
  readonly name: string;
  /** Largest batch the provider takes in one call; `send` splits larger ones itself. */
  readonly maxBatchSize: number;
  send(batch: EmailBatch): Promise<SendResult[]>;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Problems that make a message unsendable whatever the provider: empty fields, header injection. */
export function messageProblems(message: OutgoingEmail): string[] {
  const problems: string[] = [];
  if (!message.id) problems.push("id: required");
  if (!message.from.trim()) problems.push("from: required");
  const to = Array.isArray(message.to) ? message.to : [message.to];
  if (to.length === 0 || to.some((address) => !address.trim())) problems.push("to: required");
  if (!message.subject.trim()) problems.push("subject: required");
  if (!message.html && !message.text) problems.push("html: an HTML or a text part is required");
  // A line break in any header value would let copy or a contact's data add headers.
  const headerValues = [message.from, message.subject, ...to, ...[message.replyTo ?? []].flat()];
  if (headerValues.some((value) => /[\r\n]/.test(value)))
    problems.push("headers: line breaks are not allowed");
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!HEADER_NAME.test(name) || /[\r\n]/.test(value))
      problems.push(`headers: ${name} is not a valid header`);
  }
  return problems;
}
