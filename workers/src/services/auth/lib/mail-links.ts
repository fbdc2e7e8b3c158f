import { newId, newSecretToken, sha256Hex } from "@pushbunny/core";
import { type EmailTokenPurpose, insertEmailToken } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { requirePublicUrl } from "../../../infra/access-tokens";
import { mailerFor } from "../../../infra/mailer";

/** How long a mailed link works: a day to verify an address, an hour to reset a password. */
export const EMAIL_TOKEN_TTL_MS: Record<EmailTokenPurpose, number> = {
  verify_email: 24 * 3600_000,
  reset_password: 3600_000,
};

// The prefix says what a pasted token is for (support can tell them apart at a glance).
const PREFIX: Record<EmailTokenPurpose, string> = { verify_email: "pbev_", reset_password: "pbpr_" };

const PAGE: Record<EmailTokenPurpose, string> = {
  verify_email: "/app/verify-email",
  reset_password: "/app/reset-password",
};

// No user-chosen text (a name) goes into the mail: anyone can sign up with someone else's
// address, and the mail must not carry their words to that inbox.
function letter(purpose: EmailTokenPurpose, link: string) {
  const greeting = "Hello,";
  if (purpose === "verify_email") {
    return {
      subject: "Verify your email for PushBunny",
      text: [
        greeting,
        "",
        "Confirm your email address by opening this link within 24 hours:",
        link,
        "",
        "If you did not sign up for PushBunny, ignore this message.",
      ].join("\n"),
    };
  }
  return {
    subject: "Reset your PushBunny password",
    text: [
      greeting,
      "",
      "Choose a new password by opening this link within 1 hour (it works once):",
      link,
      "",
      "Resetting signs you out everywhere. If you did not ask for this, ignore this message: your password stays as it is.",
    ].join("\n"),
  };
}

/**
 * Mints a single-use link token (stored as its SHA-256; earlier unused links of the same
 * purpose stop working) and mails the link to the person.
 */
export async function mailLink(
  ctx: AppContext,
  input: { purpose: EmailTokenPurpose; userId: string; email: string },
): Promise<void> {
  const base = requirePublicUrl(ctx);
  const now = ctx.now();
  const token = newSecretToken(PREFIX[input.purpose]);
  await insertEmailToken(ctx.db, {
    id: newId("etk"),
    userId: input.userId,
    purpose: input.purpose,
    digest: await sha256Hex(token),
    now,
    expiresAt: now + EMAIL_TOKEN_TTL_MS[input.purpose],
  });
  const link = `${base}${PAGE[input.purpose]}?token=${encodeURIComponent(token)}`;
  const { subject, text } = letter(input.purpose, link);
  await mailerFor(ctx).send({ to: input.email, subject, text, kind: input.purpose });
}
