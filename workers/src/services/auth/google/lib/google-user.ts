import { newId } from "@pushbunny/core";
import {
  findUserByEmail,
  findUserByIdentity,
  insertIdentity,
  insertIdentityEndingSessions,
  insertUserWithIdentity,
} from "@pushbunny/db";
import type { AppContext } from "../../../../context";
import { ConflictError } from "../../../../errors";
import { revokeLoginKeys } from "../../lib/login-keys";
import { sessionsCutoff } from "../../lib/sessions";
import { toUser, type User } from "../../lib/users";
import type { IdTokenClaims } from "./id-token";

export const GOOGLE_PROVIDER = "google";

/** How a Google sign-in found its user. */
export type GoogleUserOutcome = "signed_in" | "linked" | "created";

/**
 * The user a verified Google identity signs in as: the one its subject is linked to; else the
 * user with the same email, linked now, but only when that user proved the address too (an
 * unverified password account may be someone else's pre-registration, and linking it would hand
 * that person the Google user's account); else a new user, verified, with no password.
 *
 * Linking to an account that has a password also clears the password and ends every session of
 * the account. A verified address does not prove who chose the password: an attacker can sign
 * up with the victim's address, and the victim may click the unsolicited verification mail
 * (it needs no session). Google proves the mailbox's owner is signing in now, so whoever set the
 * password, and every login they hold (sessions and login API keys), loses the account; the
 * owner can set a password again with a reset link, which only their mailbox receives.
 */
export async function resolveGoogleUser(
  ctx: AppContext,
  claims: IdTokenClaims,
): Promise<{ user: User; outcome: GoogleUserOutcome }> {
  // Two attempts: a concurrent first sign-in of the same person can win the insert, and the
  // second pass then finds what it wrote.
  for (let attempt = 0; attempt < 2; attempt++) {
    const linked = await findUserByIdentity(ctx.db, GOOGLE_PROVIDER, claims.subject);
    if (linked) return { user: toUser(linked), outcome: "signed_in" };
    const now = ctx.now();
    const identity = {
      id: newId("idn"),
      provider: GOOGLE_PROVIDER,
      subject: claims.subject,
      email: claims.email,
      now,
    };
    const existing = await findUserByEmail(ctx.db, claims.email);
    if (existing) {
      if (existing.emailVerifiedAt === null) {
        throw new ConflictError(
          "an account with this email already exists but its email is not verified: sign in with its password (or reset the password) and verify the email, then Google sign-in links to it",
        );
      }
      const link = { ...identity, userId: existing.id };
      const hadPassword = existing.passwordHash !== null;
      const done = hadPassword
        ? await insertIdentityEndingSessions(ctx.db, { ...link, sessionsValidAfter: sessionsCutoff(now) })
        : await insertIdentity(ctx.db, link);
      if (done) {
        if (hadPassword) {
          await revokeLoginKeys(ctx, {
            userId: existing.id,
            actor: `user:${existing.id}`,
            reason: "google_linked",
          });
        }
        ctx.logger.info("google identity linked", { userId: existing.id, passwordCleared: hadPassword });
        return { user: toUser(existing), outcome: "linked" };
      }
      continue;
    }
    const userId = newId("usr");
    if (await insertUserWithIdentity(ctx.db, { ...identity, userId, name: claims.name })) {
      return {
        user: { id: userId, email: claims.email, name: claims.name, emailVerifiedAt: now, createdAt: now },
        outcome: "created",
      };
    }
  }
  throw new ConflictError("this Google account was being signed in twice at once; try again");
}
