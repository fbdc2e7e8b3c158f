import * as z from "zod";
import type { AppContext } from "../../../../context";
import { ServiceUnavailableError } from "../../../../errors";
import { requirePublicUrl } from "../../../../infra/access-tokens";
import { describeError } from "../../../../logger";

/** Google sign-in's settings (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, GOOGLE_ISSUER). */
export interface GoogleConfig {
  clientId: string;
  clientSecret: string;
  issuer: string;
}

/** The endpoints an OpenID provider publishes in its discovery document. */
export interface OidcEndpoints {
  /** The issuer exactly as the provider spells it (what ID tokens' `iss` must equal). */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
}

export interface Jwk {
  kty: string;
  kid?: string;
  alg?: string;
  [field: string]: unknown;
}

// Google rotates its signing keys every few days and publishes the next one in advance; an hour
// of caching per isolate spares a round trip per sign-in, and an unknown `kid` refetches.
const DISCOVERY_TTL_MS = 3600_000;
const JWKS_TTL_MS = 3600_000;
/** An unknown `kid` refetches the JWKS at most this often (a token cannot force a fetch per call). */
const JWKS_REFETCH_COOLDOWN_MS = 30_000;
/** A provider slower than this is down for this sign-in. */
export const PROVIDER_TIMEOUT_MS = 10_000;

const Discovery = z.object({
  issuer: z.string().min(1),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
});
const Jwks = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) });

const discoveries = new Map<string, { endpoints: OidcEndpoints; fetchedAt: number }>();
const jwksCache = new Map<string, { keys: Jwk[]; fetchedAt: number }>();

/** Google sign-in's configuration; 503 when the deployment has none. */
export function requireGoogle(ctx: AppContext): GoogleConfig {
  const google = ctx.config.auth.google;
  if (!google) {
    throw new ServiceUnavailableError(
      "Google sign-in is not configured on this server: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (and GOOGLE_ISSUER for another OpenID provider)",
      3600,
    );
  }
  return google;
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, "");

/** Where the provider sends the browser back: registered with the provider as is. */
export const googleRedirectUri = (ctx: AppContext) => `${requirePublicUrl(ctx)}/v1/auth/google/callback`;

async function fetchJson(ctx: AppContext, url: string, what: string): Promise<unknown> {
  try {
    const res = await fetch(url, {
      headers: { accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`${what} answered HTTP ${res.status}`);
    }
    return await res.json();
  } catch (err) {
    ctx.logger.warn("oidc provider unreachable", { url, what, ...describeError(err) });
    throw new ServiceUnavailableError(
      `Google sign-in is unavailable: the identity provider's ${what} could not be read; try again shortly`,
      30,
      { cause: err },
    );
  }
}

/**
 * The issuer's endpoints from `${issuer}/.well-known/openid-configuration`, cached per isolate.
 * The document must name the configured issuer (OpenID Connect Discovery §4.3), so a
 * misconfigured or hijacked issuer URL cannot hand out another provider's endpoints.
 */
export async function discover(ctx: AppContext, google: GoogleConfig): Promise<OidcEndpoints> {
  const issuer = withoutTrailingSlash(google.issuer);
  const cached = discoveries.get(issuer);
  if (cached && ctx.now() - cached.fetchedAt < DISCOVERY_TTL_MS) return cached.endpoints;
  const body = await fetchJson(ctx, `${issuer}/.well-known/openid-configuration`, "discovery document");
  const parsed = Discovery.safeParse(body);
  if (!parsed.success || withoutTrailingSlash(parsed.data.issuer) !== issuer) {
    ctx.logger.error("oidc discovery document rejected", {
      issuer,
      documentIssuer: parsed.success ? parsed.data.issuer : undefined,
    });
    throw new ServiceUnavailableError(
      "Google sign-in is misconfigured: the issuer's discovery document is invalid or names another issuer",
      300,
    );
  }
  const endpoints: OidcEndpoints = {
    issuer: parsed.data.issuer,
    authorizationEndpoint: parsed.data.authorization_endpoint,
    tokenEndpoint: parsed.data.token_endpoint,
    jwksUri: parsed.data.jwks_uri,
  };
  discoveries.set(issuer, { endpoints, fetchedAt: ctx.now() });
  return endpoints;
}

/**
 * The provider's signing keys, cached per isolate. With `kid`, a key missing from the cache
 * refetches once (the provider rotated) unless the cache is younger than the cooldown.
 */
export async function signingKeys(ctx: AppContext, jwksUri: string, kid?: string): Promise<Jwk[]> {
  const cached = jwksCache.get(jwksUri);
  const age = cached ? ctx.now() - cached.fetchedAt : Number.POSITIVE_INFINITY;
  const missing = kid !== undefined && !cached?.keys.some((k) => k.kid === kid);
  if (cached && age < JWKS_TTL_MS && !(missing && age >= JWKS_REFETCH_COOLDOWN_MS)) return cached.keys;
  const parsed = Jwks.safeParse(await fetchJson(ctx, jwksUri, "signing keys (JWKS)"));
  if (!parsed.success) {
    ctx.logger.error("oidc jwks rejected", { jwksUri });
    throw new ServiceUnavailableError(
      "Google sign-in is unavailable: the identity provider's JWKS is invalid",
      60,
    );
  }
  const keys = parsed.data.keys as Jwk[];
  jwksCache.set(jwksUri, { keys, fetchedAt: ctx.now() });
  return keys;
}
