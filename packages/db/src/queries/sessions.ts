import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { refreshTokens, sessionFamilies, users } from "../schema";

/** Why a session family ended (session_families.revoked_reason). */
export type RevokedReason = "logout" | "reuse" | "password_reset" | "expired" | "identity_linked";

/** Starts a login: its family and first refresh token, in one batch. */
export async function insertSession(
  db: Db,
  input: {
    familyId: string;
    userId: string;
    method: string;
    tokenId: string;
    digest: string;
    now: number;
    expiresAt: number;
  },
): Promise<void> {
  await db.batch([
    db.insert(sessionFamilies).values({
      id: input.familyId,
      userId: input.userId,
      method: input.method,
      createdAt: input.now,
      lastUsedAt: input.now,
    }),
    db.insert(refreshTokens).values({
      id: input.tokenId,
      familyId: input.familyId,
      userId: input.userId,
      digest: input.digest,
      createdAt: input.now,
      expiresAt: input.expiresAt,
    }),
  ]);
}

/** A refresh token with its family's and user's state: all a refresh needs to decide. */
export interface RefreshTokenState {
  tokenId: string;
  familyId: string;
  userId: string;
  email: string;
  expiresAt: number;
  usedAt: number | null;
  familyRevokedAt: number | null;
}

export async function findRefreshToken(db: Db, digest: string): Promise<RefreshTokenState | null> {
  const rows = await db
    .select({
      tokenId: refreshTokens.id,
      familyId: refreshTokens.familyId,
      userId: refreshTokens.userId,
      email: users.email,
      expiresAt: refreshTokens.expiresAt,
      usedAt: refreshTokens.usedAt,
      familyRevokedAt: sessionFamilies.revokedAt,
    })
    .from(refreshTokens)
    .innerJoin(sessionFamilies, eq(sessionFamilies.id, refreshTokens.familyId))
    .innerJoin(users, eq(users.id, refreshTokens.userId))
    .where(eq(refreshTokens.digest, digest))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Marks a refresh token used, only if it is unused, unexpired and its family is live. One
 * conditional UPDATE, so of two concurrent refreshes with one token exactly one gets true.
 */
export async function claimRefreshToken(db: Db, tokenId: string, now: number): Promise<boolean> {
  const result = await db
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(refreshTokens.id, tokenId),
        isNull(refreshTokens.usedAt),
        gt(refreshTokens.expiresAt, now),
        sql`not exists (select 1 from ${sessionFamilies} where ${sessionFamilies.id} = ${refreshTokens.familyId} and ${sessionFamilies.revokedAt} is not null)`,
      ),
    )
    .run();
  return result.meta.changes > 0;
}

/** The next token of a family after a claim, and the family's last use, in one batch. */
export async function insertRotatedToken(
  db: Db,
  input: {
    familyId: string;
    userId: string;
    tokenId: string;
    digest: string;
    now: number;
    expiresAt: number;
  },
): Promise<void> {
  await db.batch([
    db.insert(refreshTokens).values({
      id: input.tokenId,
      familyId: input.familyId,
      userId: input.userId,
      digest: input.digest,
      createdAt: input.now,
      expiresAt: input.expiresAt,
    }),
    db.update(sessionFamilies).set({ lastUsedAt: input.now }).where(eq(sessionFamilies.id, input.familyId)),
  ]);
}

/** Ends one login (its refresh and access tokens); a family already ended keeps its first reason. */
export async function revokeSessionFamily(
  db: Db,
  input: { familyId: string; userId: string; reason: RevokedReason; now: number },
): Promise<boolean> {
  const result = await db
    .update(sessionFamilies)
    .set({ revokedAt: input.now, revokedReason: input.reason })
    .where(
      and(
        eq(sessionFamilies.id, input.familyId),
        eq(sessionFamilies.userId, input.userId),
        isNull(sessionFamilies.revokedAt),
      ),
    )
    .run();
  return result.meta.changes > 0;
}

/** The family a refresh token belongs to, when it is the given user's (logout by refresh token). */
export async function findFamilyOfRefreshToken(
  db: Db,
  digest: string,
  userId: string,
): Promise<string | null> {
  const rows = await db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.digest, digest), eq(refreshTokens.userId, userId)))
    .limit(1);
  return rows[0]?.familyId ?? null;
}
