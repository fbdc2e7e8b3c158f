import { updateApiKey as saveApiKey } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError, NotFoundError } from "../../errors";
import { refreshApiKey } from "../../infra/api-keys";
import { recordAudit } from "../audit/record-audit";
import {
  type ApiKey,
  assertMayManage,
  assertWithinCaller,
  isoOrNull,
  type KeyMode,
  loadCaller,
  mustKey,
  statusOf,
  toApiKey,
  validName,
} from "./lib/api-key";

export interface UpdateApiKeyInput {
  keyId: string;
  name?: string;
  /** Unix ms; null: never expires; a past instant expires the key now. */
  expiresAt?: number | null;
}

/**
 * Renames a key or changes when it expires. Revoked and expired keys stay so (create a new key
 * instead), and a rolled key's grace can end sooner but never later. A calling API key with an
 * expiry may move a key's expiry later only up to its own (400): it cannot outlive itself by
 * extending itself, or keep another key alive past it.
 */
export async function updateApiKey({
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
  input: UpdateApiKeyInput;
}): Promise<ApiKey> {
  if (input.name === undefined && input.expiresAt === undefined) {
    throw new BadRequestError("send name or expires_at to change");
  }
  const now = ctx.now();
  const name = input.name === undefined ? undefined : validName(input.name);
  const before = await mustKey(ctx, projectId, input.keyId);
  const mode: KeyMode = before.mode === "test" ? "test" : "live";
  const caller = await loadCaller(ctx, projectId, callerKeyId);
  assertMayManage(caller, mode);

  let expiresAt: number | null | undefined;
  if (input.expiresAt !== undefined && input.expiresAt !== before.expiresAt) {
    const status = statusOf(before, now);
    if (status !== "active") {
      throw new ConflictError(
        `API key '${before.id}' is ${status}: its expiry cannot change (create a new key instead)`,
      );
    }
    // Expiring "in the past" means now: the record says when the key actually stopped working.
    expiresAt = input.expiresAt === null ? null : Math.max(input.expiresAt, now);
    if (before.rolledTo !== null && (expiresAt === null || (before.expiresAt ?? 0) < expiresAt)) {
      throw new ConflictError(
        `API key '${before.id}' was rolled to '${before.rolledTo}': its grace can end sooner, not later`,
      );
    }
    // Ending a key sooner grants nothing, whoever asks.
    const later = before.expiresAt !== null && (expiresAt === null || expiresAt > before.expiresAt);
    if (later) assertWithinCaller(caller, expiresAt);
  }
  const rename = name !== undefined && name !== before.name;
  if (!rename && expiresAt === undefined) return toApiKey(before, now);

  const after = await saveApiKey(ctx.db, projectId, before.id, {
    ...(rename ? { name } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  });
  if (!after) throw new NotFoundError(`API key '${input.keyId}' not found`);
  if (expiresAt !== undefined) await refreshApiKey(ctx, before.digest);

  if (rename) {
    await recordAudit({
      ctx,
      projectId,
      actor,
      input: {
        action: "api_key.renamed",
        targetType: "api_key",
        targetId: before.id,
        details: { prefix: before.prefix, from: before.name, to: after.name },
      },
    });
  }
  if (expiresAt !== undefined) {
    await recordAudit({
      ctx,
      projectId,
      actor,
      input: {
        action: "api_key.expiry_changed",
        targetType: "api_key",
        targetId: before.id,
        details: { prefix: before.prefix, from: isoOrNull(before.expiresAt), to: isoOrNull(expiresAt) },
      },
    });
  }
  return toApiKey(after, now);
}
