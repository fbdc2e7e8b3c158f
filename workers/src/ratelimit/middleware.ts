import { createMiddleware } from "hono/factory";
import { RateLimitedError } from "../errors";
import type { AppEnv } from "../http/types";
import type { RateLimiter, RateLimitRule } from "./interface";
import { MemoryRateLimiter } from "./memory";

/** The limiter the anonymous routes share (one per isolate). */
export const anonymousLimiter: RateLimiter = new MemoryRateLimiter();

/** The caller's address as Cloudflare reports it; one shared bucket when absent (local dev). */
export const clientIp = (header: string | undefined) => header?.trim() || "unknown";

/**
 * Limits a route per client IP (CF-Connecting-IP) and, when the path names a project, per
 * project: 429 RATE_LIMITED with Retry-After once either is spent. `name` separates buckets.
 */
export function rateLimit(
  name: string,
  rules: { perIp: RateLimitRule; perProject?: RateLimitRule },
  limiter: RateLimiter = anonymousLimiter,
) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const now = Date.now();
    const ip = clientIp(c.req.header("cf-connecting-ip"));
    const byIp = await limiter.limit(`${name}:ip:${ip}`, rules.perIp, now);
    if (!byIp.success) {
      throw new RateLimitedError(
        `too many requests from this address; retry in ${Math.ceil(byIp.retryAfterMs / 1000)} s`,
        byIp.retryAfterMs / 1000,
      );
    }
    const project = c.req.param("project");
    if (rules.perProject && project) {
      const byProject = await limiter.limit(`${name}:project:${project}`, rules.perProject, now);
      if (!byProject.success) {
        throw new RateLimitedError(
          `too many requests for this project; retry in ${Math.ceil(byProject.retryAfterMs / 1000)} s`,
          byProject.retryAfterMs / 1000,
        );
      }
    }
    await next();
  });
}
