import {
  OAuth2Client,
  OAuth2RequestError,
  type OAuth2Tokens,
  UnexpectedErrorResponseBodyError,
  UnexpectedResponseError,
} from "arctic";
import type { AppContext } from "../../../context";
import { BadRequestError, ServiceUnavailableError, UnauthorizedError } from "../../../errors";
import { describeError } from "../../../logger";
import { issueSession, type SessionTokens } from "../lib/sessions";
import type { User } from "../lib/users";
import { dropFlow, takeFlow } from "./lib/flow";
import { type GoogleUserOutcome, resolveGoogleUser } from "./lib/google-user";
import { verifyIdToken } from "./lib/id-token";
import {
  discover,
  type GoogleConfig,
  googleRedirectUri,
  type OidcEndpoints,
  PROVIDER_TIMEOUT_MS,
  requireGoogle,
} from "./lib/provider";

export interface GoogleCallbackInput {
  code?: string;
  state?: string;
  /** Set by the provider instead of `code` when the person declined or the request was refused. */
  error?: string;
  /** RFC 9207: the issuer of the response, when the provider says (a mix-up defense). */
  iss?: string;
  /** The browser-binding cookie from the start of the sign-in. */
  binding?: string;
}

export interface GoogleSignInResult {
  user: User;
  outcome: GoogleUserOutcome;
  session: SessionTokens;
}

const OAUTH_ERROR_CODE = /^[a-z_]{1,64}$/;

/**
 * Finishes a Google sign-in: checks the state (single use, this browser), exchanges the code
 * with the PKCE verifier, verifies the ID token, finds, links or creates the user and starts a
 * session. Every failure the browser or an attacker can cause is a 400 or 401; a provider that
 * is down or slow is a 503.
 */
export async function finishGoogleSignIn({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: GoogleCallbackInput;
}): Promise<GoogleSignInResult> {
  const google = requireGoogle(ctx);
  if (input.error !== undefined) {
    if (input.state) await dropFlow(ctx, input.state);
    const code = OAUTH_ERROR_CODE.test(input.error) ? input.error : "error";
    throw new BadRequestError(
      code === "access_denied"
        ? "Google sign-in was cancelled: access_denied"
        : `Google sign-in failed: the provider answered '${code}'`,
    );
  }
  if (!input.state) throw new BadRequestError("state: required (the provider's callback carries it)");
  if (!input.code) throw new BadRequestError("code: required (the provider's callback carries it)");
  const flow = await takeFlow(ctx, { state: input.state, binding: input.binding });
  const endpoints = await discover(ctx, google);
  if (input.iss !== undefined && input.iss !== endpoints.issuer) {
    throw new BadRequestError("the callback comes from another issuer (iss)");
  }
  const tokens = await exchangeCode(ctx, google, endpoints, input.code, flow.verifier);
  let idToken: string;
  try {
    idToken = tokens.idToken();
  } catch {
    throw new UnauthorizedError("Google sign-in failed: the provider returned no ID token");
  }
  const claims = await verifyIdToken(ctx, { google, endpoints, idToken, nonce: flow.nonce });
  const { user, outcome } = await resolveGoogleUser(ctx, claims);
  const session = await issueSession({
    ctx,
    input: { userId: user.id, email: user.email, method: "google" },
  });
  ctx.logger.info("google sign-in", { userId: user.id, outcome });
  return { user, outcome, session };
}

/** The token request (client_secret_basic, as arctic sends it), with the provider's failures sorted. */
async function exchangeCode(
  ctx: AppContext,
  google: GoogleConfig,
  endpoints: OidcEndpoints,
  code: string,
  verifier: string,
): Promise<OAuth2Tokens> {
  const client = new OAuth2Client(google.clientId, google.clientSecret, googleRedirectUri(ctx));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // arctic takes no AbortSignal: a provider that hangs loses the race instead.
    return await Promise.race([
      client.validateAuthorizationCode(endpoints.tokenEndpoint, code, verifier),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("token endpoint timed out")), PROVIDER_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    ctx.logger.warn("google token exchange failed", describeError(err));
    if (err instanceof OAuth2RequestError) {
      if (err.code === "invalid_client" || err.code === "unauthorized_client") {
        // The server's credentials, not the browser's request: nothing the person can fix.
        throw new ServiceUnavailableError(
          "Google sign-in is misconfigured: the provider rejected this server's client credentials",
          300,
          { cause: err },
        );
      }
      throw new BadRequestError(
        err.code === "invalid_grant"
          ? "Google sign-in failed: the authorization code is invalid, used, expired or does not match this sign-in's PKCE verifier; start again at GET /v1/auth/google/start"
          : `Google sign-in failed: the provider refused the code ('${OAUTH_ERROR_CODE.test(err.code) ? err.code : "error"}')`,
      );
    }
    const status =
      err instanceof UnexpectedErrorResponseBodyError || err instanceof UnexpectedResponseError
        ? err.status
        : undefined;
    if (status === 400 || status === 401) {
      throw new BadRequestError("Google sign-in failed: the provider refused the authorization code");
    }
    // Unreachable, timed out, 5xx or an unreadable answer: the provider is down for now.
    throw new ServiceUnavailableError(
      "Google sign-in is unavailable: the identity provider did not answer the token request; try again shortly",
      30,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
}
