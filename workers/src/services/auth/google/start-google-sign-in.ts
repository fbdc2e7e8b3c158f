import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client } from "arctic";
import type { AppContext } from "../../../context";
import { requireSigning } from "../lib/sessions";
import { FLOW_TTL_SECONDS, saveFlow } from "./lib/flow";
import { discover, googleRedirectUri, requireGoogle } from "./lib/provider";

export const GOOGLE_SCOPES = ["openid", "email", "profile"];

export interface GoogleSignInStart {
  /** The provider's authorization URL to send the browser to. */
  authorizationUrl: string;
  /** Ties the sign-in to this browser: set as an HttpOnly cookie, checked by the callback. */
  binding: string;
  expiresInSeconds: number;
}

/**
 * Begins a Google sign-in (OpenID Connect authorization code flow): a fresh state, nonce and
 * PKCE verifier, kept in KV for the callback, and the authorization URL carrying the state,
 * nonce and S256 challenge.
 */
export async function startGoogleSignIn({ ctx }: { ctx: AppContext }): Promise<GoogleSignInStart> {
  const google = requireGoogle(ctx);
  // Checked before the round trip to Google: the callback could not issue a session.
  requireSigning(ctx);
  const endpoints = await discover(ctx, google);
  const state = generateState();
  const verifier = generateCodeVerifier();
  const nonce = generateState();
  const binding = generateState();
  await saveFlow(ctx, { state, verifier, nonce, binding });
  const client = new OAuth2Client(google.clientId, google.clientSecret, googleRedirectUri(ctx));
  const url = client.createAuthorizationURLWithPKCE(
    endpoints.authorizationEndpoint,
    state,
    CodeChallengeMethod.S256,
    verifier,
    GOOGLE_SCOPES,
  );
  // arctic's generic client knows nothing of OpenID Connect: the nonce binds the ID token to
  // this sign-in (OIDC Core §3.1.2.1).
  url.searchParams.set("nonce", nonce);
  return { authorizationUrl: url.toString(), binding, expiresInSeconds: FLOW_TTL_SECONDS };
}
