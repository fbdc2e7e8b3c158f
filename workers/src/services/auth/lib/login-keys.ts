import { newId, sha256Hex } from "@pushbunny/core";
import { findMembership, insertLoginApiKey, listUserProjects, revokeLoginApiKeys } from "@pushbunny/db";
import { type ApiKeyScope, isRole, type Role } from "../../../access/levels";
import type { AppContext } from "../../../context";
import { NotFoundError } from "../../../errors";
import { invalidateApiKeys } from "../../../infra/api-keys";
import { isoOrNull, MAX_LIVE_KEYS, mintSecret, NAME_MAX, PREFIX_LENGTH } from "../../api-keys/lib/api-key";
import { recordAudit } from "../../audit/record-audit";

// The `{ api_key }` of POST /v1/auth/login, which the upstream PushBunny mobile SDKs expect:
// a real project API key tied to the person (docs/adr/0018-login-keys.md).

/** A login key lives 30 days, like a refresh token; the app signs in again for a new one. */
export const LOGIN_KEY_TTL_MS = 30 * 24 * 3600_000;
/** Working login keys per person and project; the next login retires the oldest. */
export const MAX_LOGIN_KEYS = 5;

/** What a login key may carry: never admin. */
export type LoginKeyScope = Exclude<ApiKeyScope, "admin">;

/** Why a person's login keys were revoked, as the audit log records it. */
export type LoginKeyEnd = "member_removed" | "role_changed" | "password_reset" | "google_linked";

/** A login key just minted: its secret is in this object and nowhere else. */
export interface LoginKey {
  keyId: string;
  projectId: string;
  secret: string;
  scopes: LoginKeyScope[];
  expiresAt: number;
}

/**
 * What a login key may do, from the person's role: an SDK sends and reads; managing the
 * project (admin) needs a session, so no role's login key carries it.
 */
export function loginKeyScopes(role: Role): LoginKeyScope[] {
  return role === "viewer" ? ["read"] : ["message", "read"];
}

/**
 * The project a login's key is for: the one named (404 when the person is not a member of a
 * live project by that id, the same answer as for one that does not exist), else the person's
 * only project, else the one they joined first (ties by project id). Null: no project.
 * Call only after the password check: the answer tells projects apart.
 */
export async function chooseLoginProject(
  ctx: AppContext,
  userId: string,
  projectId: string | undefined,
): Promise<{ projectId: string; role: Role } | null> {
  if (projectId !== undefined) {
    const membership = await findMembership(ctx.db, projectId, userId);
    if (!membership) throw new NotFoundError(`project '${projectId}' not found`);
    // A stored role this code does not know grants the least, as everywhere else.
    return { projectId, role: isRole(membership.role) ? membership.role : "viewer" };
  }
  const [first] = await listUserProjects(ctx.db, userId);
  if (!first) return null;
  return { projectId: first.projectId, role: isRole(first.role) ? first.role : "viewer" };
}

/**
 * Mints a login key for a person who has just proved their password. Null when the project is
 * at its cap of working keys (and the person holds no login key there to retire), or when the
 * membership or password changed while the login ran; the login itself still succeeds.
 */
export async function mintLoginKey(
  ctx: AppContext,
  input: { userId: string; email: string; projectId: string; role: Role; passwordHash: string },
): Promise<LoginKey | null> {
  const now = ctx.now();
  const scopes = loginKeyScopes(input.role);
  const secret = mintSecret("live");
  const name = Array.from(`login · ${input.email}`).slice(0, NAME_MAX).join("");
  const actor = `user:${input.userId}`;
  const expiresAt = now + LOGIN_KEY_TTL_MS;
  const result = await insertLoginApiKey(
    ctx.db,
    {
      id: newId("key"),
      projectId: input.projectId,
      name,
      prefix: secret.slice(0, PREFIX_LENGTH),
      digest: await sha256Hex(secret),
      scopes: scopes.join(","),
      mode: "live",
      createdAt: now,
      createdBy: actor,
      expiresAt,
      loginUserId: input.userId,
    },
    {
      maxLive: MAX_LIVE_KEYS,
      keepPerUser: MAX_LOGIN_KEYS,
      now,
      grounds: { role: input.role, passwordHash: input.passwordHash },
    },
  );
  if (!result.row) {
    ctx.logger.warn("login key not minted", {
      userId: input.userId,
      projectId: input.projectId,
      reason: result.reason,
    });
    return null;
  }
  const { row, retired } = result;
  await invalidateApiKeys(
    ctx,
    retired.map((k) => k.digest),
  );
  await recordAudit({
    ctx,
    projectId: input.projectId,
    actor,
    input: {
      action: "api_key.created",
      targetType: "api_key",
      targetId: row.id,
      details: {
        name,
        prefix: row.prefix,
        scopes,
        mode: "live",
        expires_at: isoOrNull(expiresAt),
        login: true,
      },
    },
  });
  for (const k of retired) {
    await recordAudit({
      ctx,
      projectId: input.projectId,
      actor,
      input: {
        action: "api_key.revoked",
        targetType: "api_key",
        targetId: k.id,
        details: { prefix: k.prefix, name: k.name, reason: "login_key_limit", replaced_by: row.id },
      },
    });
  }
  return { keyId: row.id, projectId: input.projectId, secret, scopes, expiresAt };
}

/**
 * Revokes a person's working login keys in one project (a removal or role change) or in all
 * of them (a password reset, or a Google link that clears the password), everywhere at once:
 * tombstones like any revocation, and one audit entry per key.
 */
export async function revokeLoginKeys(
  ctx: AppContext,
  input: { userId: string; projectId?: string; actor: string; reason: LoginKeyEnd },
): Promise<number> {
  const revoked = await revokeLoginApiKeys(ctx.db, {
    userId: input.userId,
    projectId: input.projectId,
    now: ctx.now(),
  });
  if (revoked.length === 0) return 0;
  await invalidateApiKeys(
    ctx,
    revoked.map((k) => k.digest),
  );
  for (const k of revoked) {
    await recordAudit({
      ctx,
      projectId: k.projectId,
      actor: input.actor,
      input: {
        action: "api_key.revoked",
        targetType: "api_key",
        targetId: k.id,
        details: { prefix: k.prefix, name: k.name, reason: input.reason, login_user_id: input.userId },
      },
    });
  }
  return revoked.length;
}
