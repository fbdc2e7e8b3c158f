import { newTimeId } from "@pushbunny/core";
import { mailOutbox } from "@pushbunny/db";
import { type EmailTransport, OutboxTransport, ResendTransport } from "@pushbunny/email";
import type { AppContext } from "../context";
import { ServiceUnavailableError } from "../errors";

export type MailKind = "verify_email" | "reset_password" | "invite";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  kind: MailKind;
  /** The project the message concerns (invites); absent for account mail. */
  projectId?: string;
}

/**
 * How account flows send mail: through the same `EmailTransport` campaigns use. Without
 * RESEND_API_KEY the transport is an outbox whose sink is D1 `mail_outbox` (readable in
 * development at GET /v1/dev/outbox); with it, Resend, from MAIL_FROM.
 */
export interface Mailer {
  send(message: MailMessage): Promise<{ id: string }>;
}

// Only local outbox mail may go out without a configured sender: nothing leaves the machine.
const LOCAL_FROM = "PushBunny <no-reply@pushbunny.localhost>";

export class TransportMailer implements Mailer {
  constructor(
    private readonly ctx: AppContext,
    private readonly transport: EmailTransport,
    private readonly from: string,
  ) {}

  async send(message: MailMessage): Promise<{ id: string }> {
    const id = newTimeId("eml", this.ctx.now());
    // Account mail is sent once per request; the id makes a retried call of the same message
    // idempotent at the provider, never merging two different messages.
    const [result] = await this.transport.send({
      idempotencyKey: `account/${id}`,
      messages: [
        {
          id,
          from: this.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: "",
          tags: { kind: message.kind, ...(message.projectId ? { project_id: message.projectId } : {}) },
        },
      ],
    });
    if (result?.status === "accepted") return { id };
    this.ctx.logger.error("mail.send_failed", {
      kind: message.kind,
      transport: this.transport.name,
      code: result?.code ?? "no_result",
      detail: result?.message,
    });
    // The person can ask again (resend link, new invite); the flow must not pretend it mailed.
    throw new ServiceUnavailableError(
      "the mail provider did not take the message; try again shortly",
      Math.max(5, Math.ceil((result?.status === "failed" ? (result.retryAfterMs ?? 0) : 0) / 1000)),
    );
  }
}

const MAIL_KINDS: readonly MailKind[] = ["verify_email", "reset_password", "invite"];

/** The local stand-in: the message, its kind and project (carried as tags) land in D1 `mail_outbox`. */
function outboxTransport(ctx: AppContext): EmailTransport {
  return new OutboxTransport(async ({ message }) => {
    const kind = MAIL_KINDS.find((k) => k === message.tags?.kind);
    if (!kind) throw new Error(`account mail without a known kind: ${message.tags?.kind}`);
    await ctx.db.insert(mailOutbox).values({
      id: message.id,
      projectId: message.tags?.project_id ?? null,
      to: Array.isArray(message.to) ? message.to.join(", ") : message.to,
      subject: message.subject,
      text: message.text,
      kind,
      createdAt: ctx.now(),
    });
  });
}

export function mailerFor(ctx: AppContext): Mailer {
  const apiKey = ctx.env.RESEND_API_KEY?.trim();
  if (!apiKey) return new TransportMailer(ctx, outboxTransport(ctx), LOCAL_FROM);
  const from = ctx.env.MAIL_FROM?.trim();
  if (!from) {
    return {
      send: async () => {
        throw new ServiceUnavailableError(
          "account mail is not configured: set MAIL_FROM next to RESEND_API_KEY",
          60,
        );
      },
    };
  }
  return new TransportMailer(
    ctx,
    new ResendTransport({ apiKey, baseUrl: ctx.env.RESEND_BASE_URL?.trim() || undefined }),
    from,
  );
}
