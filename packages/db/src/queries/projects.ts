import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, projects } from "../schema";

export interface KeyOwner {
  projectId: string;
  defaultLocale: string;
  challengerCount: number;
}

/** An API key with the project it implies: what the edge caches per key. */
export interface ApiKeyOwner extends KeyOwner {
  keyId: string;
  prefix: string;
  /** Comma-separated scopes as stored. */
  scopes: string;
  /** Unix ms after which the key is refused; null: never. */
  expiresAt: number | null;
}

/** The key and project a digest belongs to, or null for unknown or revoked keys and deleted projects. */
export async function findKeyOwner(db: Db, digest: string): Promise<ApiKeyOwner | null> {
  const rows = await db
    .select({
      projectId: projects.id,
      defaultLocale: projects.defaultLocale,
      challengerCount: projects.challengerCount,
      keyId: apiKeys.id,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      expiresAt: apiKeys.expiresAt,
    })
    .from(apiKeys)
    .innerJoin(projects, eq(projects.id, apiKeys.projectId))
    .where(and(eq(apiKeys.digest, digest), isNull(apiKeys.revokedAt), isNull(projects.deletedAt)))
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
    .where(and(eq(projects.id, projectId), isNull(projects.deletedAt)))
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
  input: {
    id: string;
    projectId: string;
    name: string;
    prefix: string;
    digest: string;
    now: number;
    scopes?: string;
    mode?: string;
    createdBy?: string | null;
    expiresAt?: number | null;
  },
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
      ...(input.scopes ? { scopes: input.scopes } : {}),
      ...(input.mode ? { mode: input.mode } : {}),
      createdBy: input.createdBy ?? null,
      expiresAt: input.expiresAt ?? null,
    })
    .onConflictDoNothing();
}
