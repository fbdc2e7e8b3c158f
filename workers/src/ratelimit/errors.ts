import { RateLimitedError } from "../errors";
import { refusalHeaders } from "./headers";
import type { RateLimitRule } from "./interface";

/** 429 RATE_LIMITED with Retry-After and the IETF RateLimit-Policy / RateLimit fields. */
export class LimitExceededError extends RateLimitedError {
  constructor(message: string, policy: string, rule: RateLimitRule, resetMs: number) {
    super(message, resetMs / 1000);
    Object.assign(this.headers, refusalHeaders(policy, rule, resetMs));
  }
}

/** "42 s", "15 min", "2 h": how long a caller waits, for messages. */
export function waitText(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7_200) return `${Math.ceil(s / 60)} min`;
  return `${Math.ceil(s / 3_600)} h`;
}
