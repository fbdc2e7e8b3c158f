import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * How the stub misbehaves for one sign-in, picked by the `stub_scenario` query parameter the
 * test adds to the authorization URL (each flow carries its own, so test files never share state).
 */
export const OIDC_STUB_SCENARIOS = [
  /** A correct ID token. */
  "ok",
  /** The person declines consent: back to the client with error=access_denied. */
  "deny",
  /** The ID token is for another client (`aud`). */
  "wrong_aud",
  /** The ID token names another issuer (`iss`). */
  "wrong_iss",
  /** The ID token expired an hour ago. */
  "expired",
  /** Signed by a key that is not in the JWKS, under the JWKS key's `kid`. */
  "bad_signature",
  /** Signed under a `kid` the JWKS does not list. */
  "unknown_kid",
  /** The ID token carries a nonce other than the one the client sent. */
  "wrong_nonce",
  /** An unsigned token (`alg: none`). */
  "alg_none",
  /** The token response has no `id_token`. */
  "no_id_token",
  /** The token endpoint answers 500: the provider is down. */
  "token_500",
] as const;
export type OidcStubScenario = (typeof OIDC_STUB_SCENARIOS)[number];

/** The person the stub signs in, sent as JSON in `login_hint`. */
export interface OidcStubUser {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
}

export interface OidcStubClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

/** The client vitest.config.ts registers (GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET, default PUBLIC_URL). */
export const OIDC_STUB_DEFAULT_CLIENT: OidcStubClient = {
  clientId: "pushbunny-test-client",
  clientSecret: "pushbunny-test-secret",
  redirectUris: ["http://localhost:8787/v1/auth/google/callback"],
};

const KID = "stub-key-1";
const CODE_TTL_MS = 60_000;

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  user: OidcStubUser;
  scenario: OidcStubScenario;
  expiresAt: number;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** An RS256 JWT signed with `key` (or unsigned for alg none). */
function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject | null) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = key ? b64url(sign("sha256", Buffer.from(input), key)) : "";
  return `${input}.${signature}`;
}

/**
 * A local OpenID Connect identity provider for the Google sign-in tests: discovery, JWKS,
 * authorization (signs in the `login_hint` person at once, no page) and token endpoints, with
 * client authentication (HTTP Basic or client_secret_post), single-use codes, exact redirect
 * URIs and S256 PKCE, issuing RS256 ID tokens. Scenarios make it misbehave (OIDC_STUB_SCENARIOS).
 */
export async function startOidcStub(
  options: { clients?: OidcStubClient[] } = {},
): Promise<{ issuer: string; close: () => Promise<void> }> {
  const clients = options.clients ?? [OIDC_STUB_DEFAULT_CLIENT];
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  // Signs the bad_signature and unknown_kid tokens: never published.
  const rogue = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" };
  const codes = new Map<string, PendingCode>();
  let issuer = "";

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(JSON.stringify(body));
  };
  const oauthError = (res: ServerResponse, status: number, error: string, description: string) =>
    send(res, status, { error, error_description: description });

  function authorize(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    const client = clients.find((c) => c.clientId === q.get("client_id"));
    const redirectUri = q.get("redirect_uri") ?? "";
    // Per RFC 6749 §4.1.2.1 a bad client or redirect URI is shown, never redirected to.
    if (!client) return oauthError(res, 400, "invalid_client", "unknown client_id");
    if (!client.redirectUris.includes(redirectUri)) {
      return oauthError(res, 400, "invalid_request", "redirect_uri is not registered for this client");
    }
    const back = new URL(redirectUri);
    const state = q.get("state");
    if (state !== null) back.searchParams.set("state", state);
    const fail = (error: string, description: string) => {
      back.searchParams.set("error", error);
      back.searchParams.set("error_description", description);
      res.writeHead(302, { location: back.toString() });
      res.end();
    };
    if (q.get("response_type") !== "code") return fail("unsupported_response_type", "only code");
    if (!(q.get("scope") ?? "").split(" ").includes("openid")) return fail("invalid_scope", "openid needed");
    if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) {
      return fail("invalid_request", "PKCE with code_challenge_method=S256 is required");
    }
    const scenario = (q.get("stub_scenario") ?? "ok") as OidcStubScenario;
    if (!OIDC_STUB_SCENARIOS.includes(scenario)) return fail("invalid_request", "unknown stub_scenario");
    if (scenario === "deny") return fail("access_denied", "The user denied the request");
    let user: OidcStubUser = {
      sub: "stub-default-user",
      email: "stub-default-user@example.com",
      email_verified: true,
    };
    const hint = q.get("login_hint");
    if (hint) {
      try {
        user = JSON.parse(hint) as OidcStubUser;
      } catch {
        return fail("invalid_request", "login_hint must be JSON: {sub, email, email_verified, name}");
      }
    }
    const code = b64url(randomBytes(24));
    codes.set(code, {
      clientId: client.clientId,
      redirectUri,
      challenge: q.get("code_challenge") ?? "",
      nonce: q.get("nonce") ?? undefined,
      user,
      scenario,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    back.searchParams.set("code", code);
    back.searchParams.set("iss", issuer);
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  function token(req: IncomingMessage, body: string, res: ServerResponse) {
    const form = new URLSearchParams(body);
    // client_secret_basic (what arctic sends when a secret is set) or client_secret_post.
    let clientId = form.get("client_id");
    let secret = form.get("client_secret");
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    const client = clients.find((c) => c.clientId === clientId);
    if (!client || client.clientSecret !== secret) {
      return oauthError(res, 401, "invalid_client", "client authentication failed");
    }
    if (form.get("grant_type") !== "authorization_code") {
      return oauthError(res, 400, "unsupported_grant_type", "only authorization_code");
    }
    const code = form.get("code") ?? "";
    const pending = codes.get(code);
    codes.delete(code); // single use, even when the exchange fails
    if (!pending || pending.expiresAt < Date.now() || pending.clientId !== client.clientId) {
      return oauthError(res, 400, "invalid_grant", "unknown, used or expired code");
    }
    if (form.get("redirect_uri") !== pending.redirectUri) {
      return oauthError(res, 400, "invalid_grant", "redirect_uri differs from the authorization request");
    }
    const verifier = form.get("code_verifier") ?? "";
    if (b64url(createHash("sha256").update(verifier).digest()) !== pending.challenge) {
      return oauthError(res, 400, "invalid_grant", "PKCE verification failed");
    }
    const { scenario, user } = pending;
    if (scenario === "token_500") return send(res, 500, { error: "internal" });
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: scenario === "wrong_iss" ? "https://evil.example.com" : issuer,
      aud: scenario === "wrong_aud" ? "another-client" : client.clientId,
      azp: client.clientId,
      sub: user.sub,
      email: user.email,
      email_verified: user.email_verified,
      ...(user.name === undefined ? {} : { name: user.name }),
      iat: scenario === "expired" ? now - 7200 : now,
      exp: scenario === "expired" ? now - 3600 : now + 3600,
      ...(pending.nonce === undefined
        ? {}
        : { nonce: scenario === "wrong_nonce" ? "not-yours" : pending.nonce }),
    };
    const header = {
      alg: scenario === "alg_none" ? "none" : "RS256",
      typ: "JWT",
      kid: scenario === "unknown_kid" ? "rotated-away" : KID,
    };
    const key =
      scenario === "alg_none"
        ? null
        : scenario === "bad_signature" || scenario === "unknown_kid"
          ? rogue
          : privateKey;
    send(res, 200, {
      access_token: b64url(randomBytes(24)),
      token_type: "Bearer",
      expires_in: 3600,
      scope: "openid email profile",
      ...(scenario === "no_id_token" ? {} : { id_token: signJwt(header, claims, key) }),
    });
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    const path = url.pathname.replace(/^\/oidc/, "");
    // Issuers configured below the real one play broken providers: `${issuer}/down` fails
    // everywhere, `${issuer}/impostor` serves a discovery document that names another issuer.
    if (path.startsWith("/down/")) return send(res, 500, { error: "down" });
    if (req.method === "GET" && /^(\/impostor)?\/\.well-known\/openid-configuration$/.test(path)) {
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        scopes_supported: ["openid", "email", "profile"],
      });
    }
    if (req.method === "GET" && path === "/jwks") return send(res, 200, { keys: [jwk] });
    if (req.method === "GET" && path === "/authorize") return authorize(url, res);
    if (req.method === "POST" && path === "/token") {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => {
        body += chunk;
      });
      req.on("end", () => token(req, body, res));
      return;
    }
    send(res, 404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // The vitest process must be able to exit while this server (and workerd's pooled sockets)
  // are still open: it lives for the whole run.
  server.unref();
  server.on("connection", (socket) => socket.unref());
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc`;
  return {
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
