import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { sessionFamilies, type UserRow, userIdentities, users } from "../schema";

// Sign-in identities from other issuers (Google's `sub`) and the users they belong to.

/** The user an issuer's subject is linked to, or null. */
export async function findUserByIdentity(db: Db, provider: string, subject: string): Promise<UserRow | null> {
  const rows = await db
    .select({ user: users })
    .from(userIdentities)
    .innerJoin(users, eq(users.id, userIdentities.userId))
    .where(and(eq(userIdentities.provider, provider), eq(userIdentities.subject, subject)))
    .limit(1);
  return rows[0]?.user ?? null;
}

export interface NewIdentity {
  id: string;
  userId: string;
  provider: string;
  subject: string;
  email: string;
  now: number;
}

const identityValues = (input: NewIdentity) => ({
  id: input.id,
  userId: input.userId,
  provider: input.provider,
  subject: input.subject,
  email: input.email,
  createdAt: input.now,
});

/**
 * Links an identity to an existing user. False when the subject was linked meanwhile (a
 * concurrent sign-in): the caller looks it up again.
 */
export async function insertIdentity(db: Db, input: NewIdentity): Promise<boolean> {
  const result = await db.insert(userIdentities).values(identityValues(input)).onConflictDoNothing().run();
  return result.meta.changes > 0;
}

/**
 * Links an identity to a user who has a password and takes the account from whoever set that
 * password, in one batch: the identity, then, only when that insert took place, the password
 * cleared, `sessions_valid_after` moved to `sessionsValidAfter` and every live session family
 * revoked ("identity_linked"). False when the subject was linked meanwhile (nothing changes).
 */
export async function insertIdentityEndingSessions(
  db: Db,
  input: NewIdentity & { sessionsValidAfter: number },
): Promise<boolean> {
  // The fresh identity id exists only if this batch's insert won; a racing link changes nothing.
  const linked = sql`exists (select 1 from ${userIdentities} where ${userIdentities.id} = ${input.id})`;
  const [inserted] = await db.batch([
    db
      .insert(userIdentities)
      .values(identityValues(input))
      .onConflictDoNothing()
      .returning({ id: userIdentities.id }),
    db
      .update(users)
      .set({ passwordHash: null, sessionsValidAfter: input.sessionsValidAfter, updatedAt: input.now })
      .where(and(eq(users.id, input.userId), linked)),
    db
      .update(sessionFamilies)
      .set({ revokedAt: input.now, revokedReason: "identity_linked" })
      .where(and(eq(sessionFamilies.userId, input.userId), isNull(sessionFamilies.revokedAt), linked)),
  ]);
  return inserted.length > 0;
}

/**
 * A new user whose email the issuer verified (no password) with its identity, in one batch.
 * False when the email or the subject was taken meanwhile: D1 rolls the whole batch back.
 */
export async function insertUserWithIdentity(
  db: Db,
  input: NewIdentity & { email: string; name: string },
): Promise<boolean> {
  try {
    await db.batch([
      db.insert(users).values({
        id: input.userId,
        email: input.email,
        name: input.name,
        passwordHash: null,
        emailVerifiedAt: input.now,
        createdAt: input.now,
        updatedAt: input.now,
      }),
      db.insert(userIdentities).values(identityValues(input)),
    ]);
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

// drizzle wraps D1's error; the constraint's name is in the cause chain.
function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (/UNIQUE constraint failed/i.test(e.message)) return true;
  }
  return false;
}
