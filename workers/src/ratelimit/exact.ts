import type { CounterState, LeaseState } from "../durable/rate-limit-counter";
import type { Env } from "../env";
import type { RateLimitRule } from "./interface";

export type { CounterState, LeaseState };

/** Exact, long-window counting through the RateLimitCounter Durable Object (one per key). */
export interface ExactLimiter {
  /** Counts `cost` (default 1) against the key; `success: false` once it would pass the limit. */
  hit(key: string, rule: RateLimitRule, cost?: number): Promise<CounterState>;
  /** Takes up to `want` tokens at once, for an isolate to spend locally (leased.ts). */
  lease(key: string, rule: RateLimitRule, want: number): Promise<LeaseState>;
  /** The key's state without counting. */
  peek(key: string, rule: RateLimitRule): Promise<CounterState>;
  /** Forgets the key (e.g. a successful login clears its failures). */
  reset(key: string): Promise<void>;
}

export function exactLimiter(env: Pick<Env, "RATE_LIMITS">, now: () => number = Date.now): ExactLimiter {
  const stub = (key: string) => env.RATE_LIMITS.get(env.RATE_LIMITS.idFromName(key));
  return {
    hit: (key, rule, cost = 1) => stub(key).hit(rule.limit, rule.windowMs, cost, now()),
    lease: (key, rule, want) => stub(key).lease(rule.limit, rule.windowMs, want, now()),
    peek: (key, rule) => stub(key).peek(rule.limit, rule.windowMs, now()),
    reset: (key) => stub(key).reset(),
  };
}
