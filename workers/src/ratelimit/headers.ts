import type { RateLimitRule } from "./interface";

// The IETF fields (draft-ietf-httpapi-ratelimit-headers), structured-field form:
//   RateLimit-Policy: "notification";q=50;w=3600    the budget: quota q per window w seconds
//   RateLimit: "notification";r=0;t=1800            what is left (r) and seconds until reset (t)

const policyCache = new Map<string, string>();

/** `"name";q=…;w=…`; cached, since the hot classes send it on every response. */
export function policyField(name: string, rule: RateLimitRule): string {
  const key = `${name}|${rule.limit}|${rule.windowMs}`;
  let value = policyCache.get(key);
  if (value === undefined) {
    value = `"${name}";q=${rule.limit};w=${Math.max(1, Math.round(rule.windowMs / 1000))}`;
    if (policyCache.size > 1_000) policyCache.clear();
    policyCache.set(key, value);
  }
  return value;
}

/** `"name";r=…;t=…`, the reset rounded up to whole seconds. */
export const remainingField = (name: string, remaining: number, resetMs: number) =>
  `"${name}";r=${Math.max(0, remaining)};t=${Math.max(0, Math.ceil(resetMs / 1000))}`;

/** The three headers a refusal carries. */
export function refusalHeaders(name: string, rule: RateLimitRule, resetMs: number): Record<string, string> {
  return {
    "Retry-After": String(Math.max(1, Math.ceil(resetMs / 1000))),
    "RateLimit-Policy": policyField(name, rule),
    RateLimit: remainingField(name, 0, resetMs),
  };
}
