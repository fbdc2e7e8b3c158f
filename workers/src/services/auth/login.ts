import { hashPassword, verifyNoPassword, verifyPassword } from "@pushbunny/core";
import { findUserByEmail, updatePasswordHash } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { UnauthorizedError } from "../../errors";
import { normalizeEmail } from "./lib/email";
import { chooseLoginProject, type LoginKey, mintLoginKey } from "./lib/login-keys";
import { issueSession, requireSigning, type SessionTokens } from "./lib/sessions";
import { AUTH_LIMITS, emailKey, forget, ipKey, spend } from "./lib/throttle";
import { toUser, type User } from "./lib/users";

/** The one answer to every failed login: it never says whether the account exists. */
export const INVALID_LOGIN = "invalid email or password";

/**
 * Signs a person in with email and password.
 *
 * Throttling runs before the password is checked, so a locked-out caller learns nothing even
 * with the right password, and costs no hash. Both counters are spent up front, so however many
 * requests race, none gets past them: the email's (5 checks per 15 minutes) is cleared by a
 * success; the client address's (50 per 15 minutes, an IPv6 client's whole /64) counts every
 * attempt and is never cleared, so a spray across many accounts, even in parallel, stops at
 * the bound. Unknown addresses and accounts without a password (Google only) run a dummy hash
 * and get the same 401 and the same 429s.
 *
 * With the right password, the answer also carries a login key (`loginKey`): a project API key
 * for the upstream mobile SDKs, for `projectId` or the person's first project (lib/login-keys.ts).
 * Everything about projects happens after the password check, so without the password nothing
 * about them can be learned, and a wrong password costs no more than before.
 */
export async function login({
  ctx,
  input,
}: {
  ctx: AppContext;
  /**
   * `withKey: false` (the dashboard) signs in without minting the `{ api_key }` the mobile SDKs'
   * login answers with: a browser session has no use for one.
   */
  input: { email: string; password: string; ip: string; projectId?: string; withKey?: boolean };
}): Promise<{ user: User; session: SessionTokens; loginKey: LoginKey | null }> {
  requireSigning(ctx);
  const email = normalizeEmail(input.email);
  const byEmail = await emailKey("login", email);
  await spend(
    ctx,
    ipKey("login", input.ip),
    AUTH_LIMITS.loginPerIp,
    "too many sign-in attempts from this address",
  );
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
  if (!user || !check.ok) throw new UnauthorizedError(INVALID_LOGIN);

  await forget(ctx, byEmail);
  let passwordHash = user.passwordHash;
  if (check.needsRehash && user.passwordHash) {
    const rehashed = await hashPassword(input.password);
    // A reset that landed since the check keeps its password, and this login mints no key (the
    // mint re-checks the stored hash against passwordHash, which no longer matches).
    if (await updatePasswordHash(ctx.db, user.id, user.passwordHash, rehashed, ctx.now()))
      passwordHash = rehashed;
  }
  // Before the session: a 404 for a project the person is not in leaves nothing behind.
  const target = input.withKey === false ? null : await chooseLoginProject(ctx, user.id, input.projectId);
  const session = await issueSession({ ctx, input: { userId: user.id, email, method: "password" } });
  const loginKey =
    target && passwordHash
      ? await mintLoginKey(ctx, { userId: user.id, email, ...target, passwordHash })
      : null;
  return { user: toUser(user), session, loginKey };
}
