// Google sign-in end to end against the local OpenID provider (workers/test-support/
// oidc-stub-server.ts): the test plays the browser, following the Worker's redirect to the stub's
// authorization endpoint and the stub's redirect back to the Worker's callback with the cookie.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { encodeBase64Url, newId, sha256Hex } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import { ServiceUnavailableError } from "../../src/errors";
import worker from "../../src/index";
import { buildContext } from "../../src/infra/build-context";
import { flowKey } from "../../src/services/auth/google/lib/flow";
import { startGoogleSignIn } from "../../src/services/auth/google/start-google-sign-in";
import { issueSession } from "../../src/services/auth/lib/sessions";
import type { OidcStubScenario, OidcStubUser } from "../../test-support/oidc-stub-server";
import { call, eventually, expectError, json } from "../helpers";

const CALLBACK = "http://localhost:8787/v1/auth/google/callback";

interface SignInBody {
  user: { user_id: string; email: string; name: string; email_verified: boolean; created_at: string };
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  refresh_expires_at: string;
}

/** A Google account nobody else in this file uses. */
function person(overrides: Partial<OidcStubUser> = {}): OidcStubUser {
  const id = newId("usr").slice(4);
  return {
    sub: `1${id}`,
    email: `g${id}@example.com`,
    email_verified: true,
    name: "Grace Hopper",
    ...overrides,
  };
}

let flows = 0;

/** The browser opens /start: the Worker answers with the provider's URL and a cookie. */
async function start() {
  // Each flow is its own address, so the per-IP sign-in limit never trips inside this file.
  const ip = `2001:db8::${(++flows).toString(16)}`;
  // Not helpers' call(): the Worker's own fetch would follow the redirect into itself.
  const res = await exports.default.fetch("http://pushbunny.test/v1/auth/google/start", {
    headers: { "cf-connecting-ip": ip },
    redirect: "manual",
  });
  expect(res.status, await res.clone().text()).toBe(302);
  const authorizeUrl = new URL(res.headers.get("location") ?? "");
  const setCookie = res.headers.get("set-cookie") ?? "";
  return {
    ip,
    authorizeUrl,
    setCookie,
    cookie: setCookie.split(";")[0] ?? "",
    state: authorizeUrl.searchParams.get("state") ?? "",
    cacheControl: res.headers.get("cache-control"),
  };
}
type Flow = Awaited<ReturnType<typeof start>>;

/** The provider signs `user` in and sends the browser back: the callback's path and query. */
async function authorize(flow: Flow, user: OidcStubUser, scenario: OidcStubScenario = "ok") {
  const url = new URL(flow.authorizeUrl);
  url.searchParams.set("login_hint", JSON.stringify(user));
  url.searchParams.set("stub_scenario", scenario);
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status, await res.clone().text()).toBe(302);
  const back = new URL(res.headers.get("location") ?? "");
  expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
  return `${back.pathname}${back.search}`;
}

const callback = (flow: Flow, path: string, cookie: string | null = flow.cookie) =>
  call(path, { headers: { "cf-connecting-ip": flow.ip, ...(cookie ? { cookie } : {}) } });

async function signIn(user: OidcStubUser, scenario: OidcStubScenario = "ok") {
  const flow = await start();
  return callback(flow, await authorize(flow, user, scenario));
}

const one = <T>(sql: string, ...binds: unknown[]) =>
  env.DB.prepare(sql)
    .bind(...binds)
    .first<T>();
const identityOf = (sub: string) =>
  one<{ user_id: string; email: string }>(
    "SELECT user_id, email FROM user_identities WHERE provider = 'google' AND subject = ?",
    sub,
  );

/** The token of the newest link of `kind` mailed to `to` (the local outbox). */
async function mailedToken(to: string, kind: "verify_email" | "reset_password") {
  const mail = await one<{ text: string }>(
    'SELECT text FROM mail_outbox WHERE "to" = ? AND kind = ? ORDER BY created_at DESC, id DESC LIMIT 1',
    to,
    kind,
  );
  const token = /\?token=(\S+)/.exec(mail?.text ?? "")?.[1];
  expect(token, mail?.text).toBeDefined();
  return decodeURIComponent(token ?? "");
}

async function seedUser(email: string, verified: boolean) {
  const id = newId("usr");
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO users (id, email, name, password_hash, email_verified_at, created_at, updated_at) VALUES (?, ?, 'Password Person', 'pbkdf2-sha256$1$x$y', ?, ?, ?)",
  )
    .bind(id, email, verified ? now : null, now, now)
    .run();
  return id;
}

describe("GET /v1/auth/google/start", () => {
  it("redirects to the issuer with state, nonce and an S256 challenge, and binds the browser", async () => {
    const flow = await start();
    const q = flow.authorizeUrl.searchParams;
    expect(flow.authorizeUrl.pathname).toBe("/oidc/authorize");
    expect(Object.fromEntries(q)).toMatchObject({
      response_type: "code",
      client_id: "pushbunny-test-client",
      redirect_uri: CALLBACK,
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    expect(flow.state).toMatch(/^[\w-]{43}$/);
    expect(q.get("nonce")).toMatch(/^[\w-]{43}$/);
    expect(flow.cacheControl).toBe("no-store");
    // http://localhost: no Secure (browsers would drop it); https deployments use __Host-.
    expect(flow.setCookie).toMatch(
      /^pb_google_flow=[\w-]{43}; Max-Age=600; Path=\/v1\/auth\/google; HttpOnly; SameSite=Lax$/,
    );

    const stored = await env.KV.get<{ verifier: string; nonce: string; binding: string }>(
      await flowKey(flow.state),
      "json",
    );
    const challenge = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(stored?.verifier));
    expect(encodeBase64Url(new Uint8Array(challenge))).toBe(q.get("code_challenge"));
    expect(stored?.nonce).toBe(q.get("nonce"));
    expect(stored?.binding).toBe(await sha256Hex(flow.cookie.split("=")[1] ?? ""));
    // Only a digest of the state names the record.
    expect(await env.KV.get(flow.state)).toBeNull();
  });
});

describe("GET /v1/auth/google/callback", () => {
  it("creates a verified, password-less user, starts a session, and signs the same person in again", async () => {
    const google = person();
    const flow = await start();
    const res = await callback(flow, await authorize(flow, google));
    expect(res.headers.get("set-cookie")).toMatch(/^pb_google_flow=; Max-Age=0; Path=\/v1\/auth\/google/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await json<SignInBody>(res, 200);
    expect(body).toMatchObject({
      user: { email: google.email, name: "Grace Hopper", email_verified: true },
      token_type: "Bearer",
      expires_in: 900,
    });
    expect(body.refresh_token).toMatch(/^pbr_/);
    expect(Date.parse(body.refresh_expires_at)).toBeGreaterThan(Date.now());

    const user = await one<{ password_hash: string | null; email_verified_at: number | null }>(
      "SELECT password_hash, email_verified_at FROM users WHERE id = ?",
      body.user.user_id,
    );
    expect(user).toMatchObject({ password_hash: null, email_verified_at: expect.any(Number) });
    expect(await identityOf(google.sub)).toEqual({ user_id: body.user.user_id, email: google.email });
    const family = await one<{ method: string }>(
      "SELECT method FROM session_families WHERE user_id = ?",
      body.user.user_id,
    );
    expect(family?.method).toBe("google");

    // The access token passes the edge's session checks.
    const me = await json<{ user: { user_id: string } }>(
      await call("/v1/auth/me", { key: body.access_token }),
      200,
    );
    expect(me.user.user_id).toBe(body.user.user_id);

    // Same subject, new email at Google: still the same user, no second account.
    const again = await json<SignInBody>(await signIn({ ...google, email: `new-${google.email}` }), 200);
    expect(again.user.user_id).toBe(body.user.user_id);
    expect(again.refresh_token).not.toBe(body.refresh_token);
    const count = await one<{ n: number }>("SELECT count(*) AS n FROM users WHERE id = ?", body.user.user_id);
    expect(count?.n).toBe(1);
  });

  it("links a verified account with the same email (any case) and keeps its name", async () => {
    const google = person();
    const userId = await seedUser(google.email, true);
    const body = await json<SignInBody>(await signIn({ ...google, email: google.email.toUpperCase() }), 200);
    expect(body.user).toMatchObject({ user_id: userId, email: google.email, name: "Password Person" });
    expect((await identityOf(google.sub))?.user_id).toBe(userId);
    // Whoever chose the password may not be this person: it is gone (a reset sets one again).
    const user = await one<{ password_hash: string | null }>(
      "SELECT password_hash FROM users WHERE id = ?",
      userId,
    );
    expect(user?.password_hash).toBeNull();
  });

  it("refuses to link an account whose email is not verified (pre-registration takeover)", async () => {
    const google = person();
    const userId = await seedUser(google.email, false);
    await expectError(await signIn(google), 409, "CONFLICT", /not verified: sign in with its password/);
    expect(await identityOf(google.sub)).toBeNull();
    const sessions = await one<{ n: number }>(
      "SELECT count(*) AS n FROM session_families WHERE user_id = ?",
      userId,
    );
    expect(sessions?.n).toBe(0);
  });

  it("ends a pre-registered account's password and sessions when Google links to it (pre-hijack)", async () => {
    const google = person();
    const ATTACKER_PASSWORD = "the attacker chose this password";
    // The attacker signs up with the victim's address and keeps the session.
    const attacker = await json<SignInBody>(
      await call("/v1/auth/signup", {
        body: { email: google.email, password: ATTACKER_PASSWORD },
        headers: { "cf-connecting-ip": "192.0.2.66" },
      }),
      201,
    );
    // The victim clicks the unsolicited verification mail (no session needed).
    await json(
      await call("/v1/auth/verify-email", {
        body: { token: await mailedToken(google.email, "verify_email") },
      }),
      200,
    );
    await json(await call("/v1/auth/me", { key: attacker.access_token }), 200);

    // The victim signs in with Google: the account is linked, and taken back.
    const victim = await json<SignInBody>(await signIn(google), 200);
    expect(victim.user.user_id).toBe(attacker.user.user_id);
    expect((await identityOf(google.sub))?.user_id).toBe(victim.user.user_id);

    await expectError(
      await call("/v1/auth/me", { key: attacker.access_token }),
      401,
      "UNAUTHORIZED",
      /session ended/,
    );
    await expectError(
      await call("/v1/auth/refresh", { body: { refresh_token: attacker.refresh_token } }),
      401,
      "UNAUTHORIZED",
      /session ended/,
    );
    await expectError(
      await call("/v1/auth/login", {
        body: { email: google.email, password: ATTACKER_PASSWORD },
        headers: { "cf-connecting-ip": "192.0.2.67" },
      }),
      401,
      "UNAUTHORIZED",
      "invalid email or password",
    );
    const user = await one<{ password_hash: string | null; sessions_valid_after: number }>(
      "SELECT password_hash, sessions_valid_after FROM users WHERE id = ?",
      victim.user.user_id,
    );
    expect(user?.password_hash).toBeNull();
    expect(user?.sessions_valid_after).toBeGreaterThan(0);
    const families = await env.DB.prepare(
      "SELECT method, revoked_reason FROM session_families WHERE user_id = ? ORDER BY created_at, id",
    )
      .bind(victim.user.user_id)
      .all<{ method: string; revoked_reason: string | null }>();
    expect(families.results).toEqual([
      { method: "password", revoked_reason: "identity_linked" },
      { method: "google", revoked_reason: null },
    ]);
    // The victim's own session works, and a reset link (only their mailbox gets it) sets a password again.
    await json(await call("/v1/auth/me", { key: victim.access_token }), 200);
    await json(
      await call("/v1/auth/password-reset/request", {
        body: { email: google.email },
        headers: { "cf-connecting-ip": "192.0.2.68" },
      }),
      202,
    );
    const NEW_PASSWORD = "the victim's own new password";
    await json(
      await call("/v1/auth/password-reset", {
        body: {
          token: await eventually(() => mailedToken(google.email, "reset_password")),
          password: NEW_PASSWORD,
        },
      }),
      200,
    );
    await json(
      await call("/v1/auth/login", {
        body: { email: google.email, password: NEW_PASSWORD },
        headers: { "cf-connecting-ip": "192.0.2.69" },
      }),
      200,
    );
  });

  it("links an account without a password and leaves its sessions alone", async () => {
    const google = person();
    const userId = newId("usr");
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO users (id, email, name, email_verified_at, created_at, updated_at) VALUES (?, ?, '', ?, ?, ?)",
    )
      .bind(userId, google.email, now, now, now)
      .run();
    const ctx = buildContext(env, () => {});
    const earlier = await issueSession({ ctx, input: { userId, email: google.email, method: "google" } });
    const body = await json<SignInBody>(await signIn(google), 200);
    expect(body.user.user_id).toBe(userId);
    await json(await call("/v1/auth/me", { key: earlier.accessToken }), 200);
  });

  it("refuses a Google account whose email Google has not verified", async () => {
    const google = person({ email_verified: false });
    await expectError(await signIn(google), 401, "UNAUTHORIZED", /email address is not verified/);
    expect(await identityOf(google.sub)).toBeNull();
  });

  it("refuses a callback without the browser's cookie, or with another browser's", async () => {
    const flow = await start();
    const path = await authorize(flow, person());
    await expectError(await callback(flow, path, null), 400, "BAD_REQUEST", /sign-in cookie is missing/);

    // Login CSRF: the attacker's code and state, delivered to a victim whose browser started
    // (or never started) its own sign-in.
    const attacker = await start();
    const attackerPath = await authorize(attacker, person());
    const victim = await start();
    await expectError(
      await callback(victim, attackerPath, victim.cookie),
      400,
      "BAD_REQUEST",
      /started in another browser/,
    );
  });

  it("accepts each state once", async () => {
    const flow = await start();
    const path = await authorize(flow, person());
    await json(await callback(flow, path), 200);
    const replay = await callback(flow, path);
    // Error answers end the sign-in in the browser too.
    expect(replay.headers.get("set-cookie")).toMatch(/^pb_google_flow=; Max-Age=0;/);
    await expectError(replay, 400, "BAD_REQUEST", /unknown, used or expired sign-in state/);
  });

  it.each([
    ["no state", "/v1/auth/google/callback?code=abc", /^state: required/],
    ["no code", "/v1/auth/google/callback?state=abc", /^code: required/],
    ["an unknown state", "/v1/auth/google/callback?code=abc&state=forged", /unknown, used or expired/],
    ["a repeated parameter", "/v1/auth/google/callback?code=a&code=b&state=c", /^code: /],
  ])("answers 400 to a callback with %s", async (_, path, message) => {
    const flow = await start();
    await expectError(await callback(flow, path), 400, "BAD_REQUEST", message);
  });

  it("refuses a code whose PKCE verifier does not match the challenge", async () => {
    const flow = await start();
    const key = await flowKey(flow.state);
    const stored = await env.KV.get<Record<string, unknown>>(key, "json");
    await env.KV.put(key, JSON.stringify({ ...stored, verifier: "x".repeat(43) }));
    const path = await authorize(flow, person());
    await expectError(await callback(flow, path), 400, "BAD_REQUEST", /PKCE verifier/);
  });

  it("refuses a callback naming another issuer (RFC 9207 mix-up defense)", async () => {
    const flow = await start();
    const path = (await authorize(flow, person())).replace(/iss=[^&]+/, "iss=https%3A%2F%2Fevil.example.com");
    await expectError(await callback(flow, path), 400, "BAD_REQUEST", /another issuer/);
  });

  it.each([
    ["wrong_aud", /issued to another client/],
    ["wrong_iss", /comes from another issuer/],
    ["expired", /has expired/],
    ["bad_signature", /signature does not verify/],
    ["unknown_kid", /key the issuer does not publish/],
    ["wrong_nonce", /nonce/],
    ["alg_none", /must be signed with RS256, not 'none'/],
    ["no_id_token", /returned no ID token/],
  ] as const)("refuses an ID token from the %s scenario with 401", async (scenario, message) => {
    const google = person();
    await expectError(await signIn(google, scenario), 401, "UNAUTHORIZED", message);
    expect(await identityOf(google.sub)).toBeNull();
  });

  it("answers 400 when the person declines at the provider, and the state is spent", async () => {
    const flow = await start();
    const path = await authorize(flow, person(), "deny");
    expect(path).toContain("error=access_denied");
    await expectError(
      await callback(flow, path),
      400,
      "BAD_REQUEST",
      "Google sign-in was cancelled: access_denied",
    );
    expect(await env.KV.get(await flowKey(flow.state))).toBeNull();
  });

  it("answers 503 when the provider's token endpoint fails", async () => {
    const res = await signIn(person(), "token_500");
    await expectError(res, 503, "SERVICE_UNAVAILABLE", /did not answer the token request/);
    expect(res.headers.get("retry-after")).toBe("30");
  });
});

/** The Worker under another configuration (same D1 and KV): config is parsed per env object. */
async function fetchWith(vars: Record<string, string>, path: string, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://pushbunny.test${path}`, { headers, redirect: "manual" }),
    { ...env, ...vars },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("Google sign-in configuration", () => {
  it("binds the browser with a Secure __Host- cookie on an https deployment", async () => {
    const res = await fetchWith({ PUBLIC_URL: "https://api.pushbunny.example" }, "/v1/auth/google/start");
    expect(res.status).toBe(302);
    expect(res.headers.get("set-cookie")).toMatch(
      /^__Host-pb_google_flow=[\w-]{43}; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    expect(new URL(res.headers.get("location") ?? "").searchParams.get("redirect_uri")).toBe(
      "https://api.pushbunny.example/v1/auth/google/callback",
    );
  });

  it.each(["/v1/auth/google/start", "/v1/auth/google/callback?code=a&state=b"])(
    "%s answers 503 when Google sign-in is not configured",
    async (path) => {
      const off = { GOOGLE_CLIENT_ID: "", GOOGLE_CLIENT_SECRET: "" };
      await expectError(
        await fetchWith(off, path),
        503,
        "SERVICE_UNAVAILABLE",
        /Google sign-in is not configured/,
      );
    },
  );

  it("the verb refuses with a null config.auth.google", async () => {
    const ctx = buildContext(env, () => {});
    const off = { ...ctx, config: { ...ctx.config, auth: { ...ctx.config.auth, google: null } } };
    await expect(startGoogleSignIn({ ctx: off })).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it("answers 503 when the provider rejects this server's client secret", async () => {
    const wrong = { GOOGLE_CLIENT_SECRET: "not-the-secret" };
    const res = await fetchWith(wrong, "/v1/auth/google/start");
    const setCookie = res.headers.get("set-cookie") ?? "";
    const flow = {
      ip: "2001:db8::ffff",
      authorizeUrl: new URL(res.headers.get("location") ?? ""),
      setCookie,
      cookie: setCookie.split(";")[0] ?? "",
      state: "",
      cacheControl: null,
    };
    const path = await authorize(flow, person());
    await expectError(
      await fetchWith(wrong, path, { cookie: flow.cookie }),
      503,
      "SERVICE_UNAVAILABLE",
      /rejected this server's client credentials/,
    );
  });

  it.each([
    ["is down", "down", /discovery document could not be read/],
    ["names another issuer", "impostor", /discovery document is invalid or names another issuer/],
  ])("the verb answers 503 when the issuer %s", async (_, path, message) => {
    const ctx = buildContext(env, () => {});
    const google = { clientId: "c", clientSecret: "s", issuer: `${env.GOOGLE_ISSUER}/${path}` };
    const broken = { ...ctx, config: { ...ctx.config, auth: { ...ctx.config.auth, google } } };
    const failure = startGoogleSignIn({ ctx: broken });
    await expect(failure).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(failure).rejects.toThrow(message);
  });
});
