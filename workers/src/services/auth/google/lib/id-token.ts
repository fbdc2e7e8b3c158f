import { decode, verifyWithJwks } from "hono/jwt";
import type { AppContext } from "../../../../context";
import { AppError, UnauthorizedError } from "../../../../errors";
import { type GoogleConfig, type OidcEndpoints, signingKeys } from "./provider";

/** What a verified ID token says about the person. */
export interface IdTokenClaims {
  /** The issuer's stable id for the person (never reassigned, unlike the email). */
  subject: string;
  /** Lower-cased and trimmed, as users.email stores it. */
  email: string;
  name: string;
}

/** Clock difference tolerated between the provider and this Worker. */
const LEEWAY_SECONDS = 60;
const GOOGLE_ISSUER = "https://accounts.google.com";

/** hono's JWK type: the JWKS entries are passed through as the provider published them. */
type JwksKeys = NonNullable<Parameters<typeof verifyWithJwks>[1]["keys"]>;

const invalid = (why: string) => new UnauthorizedError(`Google sign-in failed: the ID token ${why}`);

/** The issuers an ID token may name: Google also signs with the scheme-less form of its own. */
function acceptedIssuers(endpoints: OidcEndpoints): string[] {
  return endpoints.issuer === GOOGLE_ISSUER ? [GOOGLE_ISSUER, "accounts.google.com"] : [endpoints.issuer];
}

/**
 * Verifies an ID token from the token endpoint (OpenID Connect Core §3.1.3.7): an RS256
 * signature by a key of the issuer's JWKS (by `kid`), `iss`, `aud` (and `azp` when there are
 * several audiences), `exp`, `iat`, the nonce this sign-in sent, and a verified email. Any
 * failure is a 401 that says which check failed; provider outages stay 503s.
 */
export async function verifyIdToken(
  ctx: AppContext,
  input: { google: GoogleConfig; endpoints: OidcEndpoints; idToken: string; nonce: string },
): Promise<IdTokenClaims> {
  let kid: string | undefined;
  try {
    const { header } = decode(input.idToken);
    if (header.alg !== "RS256") throw invalid(`must be signed with RS256, not '${String(header.alg)}'`);
    kid = header.kid;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw invalid("is malformed");
  }
  if (!kid) throw invalid("has no key id (kid)");
  const keys = await signingKeys(ctx, input.endpoints.jwksUri, kid);
  if (!keys.some((k) => k.kid === kid)) throw invalid("is signed with a key the issuer does not publish");

  let payload: Record<string, unknown>;
  try {
    // Claims are checked below with ctx.now() and a leeway, so each failure gets its own message.
    payload = await verifyWithJwks(input.idToken, {
      keys: keys as unknown as JwksKeys,
      allowedAlgorithms: ["RS256"],
      verification: { exp: false, nbf: false, iat: false },
    });
  } catch (err) {
    ctx.logger.warn("google id token signature rejected", {
      error: err instanceof Error ? err.name : String(err),
    });
    throw invalid("signature does not verify");
  }

  const { iss, aud, azp, exp, iat, nonce, sub, email, email_verified, name } = payload;
  if (typeof iss !== "string" || !acceptedIssuers(input.endpoints).includes(iss)) {
    throw invalid("comes from another issuer");
  }
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(input.google.clientId)) throw invalid("was issued to another client (aud)");
  if (audiences.length > 1 && azp !== input.google.clientId)
    throw invalid("names another authorized party (azp)");
  const now = Math.floor(ctx.now() / 1000);
  if (typeof exp !== "number" || !Number.isFinite(exp)) throw invalid("has no expiry (exp)");
  if (exp + LEEWAY_SECONDS <= now) throw invalid("has expired");
  if (typeof iat !== "number" || !Number.isFinite(iat) || iat - LEEWAY_SECONDS > now) {
    throw invalid("has a missing or future issue time (iat)");
  }
  if (nonce !== input.nonce) throw invalid("does not carry this sign-in's nonce (replayed or injected)");
  if (typeof sub !== "string" || sub.length === 0 || sub.length > 255) throw invalid("has no subject (sub)");
  if (typeof email !== "string" || !/^[^\s@]+@[^\s@]+$/.test(email.trim()) || email.length > 320) {
    throw new UnauthorizedError(
      "Google sign-in failed: the account shares no email address (the 'email' scope is needed)",
    );
  }
  if (email_verified !== true) {
    throw new UnauthorizedError(
      "Google sign-in failed: the Google account's email address is not verified; verify it with Google first",
    );
  }
  return {
    subject: sub,
    email: email.trim().toLowerCase(),
    name: typeof name === "string" ? name.trim().slice(0, 200) : "",
  };
}
