import { newId, sha256Hex } from "@pushbunny/core";
import { insertIssuedApiKey } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import {
  assertCallerHolds,
  assertMayManage,
  assertTestKeyScopes,
  assertWithinCaller,
  expiryBoundOf,
  type IssuedApiKey,
  isoOrNull,
  type KeyMode,
  loadCaller,
  MAX_LIVE_KEYS,
  mintSecret,
  PREFIX_LENGTH,
  toApiKey,
  tooManyKeys,
  validName,
  validScopes,
} from "./lib/api-key";

export interface CreateApiKeyInput {
  name: string;
  /** Defaults to `["message"]`: what an SDK needs, and nothing it does not. */
  scopes?: readonly string[];
  mode?: KeyMode;
  /**
   * Unix ms; null: never. Absent: never, or, when an API key with an expiry calls, that key's
   * own expiry (a key never mints one that outlives it).
   */
  expiresAt?: number | null;
}

/**
 * Issues a key; the secret is in the result and nowhere else (only its SHA-256 is stored).
 * Test-mode keys get message and read only (400 for admin). A calling API key issues only
 * scopes it holds (403) and no later expiry than its own (400). A project holds at most
 * MAX_LIVE_KEYS working keys (409).
 */
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
  assertTestKeyScopes(mode, scopes, "leave out admin, or create a live key", "scopes");
  if (input.expiresAt != null && input.expiresAt <= now) {
    throw BadRequestError.fromIssues([{ path: "expires_at", message: "must be in the future" }]);
  }
  const caller = await loadCaller(ctx, projectId, callerKeyId);
  assertMayManage(caller, mode);
  assertCallerHolds(caller, scopes);
  const expiresAt = input.expiresAt === undefined ? (expiryBoundOf(caller) ?? null) : input.expiresAt;
  assertWithinCaller(caller, expiresAt);

  const secret = mintSecret(mode);
  const row = await insertIssuedApiKey(
    ctx.db,
    {
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
    },
    { maxLive: MAX_LIVE_KEYS, now },
  );
  if (!row) throw tooManyKeys();
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
