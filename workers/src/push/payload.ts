import { payloadBytes } from "@pushbunny/webpush";

// What the Worker adds to every payload (ids, receipt and tracking tokens), at most.
const ENVELOPE_BYTES = 480;

export interface NotificationContent {
  title?: string;
  body?: string;
  icon?: string;
  image?: string;
  badge?: string;
  url?: string;
  tag?: string;
  actions?: { action: string; title: string; icon?: string }[];
  data?: Record<string, unknown>;
  /** Optimized copy: each recipient gets the variant the message engine picks for them. */
  intent_id?: string;
  base_example?: string;
  locale?: string | null;
  context?: Record<string, string>;
}

/** The payload a service worker receives (the body is the variant's text for optimized copy). */
export function payloadFor(
  content: NotificationContent,
  extra: {
    notificationId: string;
    deliveryId: string;
    receipt: string;
    body?: string;
    trackingToken?: string;
    variantId?: string;
  },
): string {
  const { intent_id, base_example, locale, context, ...shown } = content;
  return JSON.stringify({
    ...shown,
    ...(extra.body !== undefined ? { body: extra.body } : {}),
    notification_id: extra.notificationId,
    delivery_id: extra.deliveryId,
    receipt: extra.receipt,
    ...(extra.trackingToken ? { tracking_token: extra.trackingToken, variant_id: extra.variantId } : {}),
  });
}

/** The largest payload a notification can produce, to refuse at the API what can never fit. */
export function worstCaseBytes(content: NotificationContent): number {
  const body = content.intent_id
    ? "x".repeat(Math.max(content.base_example?.length ?? 0, 1000))
    : content.body;
  return (
    payloadBytes(
      payloadFor(content, {
        notificationId: "",
        deliveryId: "",
        receipt: "",
        ...(body !== undefined ? { body } : {}),
      }),
    ) + ENVELOPE_BYTES
  );
}
