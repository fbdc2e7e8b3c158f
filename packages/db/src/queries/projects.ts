import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, projects } from "../schema";

export interface KeyOwner {
  projectId: string;
  defaultLocale: string;
  challengerCount: number;
}

/** The project an API key digest belongs to, or null for unknown or revoked keys. */
export async function findKeyOwner(db: Db, digest: string): Promise<KeyOwner | null> {
  const rows = await db
    .select({
      projectId: projects.id,
      defaultLocale: projects.defaultLocale,
      challengerCount: projects.challengerCount,
    })
    .from(apiKeys)
    .innerJoin(projects, eq(projects.id, apiKeys.projectId))
    .where(and(eq(apiKeys.digest, digest), isNull(apiKeys.revokedAt)))
    .limit(1);
  return rows[0] ?? null;
}

/** The project's settings. */
export async function findProject(db: Db, projectId: string): Promise<KeyOwner | null> {
  const rows = await db
    .select({
      projectId: projects.id,
      defaultLocale: projects.defaultLocale,
      challengerCount: projects.challengerCount,
    })
    .from(projects)
    .where(eq(projects.id, projectId))
    .limit(1);
  return rows[0] ?? null;
}

/** Creates the project if it does not exist (bootstrap keys and local dev seeding). */
export async function ensureProject(db: Db, input: { id: string; name: string; now: number }): Promise<void> {
  await db
    .insert(projects)
    .values({ id: input.id, name: input.name, createdAt: input.now, updatedAt: input.now })
    .onConflictDoNothing();
}

/** Stores an API key digest for a project (idempotent on the digest). */
export async function insertApiKey(
  db: Db,
  input: { id: string; projectId: string; name: string; prefix: string; digest: string; now: number },
): Promise<void> {
  await db
    .insert(apiKeys)
    .values({
      id: input.id,
      projectId: input.projectId,
      name: input.name,
      prefix: input.prefix,
      digest: input.digest,
      createdAt: input.now,
    })
    .onConflictDoNothing();
}
