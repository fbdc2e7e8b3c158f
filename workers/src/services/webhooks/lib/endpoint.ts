import type { WebhookDeliveryRow, WebhookEndpointRow, WebhookEventType } from "@pushbunny/db";

/** An endpoint as verbs return it (never its secrets). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: number | null;
  /** While a rotation's grace period runs: when the previous secret stops signing. */
  previousSecretExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export function toEndpoint(row: WebhookEndpointRow, now: number): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt,
    previousSecretExpiresAt:
      row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > now
        ? row.previousSecretExpiresAt
        : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** A delivery as verbs return it (the payload is what was signed and sent). */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventType: string;
  payload: string;
  status: WebhookDeliveryRow["status"];
  attempts: number;
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastResponse: string | null;
  createdAt: number;
}

export function toDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventType: row.eventType,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastAttemptAt: row.lastAttemptAt,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    lastResponse: row.lastResponse,
    createdAt: row.createdAt,
  };
}
