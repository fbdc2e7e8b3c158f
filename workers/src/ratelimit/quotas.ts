import type { AppContext } from "../context";
import { LimitExceededError, waitText } from "./errors";
import { exactLimiter } from "./exact";
import { projectLimits } from "./project-limits";
import type { Limit, Quota } from "./rules";

/** The outcome of spending one unit of a project's quota. */
export type QuotaOutcome =
  | { allowed: true }
  | { allowed: false; rule: Limit; resetMs: number; message: string };

const WHAT: Record<Quota, (rule: Limit, wait: string) => string> = {
  generation: (rule, wait) =>
    `LLM generation quota reached: this project may start ${rule.text} challenger generations; new experiments serve their control, and generation can be asked for again in ${wait}`,
  analysis: (rule, wait) =>
    `analysis quota reached: this project may run ${rule.text} analyses, iterations and simulations together; retry in ${wait}`,
};

/**
 * The counter a quota spends: one per window length, because the counter object keeps a single
 * window and would read a count written under another window as its own (a switch from
 * 1/minute to 100/hour would otherwise reset or reuse the count).
 */
export const quotaKey = (quota: Quota, rule: Limit, projectId: string) =>
  `quota:${quota}:${rule.windowMs}:${projectId}`;

/**
 * Counts one unit of paid work against the project's quota (exact, in the RateLimitCounter
 * Durable Object). A counter outage lets the work through, logged: quotas bound cost, they must
 * not take the feature down.
 */
export async function tryQuota(ctx: AppContext, projectId: string, quota: Quota): Promise<QuotaOutcome> {
  const rule = (await projectLimits(ctx, projectId))[quota];
  try {
    const state = await exactLimiter(ctx.env, ctx.now).hit(quotaKey(quota, rule, projectId), rule);
    if (state.success) return { allowed: true };
    return {
      allowed: false,
      rule,
      resetMs: state.resetMs,
      message: WHAT[quota](rule, waitText(state.resetMs)),
    };
  } catch (err) {
    ctx.logger.warn("quota counter unavailable, work allowed", { projectId, quota, error: String(err) });
    return { allowed: true };
  }
}

/** Like tryQuota, but a spent quota is a 429 RATE_LIMITED with Retry-After and the RateLimit fields. */
export async function spendQuota(ctx: AppContext, projectId: string, quota: Quota): Promise<void> {
  const outcome = await tryQuota(ctx, projectId, quota);
  if (!outcome.allowed) throw new LimitExceededError(outcome.message, quota, outcome.rule, outcome.resetMs);
}
