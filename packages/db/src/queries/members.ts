import { and, asc, count, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { projectMembers, projects, users } from "../schema";

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

/** The most members one list answer holds (projects have far fewer; the bound keeps a read bounded). */
export const MEMBER_LIST_LIMIT = 1_000;

/** A project's members, earliest first: the first MEMBER_LIST_LIMIT of them. */
export function listMembersOf(db: Db, projectId: string): Promise<MemberRecord[]> {
  return db
    .select(memberColumns)
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, projectId))
    .orderBy(asc(projectMembers.createdAt), asc(projectMembers.userId))
    .limit(MEMBER_LIST_LIMIT);
}

/** How many live (not deleted) projects the person owns. */
export async function countOwnedLiveProjects(db: Db, userId: string): Promise<number> {
  const rows = await db
    .select({ n: count() })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(
      and(eq(projectMembers.userId, userId), eq(projectMembers.role, "owner"), isNull(projects.deletedAt)),
    );
  return rows[0]?.n ?? 0;
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
 * Who is changing a member's row, so the statement itself keeps "only an owner touches owners"
 * even when roles change between the caller's check and the write.
 */
export type OwnerGuard =
  /** Someone leaving: their own row, whatever its role now. */
  | { kind: "self" }
  /** A caller who is not an owner (a person, or an API key): the row must not be an owner's. */
  | { kind: "non_owner" }
  /** An owner, who must still be one when the statement runs. */
  | { kind: "owner"; userId: string };

const ownerGuard = (projectId: string, guard: OwnerGuard): SQL | undefined => {
  if (guard.kind === "self") return undefined;
  if (guard.kind === "non_owner") return sql`${projectMembers.role} != 'owner'`;
  return sql`(${projectMembers.role} != 'owner' OR EXISTS (SELECT 1 FROM project_members AS c WHERE c.project_id = ${projectId} AND c.user_id = ${guard.userId} AND c.role = 'owner'))`;
};

/**
 * Sets a member's role unless that would demote the project's last owner, or the row is (now)
 * an owner's and the caller is not (now) one. "changed", or "refused" (no such member, the last
 * owner losing the role, or an owner's row the caller may not touch).
 */
export async function setMemberRole(
  db: Db,
  projectId: string,
  userId: string,
  role: string,
  now: number,
  guard: OwnerGuard,
): Promise<"changed" | "refused"> {
  const rows = await db
    .update(projectMembers)
    .set({ role, updatedAt: now })
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        eq(projectMembers.userId, userId),
        role === "owner" ? undefined : notLastOwner(projectId),
        ownerGuard(projectId, guard),
      ),
    )
    .returning({ userId: projectMembers.userId });
  return rows.length > 0 ? "changed" : "refused";
}

/**
 * Removes a member unless they are the project's last owner, or the row is (now) an owner's and
 * the caller is not (now) one; anyone may leave.
 */
export async function deleteMember(
  db: Db,
  projectId: string,
  userId: string,
  guard: OwnerGuard,
): Promise<"removed" | "refused"> {
  const rows = await db
    .delete(projectMembers)
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        eq(projectMembers.userId, userId),
        notLastOwner(projectId),
        ownerGuard(projectId, guard),
      ),
    )
    .returning({ userId: projectMembers.userId });
  return rows.length > 0 ? "removed" : "refused";
}
