import { findUserByEmail } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { requirePublicUrl } from "../../infra/access-tokens";
import { isEmail, normalizeEmail } from "./lib/email";
import { mailLink } from "./lib/mail-links";
import { AUTH_LIMITS, emailKey, ipKey, spend } from "./lib/throttle";

/**
 * Mails a password reset link (1 hour, single use) when the address has an account. The
 * caller learns nothing either way: the answer is the same, the limits count the same, and
 * the lookup and the mail run after the response (waitUntil), so timing tells nothing either.
 */
export async function requestPasswordReset({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { email: string; ip: string };
}): Promise<void> {
  // 503 rather than a 202 whose mail could carry no working link.
  requirePublicUrl(ctx);
  const email = normalizeEmail(input.email);
  await spend(
    ctx,
    ipKey("reset", input.ip),
    AUTH_LIMITS.resetPerIp,
    "too many reset requests from this address",
  );
  await spend(
    ctx,
    await emailKey("reset", email),
    AUTH_LIMITS.resetPerEmail,
    "too many reset mails asked for this email; check your inbox and spam folder",
  );
  if (!isEmail(email)) return;
  ctx.waitUntil(
    (async () => {
      const user = await findUserByEmail(ctx.db, email);
      if (user) await mailLink(ctx, { purpose: "reset_password", userId: user.id, email });
    })().catch((err: unknown) => ctx.logger.warn("reset mail not sent", { error: String(err) })),
  );
}
