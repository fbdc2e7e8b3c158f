import { newId, sha256Hex } from "@pushbunny/core";
import { findApiKey, rollApiKey as saveRoll } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError } from "../../errors";
import { refreshApiKey } from "../../infra/api-keys";
import { recordAudit } from "../audit/record-audit";
import {
  assertMayManage,
  GRACE_SECONDS,
  type IssuedApiKey,
  isoOrNull,
  type KeyMode,
  mintSecret,
  mustKey,
  PREFIX_LENGTH,
  toApiKey,
} from "./lib/api-key";

/**
 * Replaces a key's secret: a new key with the same name, scopes and mode, while the old one
 * keeps working for the grace period (never longer than it already would) and then expires.
 * Revoked keys and keys already rolled cannot be rolled (409).
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
  await assertMayManage(ctx, projectId, callerKeyId, mode);
  if (old.revokedAt !== null) {
    throw new ConflictError(`API key '${old.id}' is revoked: create a new key instead`);
  }
  if (old.rolledTo !== null) {
    throw new ConflictError(`API key '${old.id}' was already rolled to '${old.rolledTo}': roll that key`);
  }

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
    expiresAt: null,
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
      },
    },
  });
  const row = await findApiKey(ctx.db, projectId, next.id);
  if (!row) throw new ConflictError(`API key '${old.id}' changed while rolling: read it again`);
  return { ...toApiKey(row, now), secret };
}
