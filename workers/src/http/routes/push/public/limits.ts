import type { RateLimitRule } from "../../../../ratelimit/interface";

const MINUTE = 60_000;

/**
 * Per-minute budgets of the anonymous routes (documented in the README). Subscribing writes:
 * tight per address, wider per project for a launch. Reads and assets are cheap. Receipts come
 * from every browser that showed a broadcast, so they are limited per address only.
 */
export const LIMITS = {
  subscribe: {
    perIp: { limit: 30, windowMs: MINUTE },
    perProject: { limit: 600, windowMs: MINUTE },
  },
  read: {
    perIp: { limit: 120, windowMs: MINUTE },
    perProject: { limit: 3000, windowMs: MINUTE },
  },
  asset: { perIp: { limit: 300, windowMs: MINUTE } },
  receipt: { perIp: { limit: 300, windowMs: MINUTE } },
} as const satisfies Record<string, { perIp: RateLimitRule; perProject?: RateLimitRule }>;
