import { putOutboxMail } from "@pushbunny/db";
import { type EmailTransport, OutboxTransport, ResendTransport } from "@pushbunny/email";
import type { AppContext } from "../../context";

/**
 * The transport campaigns send through: Resend when RESEND_API_KEY is set (RESEND_BASE_URL may
 * point it elsewhere, as tests do), otherwise the outbox, which stores each message in D1 so
 * development mail can be read at GET /v1/email/outbox and nothing leaves the machine.
 */
export function emailTransport(ctx: AppContext, projectId: string): EmailTransport {
  const apiKey = ctx.env.RESEND_API_KEY?.trim();
  if (apiKey) return new ResendTransport({ apiKey, baseUrl: ctx.env.RESEND_BASE_URL?.trim() || undefined });
  return new OutboxTransport(({ message, idempotencyKey, providerMessageId }) =>
    putOutboxMail(ctx.db, {
      providerMessageId,
      projectId,
      messageId: message.id,
      toAddress: Array.isArray(message.to) ? message.to.join(", ") : message.to,
      fromAddress: message.from,
      subject: message.subject,
      html: message.html,
      text: message.text,
      headers: message.headers ?? null,
      idempotencyKey,
      createdAt: ctx.now(),
    }),
  );
}

/** The origin tracking, unsubscribe and preferences links point at. */
export function mailOrigin(ctx: AppContext): string {
  return ctx.config.auth.publicUrl ?? "http://localhost:8787";
}
