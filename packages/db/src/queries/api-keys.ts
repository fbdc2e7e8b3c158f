import { and, count, desc, eq, gt, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type ApiKeyRow, apiKeys, projects } from "../schema";
import { olderThan } from "./keyset";
import type { ApiKeyOwner } from "./projects";

/** A key by its digest with what decides whether it works, or null for a digest never issued. */
export async function findKeyByDigest(
  db: Db,
  digest: string,
): Promise<{ owner: ApiKeyOwner; revokedAt: number | null; projectDeletedAt: number | null } | null> {
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
      revokedAt: apiKeys.revokedAt,
      projectDeletedAt: projects.deletedAt,
    })
    .from(apiKeys)
    .innerJoin(projects, eq(projects.id, apiKeys.projectId))
    .where(eq(apiKeys.digest, digest))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  const { revokedAt, projectDeletedAt, ...owner } = row;
  return { owner, revokedAt, projectDeletedAt };
}

/** A project's keys that still work at `now`: neither revoked nor expired. */
function liveKeysOf(projectId: string, now: number): SQL | undefined {
  return and(
    eq(apiKeys.projectId, projectId),
    isNull(apiKeys.revokedAt),
    or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
  );
}

/**
 * The digests of a project's keys that still work: what a project delete must invalidate.
 * Expired keys are refused from any cache on their own, so they need no tombstone. Most
 * recently used first: those are the ones other isolates and KV are likely to hold.
 */
export async function listLiveKeyDigests(db: Db, projectId: string, now: number): Promise<string[]> {
  const rows = await db
    .select({ digest: apiKeys.digest })
    .from(apiKeys)
    .where(liveKeysOf(projectId, now))
    .orderBy(sql`${apiKeys.lastUsedAt} IS NULL`, desc(apiKeys.lastUsedAt));
  return rows.map((r) => r.digest);
}

/** How many of a project's keys still work at `now`. */
export async function countLiveApiKeys(db: Db, projectId: string, now: number): Promise<number> {
  const rows = await db.select({ n: count() }).from(apiKeys).where(liveKeysOf(projectId, now));
  return rows[0]?.n ?? 0;
}

/** Moves last_used_at forward only, so isolates reporting out of order never move it back. */
export async function touchApiKey(db: Db, keyId: string, at: number): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, at))));
}

/** One of a project's keys, or null (another project's key ids are not found either). */
export async function findApiKey(db: Db, projectId: string, keyId: string): Promise<ApiKeyRow | null> {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.id, keyId)))
    .limit(1);
  return rows[0] ?? null;
}

/** A page of a project's keys, newest first, after the (createdAt, id) of the previous page's last. */
export async function listApiKeysPage(
  db: Db,
  projectId: string,
  opts: { limit: number; after?: { createdAt: number; id: string } },
): Promise<ApiKeyRow[]> {
  const after = opts.after;
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, projectId), olderThan(apiKeys.createdAt, apiKeys.id, after)))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(opts.limit);
}

/** Changes a key's name or expiry; returns the row after, or null when it is not the project's. */
export async function updateApiKey(
  db: Db,
  projectId: string,
  keyId: string,
  set: { name?: string; expiresAt?: number | null },
): Promise<ApiKeyRow | null> {
  const rows = await db
    .update(apiKeys)
    .set(set)
    .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.id, keyId)))
    .returning();
  return rows[0] ?? null;
}

/** Revokes a key once: a second revocation keeps the first instant. */
export async function revokeApiKey(
  db: Db,
  projectId: string,
  keyId: string,
  at: number,
): Promise<ApiKeyRow | null> {
  await db
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)));
  return findApiKey(db, projectId, keyId);
}

/**
 * Inserts the replacement and winds the old key down in one batch, only while the old key is
 * still unrevoked and unrolled (two concurrent rolls cannot both win). Returns whether it applied.
 */
export async function rollApiKey(
  db: Db,
  input: {
    projectId: string;
    oldId: string;
    oldExpiresAt: number;
    next: typeof apiKeys.$inferInsert;
  },
): Promise<boolean> {
  const [updated] = await db.batch([
    db
      .update(apiKeys)
      .set({ expiresAt: input.oldExpiresAt, rolledTo: input.next.id })
      .where(
        and(
          eq(apiKeys.projectId, input.projectId),
          eq(apiKeys.id, input.oldId),
          isNull(apiKeys.revokedAt),
          isNull(apiKeys.rolledTo),
        ),
      )
      .returning({ id: apiKeys.id }),
    db.insert(apiKeys).values(input.next),
  ]);
  if (updated.length === 0) {
    // Lost the race (or the key changed underneath): the replacement must not survive alone.
    await db.delete(apiKeys).where(eq(apiKeys.id, input.next.id as string));
    return false;
  }
  return true;
}

/**
 * Stores a newly issued key and returns its row, or null when it would take the project past
 * `maxLive` working keys. The insert and the count run in one batch (D1 runs batches one at a
 * time), so of two racing inserts for the last slot exactly one sees itself over the cap and
 * takes its row back; its secret was never returned, so the row never worked.
 */
export async function insertIssuedApiKey(
  db: Db,
  values: typeof apiKeys.$inferInsert & { id: string },
  within: { maxLive: number; now: number },
): Promise<ApiKeyRow | null> {
  const [inserted, counted] = await db.batch([
    db.insert(apiKeys).values(values).returning(),
    db.select({ n: count() }).from(apiKeys).where(liveKeysOf(values.projectId, within.now)),
  ]);
  const row = inserted[0];
  if (!row) throw new Error("insert returned no row");
  if ((counted[0]?.n ?? 0) > within.maxLive) {
    await db.delete(apiKeys).where(eq(apiKeys.id, values.id));
    return null;
  }
  return row;
}

// Login keys: the keys POST /v1/auth/login mints for a person (api_keys.login_user_id).

/** A person's login keys in a project (or in every project) that still work at `now`. */
function liveLoginKeysOf(userId: string, projectId: string | undefined, now: number): SQL | undefined {
  return and(
    eq(apiKeys.loginUserId, userId),
    projectId === undefined ? undefined : eq(apiKeys.projectId, projectId),
    isNull(apiKeys.revokedAt),
    or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
  );
}

/** What the caller checked before minting a login key; the key only works if it still holds. */
export interface LoginKeyGrounds {
  role: string;
  /** The hash the password was verified against (or its rehash). */
  passwordHash: string;
}

/**
 * Stores a login key, all in one batch (D1 runs batches one at a time, so no other write lands
 * in between):
 * - the key is revoked at once unless the person is still a member of the live project with the
 *   role it was scoped from, and the password it was earned with is still theirs (a removal, a
 *   role change or a reset racing the login cannot leave a key behind them);
 * - the person's oldest working login keys in the project beyond `keepPerUser` are revoked
 *   (ties broken by insertion order);
 * - the project's working keys are counted against `maxLive`.
 * Returns the row (null when refused: `reason` says why) and the keys it retired, whose
 * tombstones the caller writes.
 */
export async function insertLoginApiKey(
  db: Db,
  values: typeof apiKeys.$inferInsert & { id: string; loginUserId: string },
  within: { maxLive: number; keepPerUser: number; now: number; grounds: LoginKeyGrounds },
): Promise<
  | { row: ApiKeyRow; retired: { id: string; digest: string; prefix: string; name: string }[] }
  | { row: null; reason: "changed" | "cap" }
> {
  const { projectId, loginUserId: userId, id } = values;
  const { now, grounds } = within;
  const stillGrounded = sql`EXISTS (SELECT 1 FROM project_members AS m
    JOIN users AS u ON u.id = m.user_id
    JOIN projects AS p ON p.id = m.project_id
    WHERE m.project_id = ${projectId} AND m.user_id = ${userId} AND m.role = ${grounds.role}
      AND p.deleted_at IS NULL AND u.password_hash = ${grounds.passwordHash})`;
  const newestOthers = sql`SELECT k.id FROM api_keys AS k
    WHERE k.login_user_id = ${userId} AND k.project_id = ${projectId} AND k.id != ${id}
      AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ${now})
    ORDER BY k.created_at DESC, k.rowid DESC LIMIT ${Math.max(0, within.keepPerUser - 1)}`;
  const [inserted, dropped, retired, counted] = await db.batch([
    db.insert(apiKeys).values(values).returning(),
    db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, id), sql`NOT ${stillGrounded}`))
      .returning({ id: apiKeys.id }),
    db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(
        and(
          liveLoginKeysOf(userId, projectId, now),
          sql`${apiKeys.id} != ${id}`,
          sql`${apiKeys.id} NOT IN (${newestOthers})`,
          // Only when the new key stands: a refused login retires nothing.
          sql`EXISTS (SELECT 1 FROM api_keys AS n WHERE n.id = ${id} AND n.revoked_at IS NULL)`,
        ),
      )
      .returning({ id: apiKeys.id, digest: apiKeys.digest, prefix: apiKeys.prefix, name: apiKeys.name }),
    db.select({ n: count() }).from(apiKeys).where(liveKeysOf(projectId, now)),
  ]);
  const row = inserted[0];
  if (!row) throw new Error("insert returned no row");
  if (dropped.length > 0) {
    // Its secret was never returned: the row would only clutter the key list as "revoked".
    await db.delete(apiKeys).where(eq(apiKeys.id, id));
    return { row: null, reason: "changed" };
  }
  // A retirement keeps the count where it was: only a key that adds one can pass the cap.
  if (retired.length === 0 && (counted[0]?.n ?? 0) > within.maxLive) {
    await db.delete(apiKeys).where(eq(apiKeys.id, id));
    return { row: null, reason: "cap" };
  }
  return { row, retired };
}

/**
 * Revokes a person's working login keys in one project, or in all of them (projectId
 * undefined); returns what it revoked, for tombstones and the audit log.
 */
export async function revokeLoginApiKeys(
  db: Db,
  input: { userId: string; projectId?: string; now: number },
): Promise<{ id: string; projectId: string; digest: string; prefix: string; name: string }[]> {
  return db
    .update(apiKeys)
    .set({ revokedAt: input.now })
    .where(liveLoginKeysOf(input.userId, input.projectId, input.now))
    .returning({
      id: apiKeys.id,
      projectId: apiKeys.projectId,
      digest: apiKeys.digest,
      prefix: apiKeys.prefix,
      name: apiKeys.name,
    });
}
