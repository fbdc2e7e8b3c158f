import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, type InviteRow, invites, projectMembers, projects } from "../schema";
import { olderThan } from "./keyset";

// Invitations to a project: stored as the digest of the token in the mailed link.

/** An invite that can still be accepted: not accepted, revoked or expired at `now`. */
export const pendingInvite = (now: number) =>
  and(isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now));

/** Stores an invite, withdrawing any pending one for the same email in the project. */
export async function insertInvite(db: Db, invite: typeof invites.$inferInsert, now: number): Promise<void> {
  await db.batch([
    db
      .update(invites)
      .set({ revokedAt: now })
      .where(
        and(eq(invites.projectId, invite.projectId), eq(invites.email, invite.email), pendingInvite(now)),
      ),
    db.insert(invites).values(invite),
  ]);
}

/** A page of a project's pending invites, newest first. */
export function listPendingInvites(
  db: Db,
  projectId: string,
  q: { now: number; limit: number; after?: { createdAt: number; id: string } },
): Promise<InviteRow[]> {
  return db
    .select()
    .from(invites)
    .where(
      and(
        eq(invites.projectId, projectId),
        pendingInvite(q.now),
        olderThan(invites.createdAt, invites.id, q.after),
      ),
    )
    .orderBy(desc(invites.createdAt), desc(invites.id))
    .limit(q.limit);
}

export async function findInviteOf(db: Db, projectId: string, inviteId: string): Promise<InviteRow | null> {
  const rows = await db
    .select()
    .from(invites)
    .where(and(eq(invites.projectId, projectId), eq(invites.id, inviteId)))
    .limit(1);
  return rows[0] ?? null;
}

/** Withdraws a pending invite; false when it was no longer pending. */
export async function revokeInviteOf(
  db: Db,
  projectId: string,
  inviteId: string,
  now: number,
): Promise<boolean> {
  const rows = await db
    .update(invites)
    .set({ revokedAt: now })
    .where(and(eq(invites.projectId, projectId), eq(invites.id, inviteId), pendingInvite(now)))
    .returning({ id: invites.id });
  return rows.length > 0;
}

/** The invite an accept link's token digest names, with whether its project still lives. */
export async function findInviteByDigest(
  db: Db,
  digest: string,
): Promise<(InviteRow & { projectLive: boolean }) | null> {
  const rows = await db
    .select({ invite: invites, projectDeletedAt: projects.deletedAt })
    .from(invites)
    .innerJoin(projects, eq(projects.id, invites.projectId))
    .where(eq(invites.digest, digest))
    .limit(1);
  const row = rows[0];
  return row ? { ...row.invite, projectLive: row.projectDeletedAt === null } : null;
}

/**
 * Uses an invite once: marks it accepted and adds the membership in one batch. The membership
 * insert reads the invite back by who accepted it when, so a second, racing accept (whose
 * update matched nothing) adds nothing. False when the invite was no longer pending.
 */
export async function acceptInviteOnce(
  db: Db,
  input: { inviteId: string; userId: string; now: number },
): Promise<boolean> {
  const { inviteId, userId, now } = input;
  const [accepted] = await db.batch([
    db
      .update(invites)
      .set({ acceptedAt: now, acceptedBy: userId })
      .where(and(eq(invites.id, inviteId), pendingInvite(now)))
      .returning({ id: invites.id }),
    db
      .insert(projectMembers)
      .select(
        sql`SELECT ${invites.projectId}, ${userId}, ${invites.role}, ${now}, ${now} FROM ${invites} WHERE ${invites.id} = ${inviteId} AND ${invites.acceptedBy} = ${userId} AND ${invites.acceptedAt} = ${now}`,
      )
      .onConflictDoNothing(),
  ]);
  return accepted.length > 0;
}

/** What an API key that may have sent an invite can still do. */
export interface InvitingKey {
  scopes: string;
  mode: string;
  revokedAt: number | null;
  expiresAt: number | null;
}

/**
 * The project's keys with this readable prefix (how an invite names the key that sent it).
 * Prefixes are short, so more than one key may match; the caller weighs each.
 */
export function findKeysByPrefix(db: Db, projectId: string, prefix: string): Promise<InvitingKey[]> {
  return db
    .select({
      scopes: apiKeys.scopes,
      mode: apiKeys.mode,
      revokedAt: apiKeys.revokedAt,
      expiresAt: apiKeys.expiresAt,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.prefix, prefix)))
    .limit(20);
}
