import { newId, sha256Hex } from "@pushbunny/core";
import { insertIssuedApiKey } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import {
  assertMayManage,
  type IssuedApiKey,
  isoOrNull,
  type KeyMode,
  mintSecret,
  PREFIX_LENGTH,
  toApiKey,
  validName,
  validScopes,
} from "./lib/api-key";

export interface CreateApiKeyInput {
  name: string;
  /** Defaults to `["message"]`: what an SDK needs, and nothing it does not. */
  scopes?: readonly string[];
  mode?: KeyMode;
  /** Unix ms; null or absent: never. */
  expiresAt?: number | null;
}

/** Issues a key; the secret is in the result and nowhere else (only its SHA-256 is stored). */
export async function createApiKey({
  ctx,
  projectId,
  actor,
  callerKeyId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  /** The API key making the call, or null for a person. */
  callerKeyId: string | null;
  input: CreateApiKeyInput;
}): Promise<IssuedApiKey> {
  const now = ctx.now();
  const name = validName(input.name);
  const scopes = validScopes(input.scopes ?? ["message"]);
  const mode = input.mode ?? "live";
  if (mode !== "live" && mode !== "test") {
    throw BadRequestError.fromIssues([{ path: "mode", message: "must be live or test" }]);
  }
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && expiresAt <= now) {
    throw BadRequestError.fromIssues([{ path: "expires_at", message: "must be in the future" }]);
  }
  await assertMayManage(ctx, projectId, callerKeyId, mode);

  const secret = mintSecret(mode);
  const row = await insertIssuedApiKey(ctx.db, {
    id: newId("key"),
    projectId,
    name,
    prefix: secret.slice(0, PREFIX_LENGTH),
    digest: await sha256Hex(secret),
    scopes: scopes.join(","),
    mode,
    createdAt: now,
    createdBy: actor,
    expiresAt,
  });
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "api_key.created",
      targetType: "api_key",
      targetId: row.id,
      details: { name, prefix: row.prefix, scopes, mode, expires_at: isoOrNull(expiresAt) },
    },
  });
  return { ...toApiKey(row, now), secret };
}
