import { newTimeId } from "@pushbunny/core";
import { mailOutbox } from "@pushbunny/db";
import type { AppContext } from "../context";

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
 * How account flows send mail. The default keeps every message in the local outbox (D1
 * `mail_outbox`, readable in development at GET /v1/dev/outbox); a real transport implements
 * this interface and is chosen in `mailerFor` without touching the flows.
 */
export interface Mailer {
  send(message: MailMessage): Promise<{ id: string }>;
}

export class OutboxMailer implements Mailer {
  private readonly ctx: AppContext;

  constructor(ctx: AppContext) {
    this.ctx = ctx;
  }

  async send(message: MailMessage): Promise<{ id: string }> {
    const id = newTimeId("eml", this.ctx.now());
    await this.ctx.db.insert(mailOutbox).values({
      id,
      projectId: message.projectId ?? null,
      to: message.to,
      subject: message.subject,
      text: message.text,
      kind: message.kind,
      createdAt: this.ctx.now(),
    });
    return { id };
  }
}

export function mailerFor(ctx: AppContext): Mailer {
  return new OutboxMailer(ctx);
}
