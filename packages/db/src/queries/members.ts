import { and, asc, desc, eq, gt, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type InviteRow, invites, projectMembers, projects, users } from "../schema";

// Projects as people manage them, their members and invites. Every statement names the
// project; the last-owner rule is enforced inside the statement so two owners demoting each
// other at once can never leave a project without one.

/** A live project's settings as its members see them. */
export interface ProjectRecord {
  id: string;
  name: string;
  defaultLocale: string;
  challengerCount: number;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

const projectColumns = {
  id: projects.id,
  name: projects.name,
  defaultLocale: projects.defaultLocale,
  challengerCount: projects.challengerCount,
  createdBy: projects.createdBy,
  createdAt: projects.createdAt,
  updatedAt: projects.updatedAt,
};

/** A new project and its first owner, in one batch. */
export async function insertProjectWithOwner(
  db: Db,
  input: {
    id: string;
    name: string;
    defaultLocale?: string;
    challengerCount?: number;
    createdBy: string;
    ownerUserId: string;
    now: number;
  },
): Promise<void> {
  await db.batch([
    db.insert(projects).values({
      id: input.id,
      name: input.name,
      ...(input.defaultLocale ? { defaultLocale: input.defaultLocale } : {}),
      ...(input.challengerCount !== undefined ? { challengerCount: input.challengerCount } : {}),
      createdBy: input.createdBy,
      createdAt: input.now,
      updatedAt: input.now,
    }),
    db.insert(projectMembers).values({
      projectId: input.id,
      userId: input.ownerUserId,
      role: "owner",
      createdAt: input.now,
      updatedAt: input.now,
    }),
  ]);
}

/** A live project, or null when it does not exist or was deleted. */
export async function findLiveProject(db: Db, projectId: string): Promise<ProjectRecord | null> {
  const rows = await db
    .select(projectColumns)
    .from(projects)
    .where(and(eq(projects.id, projectId), isNull(projects.deletedAt)))
    .limit(1);
  return rows[0] ?? null;
}

/** A page of the live projects a person belongs to, newest first, with their role. */
export function listProjectsOfUser(
  db: Db,
  userId: string,
  q: { limit: number; after?: { createdAt: number; id: string } },
): Promise<(ProjectRecord & { role: string })[]> {
  return db
    .select({ ...projectColumns, role: projectMembers.role })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(
      and(
        eq(projectMembers.userId, userId),
        isNull(projects.deletedAt),
        q.after
          ? or(
              lt(projects.createdAt, q.after.createdAt),
              and(eq(projects.createdAt, q.after.createdAt), lt(projects.id, q.after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(projects.createdAt), desc(projects.id))
    .limit(q.limit);
}

/** Changes a live project's settings; false when it is gone. */
export async function updateProjectSettings(
  db: Db,
  projectId: string,
  set: { name?: string; defaultLocale?: string; challengerCount?: number },
  now: number,
): Promise<boolean> {
  const rows = await db
    .update(projects)
    .set({ ...set, updatedAt: now })
    .where(and(eq(projects.id, projectId), isNull(projects.deletedAt)))
    .returning({ id: projects.id });
  return rows.length > 0;
}

/** Marks a project deleted and withdraws its pending invites; false when it already was. */
export async function softDeleteProject(db: Db, projectId: string, now: number): Promise<boolean> {
  const [deleted] = await db.batch([
    db
      .update(projects)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(projects.id, projectId), isNull(projects.deletedAt)))
      .returning({ id: projects.id }),
    db
      .update(invites)
      .set({ revokedAt: now })
      .where(and(eq(invites.projectId, projectId), pending(now))),
  ]);
  return deleted.length > 0;
}

/** A member as the members list shows them. */
export interface MemberRecord {
  userId: string;
  email: string;
  name: string;
  role: string;
  joinedAt: number;
}

const memberColumns = {
  userId: projectMembers.userId,
  email: users.email,
  name: users.name,
  role: projectMembers.role,
  joinedAt: projectMembers.createdAt,
};

/** Everyone in a project, earliest first. */
export function listMembersOf(db: Db, projectId: string): Promise<MemberRecord[]> {
  return db
    .select(memberColumns)
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, projectId))
    .orderBy(asc(projectMembers.createdAt), asc(projectMembers.userId));
}

export async function findMemberOf(db: Db, projectId: string, userId: string): Promise<MemberRecord | null> {
  const rows = await db
    .select(memberColumns)
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
    .limit(1);
  return rows[0] ?? null;
}

/** True when the person with this (lower-cased) email already belongs to the project. */
export async function isMemberByEmail(db: Db, projectId: string, email: string): Promise<boolean> {
  const rows = await db
    .select({ userId: projectMembers.userId })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(and(eq(projectMembers.projectId, projectId), eq(users.email, email)))
    .limit(1);
  return rows.length > 0;
}

// True for a row that is not an owner, or an owner who is not the project's last one. Aliased:
// the subquery reads the same table the statement changes.
const notLastOwner = (projectId: string): SQL =>
  sql`(${projectMembers.role} != 'owner' OR (SELECT count(*) FROM project_members AS o WHERE o.project_id = ${projectId} AND o.role = 'owner') > 1)`;

/**
 * Sets a member's role unless that would demote the project's last owner. "changed", or
 * "refused" (no such member, or the last owner losing the role).
 */
export async function setMemberRole(
  db: Db,
  projectId: string,
  userId: string,
  role: string,
  now: number,
): Promise<"changed" | "refused"> {
  const rows = await db
    .update(projectMembers)
    .set({ role, updatedAt: now })
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        eq(projectMembers.userId, userId),
        role === "owner" ? undefined : notLastOwner(projectId),
      ),
    )
    .returning({ userId: projectMembers.userId });
  return rows.length > 0 ? "changed" : "refused";
}

/** Removes a member unless they are the project's last owner. */
export async function deleteMember(
  db: Db,
  projectId: string,
  userId: string,
): Promise<"removed" | "refused"> {
  const rows = await db
    .delete(projectMembers)
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        eq(projectMembers.userId, userId),
        notLastOwner(projectId),
      ),
    )
    .returning({ userId: projectMembers.userId });
  return rows.length > 0 ? "removed" : "refused";
}

const pending = (now: number) =>
  and(isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now));

/** Stores an invite, withdrawing any pending one for the same email in the project. */
export async function insertInvite(db: Db, invite: typeof invites.$inferInsert, now: number): Promise<void> {
  await db.batch([
    db
      .update(invites)
      .set({ revokedAt: now })
      .where(and(eq(invites.projectId, invite.projectId), eq(invites.email, invite.email), pending(now))),
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
        pending(q.now),
        q.after
          ? or(
              lt(invites.createdAt, q.after.createdAt),
              and(eq(invites.createdAt, q.after.createdAt), lt(invites.id, q.after.id)),
            )
          : undefined,
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
    .where(and(eq(invites.projectId, projectId), eq(invites.id, inviteId), pending(now)))
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
      .where(and(eq(invites.id, inviteId), pending(now)))
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
