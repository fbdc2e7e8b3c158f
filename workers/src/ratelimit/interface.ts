/** How many requests one key may make per window. */
export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export interface RateLimitResult {
  success: boolean;
  /** Until the window resets (0 when allowed). */
  retryAfterMs: number;
}

/**
 * Counts requests per key. Implementations: memory.ts (a fixed window in this isolate's memory,
 * what runs today); a Durable Object per key or the Workers Rate Limiting binding can replace it
 * behind this interface without touching the routes.
 */
export interface RateLimiter {
  limit(key: string, rule: RateLimitRule, now: number): Promise<RateLimitResult>;
}
