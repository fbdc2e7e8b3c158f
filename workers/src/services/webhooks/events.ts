import type { DeliveryRow, EmailMessageRow } from "@pushbunny/db";
import type { WebhookEvent } from "./emit";

// The `data` of each event type, built in one place so every emission point sends the same
// shape (snake_case, ISO times) and the README's event list stays true.

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

/**
 * The push events one receipt produced: `push.delivered` the first time the delivery was
 * displayed (or clicked without a display receipt), `push.clicked` the first click. A replayed
 * receipt produces none: its timestamps were already set before `now`.
 */
export function pushReceiptEvents(row: DeliveryRow, now: number): WebhookEvent[] {
  const data = {
    delivery_id: row.id,
    notification_id: row.notificationId,
    subscription_id: row.subscriptionId,
    variant_id: row.variantId,
    delivered_at: iso(row.deliveredAt),
  };
  const out: WebhookEvent[] = [];
  if (row.deliveredAt === now) out.push({ type: "push.delivered", data });
  if (row.clickedAt === now)
    out.push({ type: "push.clicked", data: { ...data, clicked_at: iso(row.clickedAt) } });
  return out;
}

/** `experiment.winner_declared`: who won, over whom, and why. */
export function winnerDeclaredEvent(input: {
  experimentId: string;
  intentId: string;
  locale: string;
  variantId: string;
  text: string;
  previousWinnerId: string | null;
  reason: string | null;
  actor: string;
  at: number;
}): WebhookEvent {
  return {
    type: "experiment.winner_declared",
    data: {
      experiment_id: input.experimentId,
      intent_id: input.intentId,
      locale: input.locale,
      variant_id: input.variantId,
      text: input.text,
      previous_winner_variant_id: input.previousWinnerId,
      reason: input.reason,
      declared_by: input.actor,
      declared_at: iso(input.at),
    },
  };
}

/** `ads.sync_failed`: one per sync run with a failing channel, naming each and when it is retried. */
export function adsSyncFailedEvent(input: {
  runId: string;
  status: string;
  attempt: number;
  failed: {
    channel: string;
    error?: { kind: string; code?: string; message: string; status?: number; retryAt?: number };
  }[];
  at: number;
}): WebhookEvent {
  return {
    type: "ads.sync_failed",
    data: {
      run_id: input.runId,
      status: input.status,
      attempt: input.attempt,
      channels: input.failed.map((f) => ({
        channel: f.channel,
        kind: f.error?.kind ?? null,
        code: f.error?.code ?? null,
        message: f.error?.message ?? null,
        http_status: f.error?.status ?? null,
        retry_at: iso(f.error?.retryAt),
      })),
      failed_at: iso(input.at),
    },
  };
}

export type EmailWebhookEventType =
  | "email.sent"
  | "email.delivered"
  | "email.opened"
  | "email.clicked"
  | "email.bounced"
  | "email.complained";

/**
 * An email event for one message. `extra` adds what the type has (`bounce_type`, `url`, …);
 * `at` is when it happened.
 */
export function emailEvent(
  type: EmailWebhookEventType,
  message: Pick<
    EmailMessageRow,
    "id" | "campaignId" | "contactId" | "email" | "providerMessageId" | "variantId"
  >,
  at: number,
  extra: Record<string, unknown> = {},
): WebhookEvent {
  return {
    type,
    data: {
      message_id: message.id,
      campaign_id: message.campaignId,
      contact_id: message.contactId,
      email: message.email,
      provider_message_id: message.providerMessageId,
      variant_id: message.variantId,
      occurred_at: iso(at),
      ...extra,
    },
  };
}
