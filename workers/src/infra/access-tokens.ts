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

function secretOf(ctx: AppContext): string {
  const secret = ctx.config.auth.secret;
  if (!secret) {
    throw new ServiceUnavailableError(
      "sign-in is not configured: set AUTH_SECRET (wrangler secret put AUTH_SECRET)",
    );
  }
  return secret;
}

/** An HS256 JWT with iss, aud, sub, iat, exp and the session id. */
export async function signAccessToken(
  ctx: AppContext,
  input: { userId: string; email: string; sessionId: string },
): Promise<{ token: string; expiresIn: number }> {
  const iat = Math.floor(ctx.now() / 1000);
  const token = await sign(
    {
      iss: ctx.config.auth.publicUrl,
      aud: ACCESS_TOKEN_AUDIENCE,
      sub: input.userId,
      email: input.email,
      sid: input.sessionId,
      iat,
      exp: iat + ACCESS_TOKEN_TTL_SECONDS,
    },
    secretOf(ctx),
    "HS256",
  );
  return { token, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
}

/** True when a bearer credential has a JWT's shape (API keys start with `pb_`). */
export const looksLikeJwt = (credential: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(credential);

/** Verifies signature, issuer, audience and expiry; 401 on any failure, with no detail leaked. */
export async function verifyAccessToken(ctx: AppContext, token: string): Promise<AccessClaims> {
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, secretOf(ctx), {
      alg: "HS256",
      iss: ctx.config.auth.publicUrl,
      aud: ACCESS_TOKEN_AUDIENCE,
    });
  } catch (err) {
    if (err instanceof ServiceUnavailableError) throw err;
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
