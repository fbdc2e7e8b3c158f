import { hashPassword, passwordProblem, sha256Hex } from "@pushbunny/core";
import { claimEmailToken, findEmailToken, findUserById, resetUserPassword } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { checkLinkToken, linkUsed } from "./lib/link-tokens";
import { revokeLoginKeys } from "./lib/login-keys";
import { sessionsCutoff } from "./lib/sessions";
import { emailKey, forget } from "./lib/throttle";

/**
 * Sets a new password with a reset link's token (single use, 1 hour) and ends every session
 * of the person: all session families are revoked and access tokens minted before now stop
 * working. The address counts as verified (the link proved the mailbox), and its login
 * throttle is cleared so the person can sign in at once. Their login keys (POST
 * /v1/auth/login's `api_key`) are revoked in every project: whoever knew the old password may
 * hold one.
 */
export async function resetPassword({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { token: string; password: string };
}): Promise<void> {
  const problem = passwordProblem(input.password);
  if (problem) throw BadRequestError.fromIssues([{ path: "password", message: problem }]);
  const now = ctx.now();
  const row = await findEmailToken(ctx.db, await sha256Hex(input.token), "reset_password");
  checkLinkToken(row, now, "reset");
  // Hash before claiming: a failure here leaves the link usable.
  const passwordHash = await hashPassword(input.password);
  if (!(await claimEmailToken(ctx.db, row.id, now))) throw linkUsed("reset");
  await resetUserPassword(ctx.db, {
    userId: row.userId,
    passwordHash,
    sessionsValidAfter: sessionsCutoff(now),
    now,
  });
  await revokeLoginKeys(ctx, { userId: row.userId, actor: `user:${row.userId}`, reason: "password_reset" });
  const user = await findUserById(ctx.db, row.userId);
  if (user) await forget(ctx, await emailKey("login", user.email));
}
