import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, invites, projectMembers, projects } from "../schema";
import { pendingInvite } from "./invites";
import { olderThan } from "./keyset";

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
  /** live | test: test-mode keys never act beyond the message and read scopes. */
  mode: string;
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
      mode: apiKeys.mode,
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

/** A live project's settings as its members see them. */
export interface ProjectRecord {
  id: string;
  name: string;
  defaultLocale: string;
  challengerCount: number;
  /** Whether POST /v1/metrics refuses keyless requests for this project. */
  metricsRequireKey: boolean;
  /** IANA zone campaigns scheduled at a local time use in "project" mode. */
  timeZone: string;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

const projectColumns = {
  id: projects.id,
  name: projects.name,
  defaultLocale: projects.defaultLocale,
  challengerCount: projects.challengerCount,
  metricsRequireKey: projects.metricsRequireKey,
  timeZone: projects.timeZone,
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
        olderThan(projects.createdAt, projects.id, q.after),
      ),
    )
    .orderBy(desc(projects.createdAt), desc(projects.id))
    .limit(q.limit);
}

/** Changes a live project's settings; false when it is gone. */
export async function updateProjectSettings(
  db: Db,
  projectId: string,
  set: {
    name?: string;
    defaultLocale?: string;
    challengerCount?: number;
    metricsRequireKey?: boolean;
    timeZone?: string;
  },
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
      .where(and(eq(invites.projectId, projectId), pendingInvite(now))),
  ]);
  return deleted.length > 0;
}

/** The project's IANA time zone ("UTC" unless set); null when the project does not exist. */
export async function findProjectTimeZone(db: Db, projectId: string): Promise<string | null> {
  const [row] = await db
    .select({ timeZone: projects.timeZone })
    .from(projects)
    .where(eq(projects.id, projectId))
    .limit(1);
  return row?.timeZone ?? null;
}
