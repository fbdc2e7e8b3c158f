import type { EmailBatch, EmailTransport, OutgoingEmail, SendResult } from "./transport";
import { messageProblems } from "./transport";

/** What the outbox hands to its sink for each message. */
export interface OutboxEntry {
  message: OutgoingEmail;
  idempotencyKey: string;
  providerMessageId: string;
}

/**
 * The local stand-in provider: each valid message goes to `sink` (the Worker stores them in D1 so
 * development mail can be read in the dashboard). Provider ids derive from our ids, so a retried
 * batch produces the same ids and the sink can upsert.
 */
export class OutboxTransport implements EmailTransport {
  readonly name = "outbox";
  readonly maxBatchSize = 100;

  constructor(private readonly sink: (entry: OutboxEntry) => Promise<void> | void) {}

  async send(batch: EmailBatch): Promise<SendResult[]> {
    const results: SendResult[] = [];
    for (const message of batch.messages) {
      const problems = messageProblems(message);
      if (problems.length > 0) {
        results.push({
          id: message.id,
          status: "failed",
          retryable: false,
          code: "rejected",
          message: problems.join("; "),
        });
        continue;
      }
      const providerMessageId = `outbox_${message.id}`;
      try {
        await this.sink({ message, idempotencyKey: batch.idempotencyKey, providerMessageId });
        results.push({ id: message.id, status: "accepted", providerMessageId });
      } catch (error) {
        results.push({
          id: message.id,
          status: "failed",
          retryable: true,
          code: "outbox_error",
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return results;
  }
}
