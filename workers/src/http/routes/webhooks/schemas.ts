import { z } from "@hono/zod-openapi";
import { WEBHOOK_EVENT_TYPES } from "@pushbunny/db";
import type { AttemptOutcome } from "../../../services/webhooks/attempt-delivery";
import { MAX_WEBHOOK_URL_LENGTH } from "../../../services/webhooks/lib/destination";
import type { WebhookDelivery, WebhookEndpoint } from "../../../services/webhooks/lib/endpoint";
import { MAX_DESCRIPTION } from "../../../services/webhooks/lib/input";
import { PageCursor } from "../../schemas";
import { STORABLE, storableText } from "../contacts/schemas";
import { iso, PathId } from "../push/shared";

export const WebhookIdParam = z.object({ webhook_id: PathId("webhook_id", "whk_0a1b2c3d4e5f60718293") });
export const DeliveryIdParams = WebhookIdParam.extend({
  delivery_id: PathId("delivery_id", "msg_0mi3k2x1a0a1b2c3d4e5f60718293"),
});

export const WebhookUrl = z.string().min(1).max(MAX_WEBHOOK_URL_LENGTH).openapi({
  description:
    "https on the default port; no credentials, no private, loopback, link-local or CGNAT addresses, no local-only names",
  example: "https://example.com/hooks/pushbunny",
});
export const WebhookEvents = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length * 2)
  .openapi({ example: ["email.delivered", "email.bounced", "experiment.winner_declared"] });
export const WebhookDescription = z
  .string()
  .trim()
  .max(MAX_DESCRIPTION)
  .refine(storableText, STORABLE)
  .nullable()
  .openapi({ example: "CRM sync" });

export const WebhookView = z
  .object({
    webhook_id: z.string().openapi({ example: "whk_0a1b2c3d4e5f60718293" }),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable().openapi({
      description: "Why PushBunny switched it off (retries ran out); cleared when enabled again",
    }),
    disabled_at: z.string().nullable().openapi({ format: "date-time" }),
    previous_secret_expires_at: z.string().nullable().openapi({
      format: "date-time",
      description: "After a rotation: until then the old secret also signs",
    }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Webhook");

export const webhookView = (e: WebhookEndpoint): z.infer<typeof WebhookView> => ({
  webhook_id: e.id,
  url: e.url,
  events: e.events,
  description: e.description,
  enabled: e.enabled,
  disabled_reason: e.disabledReason,
  disabled_at: iso(e.disabledAt),
  previous_secret_expires_at: iso(e.previousSecretExpiresAt),
  created_at: iso(e.createdAt),
  updated_at: iso(e.updatedAt),
});

export const WebhookWithSecretView = WebhookView.extend({
  secret: z.string().openapi({
    description: "The signing secret (`whsec_…`), shown this once: keep it where your receiver can read it",
    example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  }),
}).openapi("WebhookWithSecret");

export const DeliveryView = z
  .object({
    delivery_id: z
      .string()
      .openapi({ description: "Sent as the webhook-id header; the same on every retry" }),
    webhook_id: z.string(),
    event_type: z.string(),
    status: z.enum(["pending", "sending", "succeeded", "failed"]),
    attempts: z.number().int(),
    next_attempt_at: z.string().nullable().openapi({ format: "date-time" }),
    last_attempt_at: z.string().nullable().openapi({ format: "date-time" }),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    last_response: z
      .string()
      .nullable()
      .openapi({ description: "The first KB of the receiver's last answer" }),
    payload: z.string().openapi({ description: "The exact JSON body that was signed and sent" }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("WebhookDelivery");

export const deliveryView = (d: WebhookDelivery): z.infer<typeof DeliveryView> => ({
  delivery_id: d.id,
  webhook_id: d.endpointId,
  event_type: d.eventType,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: iso(d.nextAttemptAt),
  last_attempt_at: iso(d.lastAttemptAt),
  last_status_code: d.lastStatusCode,
  last_error: d.lastError,
  last_response: d.lastResponse,
  payload: d.payload,
  created_at: iso(d.createdAt),
});

export const AttemptView = z
  .object({
    delivery_id: z.string(),
    status: z
      .enum(["succeeded", "pending", "failed", "skipped"])
      .openapi({ description: "pending: failed, another try is scheduled (next_attempt_at)" }),
    attempt: z.number().int(),
    status_code: z.number().int().nullable(),
    error: z.string().nullable(),
    response: z.string().nullable().openapi({ description: "The first KB of the answer" }),
    duration_ms: z.number().int(),
    next_attempt_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("WebhookAttempt");

export const attemptView = (o: AttemptOutcome): z.infer<typeof AttemptView> => ({
  delivery_id: o.deliveryId,
  status: o.status,
  attempt: o.attempt,
  status_code: o.statusCode,
  error: o.error,
  response: o.response,
  duration_ms: Math.max(0, Math.round(o.durationMs)),
  next_attempt_at: iso(o.nextAttemptAt),
});

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: PageCursor,
});
