import { hashPassword, verifyNoPassword, verifyPassword } from "@pushbunny/core";
import { findUserByEmail, updatePasswordHash } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { UnauthorizedError } from "../../errors";
import { normalizeEmail } from "./lib/email";
import { issueSession, requireSigning, type SessionTokens } from "./lib/sessions";
import { AUTH_LIMITS, count, emailKey, ensureRoom, forget, ipKey, spend } from "./lib/throttle";
import { toUser, type User } from "./lib/users";

/** The one answer to every failed login: it never says whether the account exists. */
export const INVALID_LOGIN = "invalid email or password";

/**
 * Signs a person in with email and password.
 *
 * Throttling runs before the password is checked, so a locked-out caller learns nothing even
 * with the right password, and costs no hash: the address's counter is spent up front (at most
 * 5 checks per 15 minutes, however many requests race) and cleared by a success; the IP's
 * counter only counts failures and is not cleared, so one address cannot hide a spray across
 * many accounts. Unknown addresses and accounts without a password (Google only) run a dummy
 * hash and get the same 401 and the same 429s.
 */
export async function login({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { email: string; password: string; ip: string };
}): Promise<{ user: User; session: SessionTokens }> {
  requireSigning(ctx);
  const email = normalizeEmail(input.email);
  const byEmail = await emailKey("login", email);
  const byIp = ipKey("login", input.ip);
  await ensureRoom(ctx, byIp, AUTH_LIMITS.loginPerIp, "too many failed sign-in attempts from this address");
  await spend(
    ctx,
    byEmail,
    AUTH_LIMITS.loginPerEmail,
    "too many failed sign-in attempts for this email: wait, or reset the password (POST /v1/auth/password-reset/request)",
  );

  const user = await findUserByEmail(ctx.db, email);
  const check = user?.passwordHash
    ? await verifyPassword(input.password, user.passwordHash)
    : { ok: await verifyNoPassword(input.password), needsRehash: false };
  if (!user || !check.ok) {
    await count(ctx, byIp, AUTH_LIMITS.loginPerIp);
    throw new UnauthorizedError(INVALID_LOGIN);
  }

  await forget(ctx, byEmail);
  if (check.needsRehash) {
    await updatePasswordHash(ctx.db, user.id, await hashPassword(input.password), ctx.now());
  }
  const session = await issueSession({ ctx, input: { userId: user.id, email, method: "password" } });
  return { user: toUser(user), session };
}
