import { hashPassword, newId, passwordProblem } from "@pushbunny/core";
import { insertUser } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError } from "../../errors";
import { isEmail, normalizeEmail } from "./lib/email";
import { mailLink } from "./lib/mail-links";
import { issueSession, requireSigning, type SessionTokens } from "./lib/sessions";
import { AUTH_LIMITS, ipKey, spend } from "./lib/throttle";
import { toUser, type User } from "./lib/users";

export interface SignupInput {
  email: string;
  password: string;
  name?: string;
  /** The client's address (CF-Connecting-IP), for the per-address signup limit. */
  ip: string;
}

/**
 * Creates a person with a password, signs them in and mails a link to verify the address.
 * The account works before verification; the link only proves the mailbox. The 409 for a taken
 * address says the account exists, so every attempt from one client address is counted up
 * front (successes and 409s alike), which keeps that question from being asked at scale.
 */
export async function signup({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: SignupInput;
}): Promise<{ user: User; session: SessionTokens }> {
  requireSigning(ctx);
  const email = normalizeEmail(input.email);
  if (!isEmail(email))
    throw BadRequestError.fromIssues([{ path: "email", message: "must be an email address" }]);
  const problem = passwordProblem(input.password);
  if (problem) throw BadRequestError.fromIssues([{ path: "password", message: problem }]);
  await spend(ctx, ipKey("signup", input.ip), AUTH_LIMITS.signupPerIp, "too many signups from this address");

  const row = await insertUser(ctx.db, {
    id: newId("usr"),
    email,
    name: input.name?.trim() ?? "",
    passwordHash: await hashPassword(input.password),
    now: ctx.now(),
  });
  if (!row) {
    throw new ConflictError(
      `an account with ${email} already exists: sign in (POST /v1/auth/login), or reset the password (POST /v1/auth/password-reset/request)`,
    );
  }
  const session = await issueSession({ ctx, input: { userId: row.id, email, method: "password" } });
  try {
    await mailLink(ctx, { purpose: "verify_email", userId: row.id, email });
  } catch (err) {
    // The account stands without the mail: POST /v1/auth/verify-email/resend sends another.
    ctx.logger.warn("verification mail not sent", { userId: row.id, error: String(err) });
  }
  return { user: toUser(row), session };
}
