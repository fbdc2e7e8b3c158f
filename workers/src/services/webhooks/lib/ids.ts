import { randomHex } from "@pushbunny/core";

// Local prefixes rather than new members of core's IdPrefix: only this feature mints them.

/** An endpoint id: `whk_` + 80 random bits. */
export function newEndpointId(): string {
  return `whk_${randomHex(10)}`;
}

/**
 * A delivery id, sent as `webhook-id` (Standard Webhooks' message id): `msg_` + the millisecond in
 * base 36 + 80 random bits, so the delivery log's rows land at the right edge of their index.
 */
export function newDeliveryId(nowMs: number): string {
  return `msg_${Math.max(0, Math.floor(nowMs)).toString(36).padStart(9, "0")}${randomHex(10)}`;
}

/** Whether `value` is an endpoint id this feature minted. */
export const isEndpointId = (value: string): boolean => /^whk_[0-9a-f]{20}$/.test(value);
/** Whether `value` is a delivery id this feature minted. */
export const isDeliveryId = (value: string): boolean => /^msg_[0-9a-z]{9}[0-9a-f]{20}$/.test(value);
