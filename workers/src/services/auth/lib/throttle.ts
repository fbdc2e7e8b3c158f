import { sha256Hex } from "@pushbunny/core";
import type { AppContext } from "../../../context";
import { RateLimitedError } from "../../../errors";
import { exactLimiter } from "../../../ratelimit/exact";
import type { RateLimitRule } from "../../../ratelimit/interface";

const MINUTE = 60_000;

/**
 * Exact counters (RateLimitCounter Durable Object) for the account flows. Per email they key
 * on the address's SHA-256, so no address sits in a Durable Object name, and they count the
 * same for addresses with and without an account: a 429 reveals nothing.
 */
export const AUTH_LIMITS = {
  /** Failed logins per address; a success clears it. */
  loginPerEmail: { limit: 5, windowMs: 15 * MINUTE },
  /** Failed logins per client IP (many people may share one); a success keeps it. */
  loginPerIp: { limit: 20, windowMs: 15 * MINUTE },
  /** Reset mails asked for per address. */
  resetPerEmail: { limit: 3, windowMs: 60 * MINUTE },
  resetPerIp: { limit: 10, windowMs: 15 * MINUTE },
  /** Verification mails a signed-in person may ask for again. */
  resendPerUser: { limit: 5, windowMs: 60 * MINUTE },
} as const satisfies Record<string, RateLimitRule>;

export const emailKey = async (purpose: string, email: string) =>
  `${purpose}:email:${await sha256Hex(email)}`;
export const ipKey = (purpose: string, ip: string) => `${purpose}:ip:${ip}`;

const retryIn = (resetMs: number) => Math.max(1, Math.ceil(resetMs / 1000));

/** Throws 429 when the key has no room left; counts one otherwise. */
export async function spend(ctx: AppContext, key: string, rule: RateLimitRule, message: string) {
  const state = await exactLimiter(ctx.env, ctx.now).hit(key, rule);
  if (!state.success) {
    throw new RateLimitedError(`${message}; retry in ${retryIn(state.resetMs)} s`, state.resetMs / 1000);
  }
}

/** Throws 429 when the key is spent, without counting. */
export async function ensureRoom(ctx: AppContext, key: string, rule: RateLimitRule, message: string) {
  const state = await exactLimiter(ctx.env, ctx.now).peek(key, rule);
  if (!state.success) {
    throw new RateLimitedError(`${message}; retry in ${retryIn(state.resetMs)} s`, state.resetMs / 1000);
  }
}

/** Counts one against the key; a full counter stays full (the next ensureRoom answers 429). */
export async function count(ctx: AppContext, key: string, rule: RateLimitRule) {
  await exactLimiter(ctx.env, ctx.now).hit(key, rule);
}

export async function forget(ctx: AppContext, key: string) {
  await exactLimiter(ctx.env, ctx.now).reset(key);
}
