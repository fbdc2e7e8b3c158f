import type { RateLimitRule } from "../../../ratelimit/interface";

const MINUTE = 60_000;

/** Per-address budgets of the unsubscribe and preferences pages (no key; the token is the credential). */
export const EMAIL_PAGE_LIMITS = {
  view: { perIp: { limit: 60, windowMs: MINUTE } },
  change: { perIp: { limit: 20, windowMs: MINUTE } },
} as const satisfies Record<string, { perIp: RateLimitRule }>;
