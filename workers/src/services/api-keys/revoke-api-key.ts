import { revokeApiKey as saveRevocation } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { invalidateApiKeys } from "../../infra/api-keys";
import { recordAudit } from "../audit/record-audit";
import { type ApiKey, assertMayManage, type KeyMode, loadCaller, mustKey, toApiKey } from "./lib/api-key";

/**
 * Revokes a key for good. Idempotent: a second call answers the same key and records nothing,
 * but tombstones it again, so a retry after a failed KV write still reaches every edge.
 */
export async function revokeApiKey({
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
  input: { keyId: string };
}): Promise<ApiKey> {
  const now = ctx.now();
  const before = await mustKey(ctx, projectId, input.keyId);
  const mode: KeyMode = before.mode === "test" ? "test" : "live";
  assertMayManage(await loadCaller(ctx, projectId, callerKeyId), mode);
  const after = before.revokedAt === null ? await saveRevocation(ctx.db, projectId, before.id, now) : before;
  if (!after) throw new NotFoundError(`API key '${input.keyId}' not found`);
  await invalidateApiKeys(ctx, [before.digest]);
  if (before.revokedAt === null) {
    await recordAudit({
      ctx,
      projectId,
      actor,
      input: {
        action: "api_key.revoked",
        targetType: "api_key",
        targetId: before.id,
        details: { prefix: before.prefix, name: before.name },
      },
    });
  }
  return toApiKey(after, now);
}
