import { sha256Hex } from "@pushbunny/core";
import type { AppContext } from "../../../context";
import { RateLimitedError } from "../../../errors";
import { exactLimiter } from "../../../ratelimit/exact";
import type { RateLimitRule } from "../../../ratelimit/interface";
import { addressBucket } from "../../../ratelimit/route-limits";

const MINUTE = 60_000;

/**
 * Exact counters (RateLimitCounter Durable Object) for the account flows. Per email they key
 * on the address's SHA-256, so no address sits in a Durable Object name, and they count the
 * same for addresses with and without an account: a 429 reveals nothing. Per client they key
 * on the address bucket (an IPv6 client's /64), as the route limits do.
 */
export const AUTH_LIMITS = {
  /** Login attempts per email, spent up front; a success clears it. */
  loginPerEmail: { limit: 5, windowMs: 15 * MINUTE },
  /**
   * Login attempts per client address, spent up front whatever the outcome and never cleared,
   * so a parallel spray across many emails stops at the bound; high enough for an office NAT.
   */
  loginPerIp: { limit: 50, windowMs: 15 * MINUTE },
  /** Signups per client address: a 409 tells whether an address has an account. */
  signupPerIp: { limit: 20, windowMs: 60 * MINUTE },
  /** Reset mails asked for per address. */
  resetPerEmail: { limit: 3, windowMs: 60 * MINUTE },
  resetPerIp: { limit: 10, windowMs: 15 * MINUTE },
  /** Verification mails a signed-in person may ask for again. */
  resendPerUser: { limit: 5, windowMs: 60 * MINUTE },
} as const satisfies Record<string, RateLimitRule>;

export const emailKey = async (purpose: string, email: string) =>
  `${purpose}:email:${await sha256Hex(email)}`;
export const ipKey = (purpose: string, ip: string) => `${purpose}:ip:${addressBucket(ip)}`;

const retryIn = (resetMs: number) => Math.max(1, Math.ceil(resetMs / 1000));

/** Throws 429 when the key has no room left; counts one otherwise. */
export async function spend(ctx: AppContext, key: string, rule: RateLimitRule, message: string) {
  const state = await exactLimiter(ctx.env, ctx.now).hit(key, rule);
  if (!state.success) {
    throw new RateLimitedError(`${message}; retry in ${retryIn(state.resetMs)} s`, state.resetMs / 1000);
  }
}

export async function forget(ctx: AppContext, key: string) {
  await exactLimiter(ctx.env, ctx.now).reset(key);
}
