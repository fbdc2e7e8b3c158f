import { and, asc, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  emailTokens,
  mailOutbox,
  projectMembers,
  projects,
  sessionFamilies,
  type UserRow,
  users,
} from "../schema";

// People and the single-use tokens mailed to them (email verification, password reset).

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | null> {
  const rows = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return rows[0] ?? null;
}

export async function findUserById(db: Db, userId: string): Promise<UserRow | null> {
  const rows = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  return rows[0] ?? null;
}

/**
 * A new user. Null when the email is taken (also by a concurrent signup: the unique index
 * decides, so two signups for one address never both succeed).
 */
export async function insertUser(
  db: Db,
  input: { id: string; email: string; name: string; passwordHash: string | null; now: number },
): Promise<UserRow | null> {
  const rows = await db
    .insert(users)
    .values({
      id: input.id,
      email: input.email,
      name: input.name,
      passwordHash: input.passwordHash,
      emailVerifiedAt: null,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .onConflictDoNothing()
    .returning();
  return rows[0] ?? null;
}

/**
 * Replaces a hash stored with old parameters (after a successful login), only while the stored
 * hash is still the one the login checked: a password reset that landed meanwhile wins. False
 * when it did.
 */
export async function updatePasswordHash(
  db: Db,
  userId: string,
  verifiedHash: string,
  passwordHash: string,
  now: number,
): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ passwordHash, updatedAt: now })
    .where(and(eq(users.id, userId), eq(users.passwordHash, verifiedHash)))
    .returning({ id: users.id });
  return rows.length > 0;
}

/** Marks the address verified; keeps the first verification time. */
export async function markEmailVerified(db: Db, userId: string, now: number) {
  await db
    .update(users)
    .set({ emailVerifiedAt: now, updatedAt: now })
    .where(and(eq(users.id, userId), isNull(users.emailVerifiedAt)));
}

export interface UserProject {
  projectId: string;
  name: string;
  role: string;
}

/** The live (not deleted) projects a person belongs to, with their role, oldest first. */
export async function listUserProjects(db: Db, userId: string): Promise<UserProject[]> {
  return db
    .select({ projectId: projects.id, name: projects.name, role: projectMembers.role })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(and(eq(projectMembers.userId, userId), isNull(projects.deletedAt)))
    .orderBy(asc(projectMembers.createdAt), asc(projects.id));
}

export type EmailTokenPurpose = "verify_email" | "reset_password";

export interface EmailTokenRow {
  id: string;
  userId: string;
  purpose: string;
  expiresAt: number;
  usedAt: number | null;
}

/**
 * Stores a new mailed token (its digest) and retires the user's earlier unused ones of the
 * same purpose, so only the newest link works. One batch.
 */
export async function insertEmailToken(
  db: Db,
  input: {
    id: string;
    userId: string;
    purpose: EmailTokenPurpose;
    digest: string;
    now: number;
    expiresAt: number;
  },
): Promise<void> {
  await db.batch([
    db
      .update(emailTokens)
      .set({ usedAt: input.now })
      .where(
        and(
          eq(emailTokens.userId, input.userId),
          eq(emailTokens.purpose, input.purpose),
          isNull(emailTokens.usedAt),
        ),
      ),
    db.insert(emailTokens).values({
      id: input.id,
      userId: input.userId,
      purpose: input.purpose,
      digest: input.digest,
      createdAt: input.now,
      expiresAt: input.expiresAt,
    }),
  ]);
}

export async function findEmailToken(
  db: Db,
  digest: string,
  purpose: EmailTokenPurpose,
): Promise<EmailTokenRow | null> {
  const rows = await db
    .select({
      id: emailTokens.id,
      userId: emailTokens.userId,
      purpose: emailTokens.purpose,
      expiresAt: emailTokens.expiresAt,
      usedAt: emailTokens.usedAt,
    })
    .from(emailTokens)
    .where(and(eq(emailTokens.digest, digest), eq(emailTokens.purpose, purpose)))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Uses a token once: true for the one caller that marked it, false when it was used, retired
 * or expired meanwhile (two clicks on one link race here, and only one wins).
 */
export async function claimEmailToken(db: Db, tokenId: string, now: number): Promise<boolean> {
  const result = await db
    .update(emailTokens)
    .set({ usedAt: now })
    .where(and(eq(emailTokens.id, tokenId), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, now)))
    .run();
  return result.meta.changes > 0;
}

/**
 * A password reset's writes, in one batch: the new hash, `sessions_valid_after` (access
 * tokens minted before it stop working), the address verified (the reset link proved the
 * mailbox), and every session family of the user revoked.
 */
export async function resetUserPassword(
  db: Db,
  input: { userId: string; passwordHash: string; sessionsValidAfter: number; now: number },
): Promise<void> {
  await db.batch([
    db
      .update(users)
      .set({
        passwordHash: input.passwordHash,
        sessionsValidAfter: input.sessionsValidAfter,
        emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${input.now})`,
        updatedAt: input.now,
      })
      .where(eq(users.id, input.userId)),
    db
      .update(sessionFamilies)
      .set({ revokedAt: input.now, revokedReason: "password_reset" })
      .where(and(eq(sessionFamilies.userId, input.userId), isNull(sessionFamilies.revokedAt))),
  ]);
}

/** A message the local Mailer kept (mail_outbox). */
export interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  kind: string;
  createdAt: number;
}

/** The newest outbox messages, optionally to one address (the development outbox). */
export async function listMailOutbox(
  db: Db,
  input: { to?: string; limit: number },
): Promise<OutboxMessage[]> {
  return db
    .select({
      id: mailOutbox.id,
      to: mailOutbox.to,
      subject: mailOutbox.subject,
      text: mailOutbox.text,
      kind: mailOutbox.kind,
      createdAt: mailOutbox.createdAt,
    })
    .from(mailOutbox)
    .where(input.to === undefined ? undefined : eq(mailOutbox.to, input.to))
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(input.limit);
}
