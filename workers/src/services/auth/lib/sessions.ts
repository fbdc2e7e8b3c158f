import { newId, newSecretToken, sha256Hex } from "@pushbunny/core";
import { insertSession } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { signAccessToken } from "../../../infra/access-tokens";

/** Refresh tokens live 30 days unless used (each use replaces it). */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;
export const REFRESH_TOKEN_PREFIX = "pbr_";

export interface SessionTokens {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: number;
  sessionId: string;
}

/** Starts a login (password, Google, SDK): a new session family with its first token pair. */
export async function issueSession({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { userId: string; email: string; method: "password" | "google" | "api" };
}): Promise<SessionTokens> {
  const now = ctx.now();
  const sessionId = newId("ses");
  const refreshToken = newSecretToken(REFRESH_TOKEN_PREFIX);
  const refreshExpiresAt = now + REFRESH_TOKEN_TTL_MS;
  await insertSession(ctx.db, {
    familyId: sessionId,
    userId: input.userId,
    method: input.method,
    tokenId: newId("rtk"),
    digest: await sha256Hex(refreshToken),
    now,
    expiresAt: refreshExpiresAt,
  });
  const access = await signAccessToken(ctx, { userId: input.userId, email: input.email, sessionId });
  return {
    accessToken: access.token,
    expiresIn: access.expiresIn,
    refreshToken,
    refreshExpiresAt,
    sessionId,
  };
}
