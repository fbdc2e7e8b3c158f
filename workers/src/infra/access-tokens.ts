import { sign, verify } from "hono/jwt";
import type { AppContext } from "../context";
import { ServiceUnavailableError, UnauthorizedError } from "../errors";

/** Access tokens live 15 minutes; refresh tokens renew them. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const ACCESS_TOKEN_AUDIENCE = "pushbunny-api";

export interface AccessClaims {
  userId: string;
  email: string;
  /** The session family (one login), so logout ends its access tokens too. */
  sessionId: string;
  issuedAtMs: number;
}

/**
 * The secret and issuer access tokens are signed with; 503 while the deployment lacks either.
 * Production has no localhost fallback for PUBLIC_URL: tokens would name an issuer that is not
 * this deployment, and mail links and the OAuth redirect would point at nobody's machine.
 */
export function signingConfig(ctx: AppContext): { secret: string; issuer: string } {
  const secret = ctx.config.auth.secret;
  if (!secret) {
    throw new ServiceUnavailableError(
      "sign-in is not configured: set AUTH_SECRET (wrangler secret put AUTH_SECRET)",
      60,
    );
  }
  return { secret, issuer: requirePublicUrl(ctx) };
}

/**
 * The origin people reach this Worker at (links in mail, the OAuth redirect, token `iss`);
 * 503 in production or staging until PUBLIC_URL is set. `feature` names what needs it.
 */
export function requirePublicUrl(ctx: AppContext, feature = "sign-in"): string {
  const url = ctx.config.auth.publicUrl;
  if (url === null) {
    throw new ServiceUnavailableError(
      `${feature} is not configured: set PUBLIC_URL (the URL people reach this Worker at)`,
      60,
    );
  }
  return url;
}

/** An HS256 JWT with iss, aud, sub, iat, exp and the session id. */
export async function signAccessToken(
  ctx: AppContext,
  input: { userId: string; email: string; sessionId: string },
): Promise<{ token: string; expiresIn: number }> {
  const { secret, issuer } = signingConfig(ctx);
  const iat = Math.floor(ctx.now() / 1000);
  const token = await sign(
    {
      iss: issuer,
      aud: ACCESS_TOKEN_AUDIENCE,
      sub: input.userId,
      email: input.email,
      sid: input.sessionId,
      iat,
      exp: iat + ACCESS_TOKEN_TTL_SECONDS,
    },
    secret,
    "HS256",
  );
  return { token, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
}

/** True when a bearer credential has a JWT's shape (API keys start with `pb_`). */
export const looksLikeJwt = (credential: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(credential);

/** Verifies signature, issuer, audience and expiry; 401 on any failure, with no detail leaked. */
export async function verifyAccessToken(ctx: AppContext, token: string): Promise<AccessClaims> {
  // Outside the try: a deployment that cannot check tokens answers 503, not a misleading 401.
  const { secret, issuer } = signingConfig(ctx);
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, secret, { alg: "HS256", iss: issuer, aud: ACCESS_TOKEN_AUDIENCE });
  } catch (err) {
    const expired = err instanceof Error && /expired/i.test(err.name + err.message);
    throw new UnauthorizedError(
      expired ? "access token expired: POST /v1/auth/refresh for a new one" : "invalid access token",
    );
  }
  const { sub, email, sid, iat } = payload;
  if (
    typeof sub !== "string" ||
    typeof sid !== "string" ||
    typeof email !== "string" ||
    typeof iat !== "number"
  ) {
    throw new UnauthorizedError("invalid access token");
  }
  return { userId: sub, email, sessionId: sid, issuedAtMs: iat * 1000 };
}
