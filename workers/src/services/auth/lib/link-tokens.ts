import type { EmailTokenRow } from "@pushbunny/db";
import { BadRequestError } from "../../../errors";

const AGAIN = {
  verification: "sign in and ask for a new one (POST /v1/auth/verify-email/resend)",
  reset: "ask for a new one (POST /v1/auth/password-reset/request)",
} as const;
const WHAT = { verification: "verification link", reset: "password reset link" } as const;

/**
 * The 400s a mailed link's token can earn, each saying what to do next: unknown (mistyped or
 * forged), used or replaced by a newer link, expired.
 */
export function checkLinkToken(
  row: EmailTokenRow | null,
  now: number,
  kind: keyof typeof AGAIN,
): asserts row is EmailTokenRow {
  const what = WHAT[kind];
  if (!row) throw new BadRequestError(`invalid ${what}: check it was copied whole, or ${AGAIN[kind]}`);
  if (row.usedAt !== null) throw linkUsed(kind);
  if (row.expiresAt <= now) throw new BadRequestError(`this ${what} expired: ${AGAIN[kind]}`);
}

/** The 400 for a link used (or replaced) before this request could claim it. */
export const linkUsed = (kind: keyof typeof AGAIN) =>
  new BadRequestError(`this ${WHAT[kind]} was already used or replaced by a newer one: ${AGAIN[kind]}`);
