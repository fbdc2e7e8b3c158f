import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../client";
import { projectMembers, projects, sessionFamilies, users } from "../schema";
import type { KeyOwner } from "./projects";

/** What the edge re-checks on every request made with an access token. */
export interface SessionState {
  email: string;
  /** Access tokens issued before this instant (a password reset) are refused. */
  sessionsValidAfter: number;
  revokedAt: number | null;
}

export async function findSessionState(
  db: Db,
  userId: string,
  sessionId: string,
): Promise<SessionState | null> {
  const rows = await db
    .select({
      email: users.email,
      sessionsValidAfter: users.sessionsValidAfter,
      revokedAt: sessionFamilies.revokedAt,
    })
    .from(sessionFamilies)
    .innerJoin(users, eq(users.id, sessionFamilies.userId))
    .where(and(eq(sessionFamilies.id, sessionId), eq(sessionFamilies.userId, userId)))
    .limit(1);
  return rows[0] ?? null;
}

/** A person's role in a live (not deleted) project, with the project's settings. */
export async function findMembership(
  db: Db,
  projectId: string,
  userId: string,
): Promise<(KeyOwner & { role: string }) | null> {
  const rows = await db
    .select({
      projectId: projects.id,
      defaultLocale: projects.defaultLocale,
      challengerCount: projects.challengerCount,
      role: projectMembers.role,
    })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        eq(projectMembers.userId, userId),
        isNull(projects.deletedAt),
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}
