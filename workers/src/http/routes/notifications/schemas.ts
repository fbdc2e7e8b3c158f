import { z } from "@hono/zod-openapi";
import type { NotificationTarget } from "@pushbunny/db";
import type { Notification } from "../../../push/notifications";
import { MAX_TOPICS } from "../../../push/subscriptions";
import type { SendInput } from "../../../services/notifications/send-notification";
import { BaseExample, Instant, LocaleTag, ServedIntentId } from "../../schemas";
import { iso, PathId, Topic } from "../push/shared";

const Action = z.strictObject({
  action: z.string().min(1).max(64),
  title: z.string().min(1).max(128),
  icon: z.url().max(2048).optional(),
});

const payloadFields = {
  title: z.string().max(256).optional(),
  body: z.string().max(4000).optional(),
  icon: z.url().max(2048).optional(),
  image: z.url().max(2048).optional(),
  badge: z.url().max(2048).optional(),
  url: z.url().max(2048).optional(),
  tag: z.string().max(128).optional(),
  actions: z.array(Action).max(2).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  intent_id: ServedIntentId.optional(),
  base_example: BaseExample.optional(),
  locale: LocaleTag.nullable().optional().openapi({ type: "string", example: "en-US" }),
  context: z.record(z.string().max(64), z.string().max(1000)).optional(),
};

export const Payload = z.strictObject(payloadFields).openapi("NotificationPayload", {
  description:
    "What the service worker shows. Instead of a fixed body, name an intent_id and base_example: each recipient gets the copy the message engine picks for its user_id, with a tracking token for opens.",
});

const optionFields = {
  ttl: z
    .int()
    .min(0)
    .max(2_419_200)
    .default(86_400)
    .openapi({ description: "Seconds the push service keeps it for an offline browser" }),
  urgency: z.enum(["very-low", "low", "normal", "high"]).optional(),
  topic: z
    .string()
    .max(32)
    .regex(/^[A-Za-z0-9_-]+$/, "base64url characters only (RFC 8030)")
    .optional()
    .openapi({ description: "Replaces an undelivered message with the same topic" }),
  scheduled_at: Instant.optional().openapi({
    description:
      "Send later: ISO 8601 with a zone, or Unix ms. Up to 60 s in the past is clock skew and sends now; further in the past is a 400 unless send_now_if_past is true.",
  }),
  send_now_if_past: z
    .boolean()
    .optional()
    .openapi({ description: "Send now when scheduled_at has already passed, instead of a 400" }),
};

export const Options = z.strictObject(optionFields);

const targetFields = {
  subscription_ids: z.array(z.string().min(1).max(64)).max(1000).optional(),
  user_ids: z.array(z.string().min(1).max(256)).max(1000).optional(),
  topics: z.array(Topic).max(MAX_TOPICS).optional(),
  all: z.literal(true).optional(),
};
const RECIPIENTS = "name at least one recipient: subscription_ids, user_ids, topics, or all: true";
const hasRecipient = (t: {
  all?: true;
  subscription_ids?: string[];
  user_ids?: string[];
  topics?: string[];
}) => Boolean(t.all || t.subscription_ids?.length || t.user_ids?.length || t.topics?.length);

export const Target = z.strictObject(targetFields).refine(hasRecipient, RECIPIENTS);

export const StructuredSendBody = z
  .strictObject({ payload: Payload, target: Target, options: Options.default({ ttl: 86_400 }) })
  .openapi("SendNotification");

/**
 * The seed push service's client's shape: payload, recipients and options side by side
 * (`{ title, body, url, topics }`). The same rules: no recipient named is a 400.
 */
export const FlatSendBody = z
  .strictObject({ ...payloadFields, ...targetFields, ...optionFields })
  .refine(hasRecipient, { message: RECIPIENTS, path: ["topics"] })
  .openapi("SendNotificationFlat");

const FLAT_PAYLOAD = new Set(Object.keys(payloadFields));
const FLAT_OPTIONS = new Set(Object.keys(optionFields));

/**
 * A flat body in the structured shape, so both validate with one schema and one set of messages
 * (`payload.title: …`). Anything that already has `payload` is left as it is.
 */
function structure(raw: unknown): unknown {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || "payload" in raw) return raw;
  const payload: Record<string, unknown> = {};
  const target: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (FLAT_PAYLOAD.has(k)) payload[k] = v;
    else if (FLAT_OPTIONS.has(k)) options[k] = v;
    // Recipients and anything unknown go to target, whose strict schema names the stranger.
    else target[k] = v;
  }
  return { payload, target, options };
}

/** Either shape, validated as the structured one (both are named in the document's components). */
export const SendBody = z.preprocess(structure, StructuredSendBody);
export const BroadcastBody = z
  .strictObject({ payload: Payload, options: Options.default({ ttl: 86_400 }) })
  .openapi("BroadcastNotification");

type PayloadIn = z.infer<typeof Payload>;
type OptionsIn = z.infer<typeof Options>;
type TargetIn = { subscription_ids?: string[]; user_ids?: string[]; topics?: string[]; all?: true };

/** The body's target in the verb's terms. */
export function targetInput(t: TargetIn): NotificationTarget {
  return {
    ...(t.subscription_ids ? { subscriptionIds: t.subscription_ids } : {}),
    ...(t.user_ids ? { userIds: t.user_ids } : {}),
    ...(t.topics ? { topics: t.topics } : {}),
    ...(t.all ? { all: true } : {}),
  };
}

/** The verb's input from a send or broadcast body. */
export function sendInput(
  type: SendInput["type"],
  target: NotificationTarget,
  payload: PayloadIn,
  options: OptionsIn,
): SendInput {
  return {
    type,
    target,
    content: payload,
    ttl: options.ttl,
    ...(options.urgency ? { urgency: options.urgency } : {}),
    ...(options.topic ? { topic: options.topic } : {}),
    ...(options.scheduled_at !== undefined ? { scheduledAt: options.scheduled_at } : {}),
    ...(options.send_now_if_past ? { sendNowIfPast: true } : {}),
  };
}

export const NotificationIdParam = z.object({
  notification_id: PathId("notification_id", "ntf_0a1b2c3d4e5f60718293"),
});

/** The wire form of a notification with its delivery counts and rates. */
export function notificationView(n: Notification) {
  const c = n.deliveries;
  const attempted = c.sent + c.delivered + c.failed + c.expired;
  return {
    notification_id: n.id,
    type: n.type,
    status: n.status,
    target: {
      ...(n.target.subscriptionIds ? { subscription_ids: n.target.subscriptionIds } : {}),
      ...(n.target.userIds ? { user_ids: n.target.userIds } : {}),
      ...(n.target.topics ? { topics: n.target.topics } : {}),
      ...(n.target.all ? { all: true } : {}),
    },
    payload: n.payload,
    ttl: n.ttl,
    urgency: n.urgency,
    topic: n.topic,
    scheduled_at: iso(n.scheduledAt),
    dispatched_at: iso(n.dispatchedAt),
    created_at: iso(n.createdAt),
    recipients: n.recipients,
    deliveries: {
      ...c,
      // Push services accepted it (sent) or the browser confirmed it (delivered).
      accepted_rate: attempted > 0 ? (c.sent + c.delivered) / attempted : null,
      delivered_rate: attempted > 0 ? c.delivered / attempted : null,
      click_rate: c.delivered > 0 ? c.clicked / c.delivered : null,
    },
  };
}
