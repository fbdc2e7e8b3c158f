import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { projectMembers, users } from "../schema";

// A project's members. Every statement names the project; the last-owner rule is enforced
// inside the statement, so two owners demoting each other at once never leave a project
// without one.

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
