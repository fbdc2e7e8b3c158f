import { findUserById } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError, UnauthorizedError } from "../../errors";
import { mailLink } from "./lib/mail-links";
import { AUTH_LIMITS, spend } from "./lib/throttle";

/** Mails a fresh verification link to the signed-in person (earlier links stop working). */
export async function resendVerification({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { userId: string };
}): Promise<void> {
  const user = await findUserById(ctx.db, input.userId);
  if (!user) throw new UnauthorizedError("session ended: sign in again");
  if (user.emailVerifiedAt !== null) throw new ConflictError(`${user.email} is already verified`);
  await spend(
    ctx,
    `verify-resend:user:${user.id}`,
    AUTH_LIMITS.resendPerUser,
    "too many verification mails asked for; check your inbox and spam folder",
  );
  await mailLink(ctx, { purpose: "verify_email", userId: user.id, email: user.email });
}
