import { abortedError, isAdSyncError, throwIfAborted } from "./errors";
import type { Channel, RetryPolicy } from "./types";

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface RetryContext {
  channel: Channel;
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  signal?: AbortSignal | undefined;
  /** Uniform in [0, 1); injectable so the jitter can be tested. */
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds, it fails with a non-retryable error, the attempts run out, or
 * the channel asks for a longer pause than maxDelayMs (then its rate_limited error, carrying
 * retryAfterMs, goes to the caller, who can schedule the sync for later).
 */
export async function withRetry<T>(ctx: RetryContext, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    throwIfAborted(ctx.channel, ctx.signal);
    try {
      return await attempt();
    } catch (err) {
      if (!isAdSyncError(err) || !err.retryable || n >= ctx.policy.maxAttempts) throw err;
      const delay = retryDelayMs(ctx.policy, n, err.retryAfterMs, ctx.random ?? Math.random);
      if (delay === undefined) throw err;
      await pause(ctx, delay);
    }
  }
}

/**
 * Exponential backoff with full jitter (uniform in [0, base·2^(n−1)], capped), or the channel's
 * own Retry-After when that is longer. Undefined when the channel wants more than maxDelayMs.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  failedAttempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number | undefined {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
  const backoff = Math.round(random() * ceiling);
  if (retryAfterMs === undefined) return backoff;
  if (retryAfterMs > policy.maxDelayMs) return undefined;
  return Math.max(backoff, retryAfterMs);
}

/** The injected sleep, cut short by the caller's signal. */
async function pause(ctx: RetryContext, ms: number): Promise<void> {
  const signal = ctx.signal;
  if (!signal) return ctx.sleep(ms);
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(ctx.channel, signal));
    signal.addEventListener("abort", onAbort, { once: true });
    ctx.sleep(ms).then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
  throwIfAborted(ctx.channel, signal);
}
