import { newId, sha256Hex } from "@pushbunny/core";
import { countLiveApiKeys, findApiKey, rollApiKey as saveRoll } from "@pushbunny/db";
import { parseScopes } from "../../access/levels";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError } from "../../errors";
import { refreshApiKey } from "../../infra/api-keys";
import { recordAudit } from "../audit/record-audit";
import {
  assertCallerHolds,
  assertMayManage,
  assertTestKeyScopes,
  expiryBoundOf,
  GRACE_SECONDS,
  type IssuedApiKey,
  isoOrNull,
  type KeyMode,
  loadCaller,
  MAX_LIVE_KEYS,
  mintSecret,
  mustKey,
  PREFIX_LENGTH,
  statusOf,
  toApiKey,
  tooManyKeys,
} from "./lib/api-key";

/**
 * Replaces a key's secret: a new key with the same name, scopes, mode and expiry, while the old
 * one keeps working for the grace period (never longer than it already would) and then expires.
 * Revoked, expired and already rolled keys cannot be rolled (409). A calling API key rolls only
 * keys whose scopes it holds (403), and the new key expires no later than the caller does.
 * With a grace, both keys work for a while, so a project at MAX_LIVE_KEYS rolls with none (409).
 * Login keys are not rolled (409): the person's app gets a new one by signing in again, and a
 * rolled copy would belong to whoever rolled it (docs/adr/0018-login-keys.md).
 */
export async function rollApiKey({
  ctx,
  projectId,
  actor,
  callerKeyId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  callerKeyId: string | null;
  input: { keyId: string; graceSeconds?: number };
}): Promise<IssuedApiKey> {
  const grace = input.graceSeconds ?? GRACE_SECONDS.default;
  if (!Number.isInteger(grace) || grace < GRACE_SECONDS.min || grace > GRACE_SECONDS.max) {
    throw BadRequestError.fromIssues([
      {
        path: "grace_seconds",
        message: `must be a whole number of seconds from ${GRACE_SECONDS.min} to ${GRACE_SECONDS.max}`,
      },
    ]);
  }
  const now = ctx.now();
  const old = await mustKey(ctx, projectId, input.keyId);
  const mode: KeyMode = old.mode === "test" ? "test" : "live";
  const caller = await loadCaller(ctx, projectId, callerKeyId);
  assertMayManage(caller, mode);
  if (old.revokedAt !== null) {
    throw new ConflictError(`API key '${old.id}' is revoked: create a new key instead`);
  }
  if (old.loginUserId !== null) {
    throw new ConflictError(
      `API key '${old.id}' is a login key: its app gets a new one by signing in again (POST /v1/auth/login); revoke it to end it`,
    );
  }
  if (old.rolledTo !== null) {
    throw new ConflictError(`API key '${old.id}' was already rolled to '${old.rolledTo}': roll that key`);
  }
  // The new key inherits the old one's expiry, so an expired key would roll into a dead one.
  if (statusOf(old, now) === "expired") {
    throw new ConflictError(`API key '${old.id}' is expired: create a new key instead`);
  }
  const scopes = parseScopes(old.scopes);
  assertTestKeyScopes(mode, scopes, "this key has admin: create a test key without it, or a live key");
  assertCallerHolds(caller, scopes);
  if (grace > 0 && (await countLiveApiKeys(ctx.db, projectId, now)) >= MAX_LIVE_KEYS) {
    throw tooManyKeys(", or roll with grace_seconds 0");
  }
  // A roll swaps the secret, not the key's life: a 1-hour key never rolls into a lasting one,
  // and a calling key hands out nothing that outlives itself.
  const bound = expiryBoundOf(caller);
  const expiresAt =
    old.expiresAt === null ? (bound ?? null) : Math.min(old.expiresAt, bound ?? Number.POSITIVE_INFINITY);

  const secret = mintSecret(mode);
  const next = {
    id: newId("key"),
    projectId,
    name: old.name,
    prefix: secret.slice(0, PREFIX_LENGTH),
    digest: await sha256Hex(secret),
    scopes: old.scopes,
    mode,
    createdAt: now,
    createdBy: actor,
    expiresAt,
  };
  // The grace never revives an expired key or extends an earlier expiry.
  const oldExpiresAt = Math.min(now + grace * 1000, old.expiresAt ?? Number.POSITIVE_INFINITY);
  if (!(await saveRoll(ctx.db, { projectId, oldId: old.id, oldExpiresAt, next }))) {
    throw new ConflictError(`API key '${old.id}' changed while rolling (revoked or rolled): read it again`);
  }
  await refreshApiKey(ctx, old.digest);
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "api_key.rolled",
      targetType: "api_key",
      targetId: old.id,
      details: {
        prefix: old.prefix,
        new_key_id: next.id,
        new_prefix: next.prefix,
        grace_seconds: grace,
        old_expires_at: isoOrNull(oldExpiresAt),
        new_expires_at: isoOrNull(expiresAt),
      },
    },
  });
  const row = await findApiKey(ctx.db, projectId, next.id);
  if (!row) throw new ConflictError(`API key '${old.id}' changed while rolling: read it again`);
  return { ...toApiKey(row, now), secret };
}
