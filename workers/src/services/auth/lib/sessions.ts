import { newId, newSecretToken, sha256Hex } from "@pushbunny/core";
import {
  claimRefreshToken,
  findRefreshToken,
  insertRotatedToken,
  insertSession,
  type RevokedReason,
  revokeSessionFamily,
} from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { UnauthorizedError } from "../../../errors";
import { signAccessToken, signingConfig } from "../../../infra/access-tokens";

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

/**
 * Throws 503 before anything is written when access tokens cannot be signed (production
 * without AUTH_SECRET or PUBLIC_URL), so a signup never creates an account it cannot sign in.
 */
export function requireSigning(ctx: AppContext): void {
  signingConfig(ctx);
}

/**
 * The `sessions_valid_after` that ends every access token minted before `now`. Tokens carry
 * `iat` in whole seconds: a login in the same second right after must still pass, and tokens
 * from before it die with their revoked families anyway.
 */
export const sessionsCutoff = (now: number) => Math.floor(now / 1000) * 1000;

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

const SIGN_IN_AGAIN = "sign in again (POST /v1/auth/login)";

/**
 * Exchanges a refresh token for a new pair in the same session family. Each token works once:
 * a second use (a leaked copy, or a replay) revokes the whole family, so the thief's and the
 * owner's tokens all stop and the owner signs in again. Two concurrent uses count as reuse too:
 * one conditional UPDATE decides which wins, and the loser's report ends the family.
 */
export async function rotateSession({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { refreshToken: string };
}): Promise<SessionTokens> {
  requireSigning(ctx);
  const now = ctx.now();
  const state = input.refreshToken.startsWith(REFRESH_TOKEN_PREFIX)
    ? await findRefreshToken(ctx.db, await sha256Hex(input.refreshToken))
    : null;
  if (!state) throw new UnauthorizedError(`invalid refresh token: ${SIGN_IN_AGAIN}`);
  if (state.familyRevokedAt !== null) throw new UnauthorizedError(`session ended: ${SIGN_IN_AGAIN}`);
  if (state.usedAt === null && state.expiresAt <= now) {
    throw new UnauthorizedError(`refresh token expired: ${SIGN_IN_AGAIN}`);
  }
  const claimed = state.usedAt === null && (await claimRefreshToken(ctx.db, state.tokenId, now));
  if (!claimed) {
    const revoked = await endSession(ctx, {
      familyId: state.familyId,
      userId: state.userId,
      reason: "reuse",
    });
    if (revoked) {
      ctx.logger.warn("refresh token reused: session family revoked", {
        userId: state.userId,
        sessionId: state.familyId,
      });
    }
    throw new UnauthorizedError(
      `refresh token already used: the session was ended to protect the account; ${SIGN_IN_AGAIN}`,
    );
  }
  const refreshToken = newSecretToken(REFRESH_TOKEN_PREFIX);
  const refreshExpiresAt = now + REFRESH_TOKEN_TTL_MS;
  await insertRotatedToken(ctx.db, {
    familyId: state.familyId,
    userId: state.userId,
    tokenId: newId("rtk"),
    digest: await sha256Hex(refreshToken),
    now,
    expiresAt: refreshExpiresAt,
  });
  const access = await signAccessToken(ctx, {
    userId: state.userId,
    email: state.email,
    sessionId: state.familyId,
  });
  return {
    accessToken: access.token,
    expiresIn: access.expiresIn,
    refreshToken,
    refreshExpiresAt,
    sessionId: state.familyId,
  };
}

/** Revokes one login's family: its refresh tokens and (through the middleware) its access tokens. */
export async function endSession(
  ctx: AppContext,
  input: { familyId: string; userId: string; reason: RevokedReason },
): Promise<boolean> {
  return revokeSessionFamily(ctx.db, { ...input, now: ctx.now() });
}
