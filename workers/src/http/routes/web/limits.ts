import { createMiddleware } from "hono/factory";
import { RateLimitedError } from "../../../errors";
import type { RateLimitRule } from "../../../ratelimit/interface";
import { anonymousLimiter, clientIp } from "../../../ratelimit/middleware";
import { addressBucket } from "../../../ratelimit/route-limits";
import type { AppEnv } from "../../types";

/**
 * Per client address and project, per isolate. The runtime key ships inside every page that runs
 * the SDK, so the key's class budget alone would let one address spend a whole project's budget
 * (and fill its statistics). A browser sends one exposure per experiment and visitor, and
 * batches its metrics, so these leave room for a large office behind one address.
 */
export const WEB_EXPOSURES_PER_IP: RateLimitRule = { limit: 600, windowMs: 60_000 };
export const WEB_EVENTS_PER_IP: RateLimitRule = { limit: 600, windowMs: 60_000 };

/**
 * 429 RATE_LIMITED with Retry-After once this address (an IPv6 address's /64) has spent `rule`
 * on this project's `name` route. Runs after auth, which names the project; spent before the
 * body is read, so malformed requests count too.
 */
export function perAddress(name: string, rule: RateLimitRule) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const projectId = c.get("owner")?.projectId ?? "-";
    const address = addressBucket(clientIp(c.req.header("cf-connecting-ip")));
    const d = await anonymousLimiter.limit(`${name}:${projectId}:ip:${address}`, rule, Date.now());
    if (!d.success) {
      const seconds = Math.ceil(d.retryAfterMs / 1000);
      throw new RateLimitedError(
        `too many ${name} requests from this address for this project (${rule.limit} a minute); retry in ${seconds} s`,
        d.retryAfterMs / 1000,
      );
    }
    await next();
  });
}
