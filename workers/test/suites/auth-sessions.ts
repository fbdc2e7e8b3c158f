import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { newId } from "@pushbunny/core";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/env";
import { ServiceUnavailableError } from "../../src/errors";
import worker from "../../src/index";
import { signAccessToken, verifyAccessToken } from "../../src/infra/access-tokens";
import { buildContext } from "../../src/infra/build-context";
import { refresh } from "../../src/services/auth/refresh";
import { call, expectError, json, seedMember, seedProject } from "../helpers";

const PASSWORD = "correct horse battery staple";
const AUTH_SECRET = "test-auth-secret-0123456789-0123456789";

interface UserView {
  user_id: string;
  email: string;
  name: string;
  email_verified: boolean;
  created_at: string;
}
interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  refresh_expires_at: string;
}
type Session = TokenPair & { user: UserView };

const uniqueEmail = (tag = "user") => `${tag}-${newId("usr").slice(4)}@example.com`;
// Each test signs in from its own address, so the per-IP login counter never spans tests.
const fromIp = () => ({ "cf-connecting-ip": `198.51.100.${Math.floor(Math.random() * 250) + 1}` });

async function signup(email = uniqueEmail(), extra: Record<string, unknown> = {}) {
  return json<Session>(
    await call("/v1/auth/signup", { body: { email, password: PASSWORD, ...extra }, headers: fromIp() }),
    201,
  );
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const me = (token: string) => call("/v1/auth/me", { headers: bearer(token) });
const refreshWith = (token: string) => call("/v1/auth/refresh", { body: { refresh_token: token } });

async function row<T>(sql: string, ...params: unknown[]) {
  return env.DB.prepare(sql)
    .bind(...params)
    .first<T>();
}

describe("signup", () => {
  it("creates the person with a PBKDF2 hash, signs them in and answers the session shape", async () => {
    const email = uniqueEmail("ada");
    const before = Date.now();
    const session = await json<Session>(
      await call("/v1/auth/signup", {
        body: { email: `  ${email.toUpperCase()} `, password: PASSWORD, name: " Ada Lovelace " },
      }),
      201,
    );
    expect(session).toEqual({
      user: {
        user_id: expect.stringMatching(/^usr_[0-9a-f]{20}$/),
        email,
        name: "Ada Lovelace",
        email_verified: false,
        created_at: expect.any(String),
      },
      access_token: expect.stringMatching(/^eyJ/),
      refresh_token: expect.stringMatching(/^pbr_[A-Za-z0-9_-]{43}$/),
      token_type: "Bearer",
      expires_in: 900,
      refresh_expires_at: expect.any(String),
    });
    const refreshExpires = Date.parse(session.refresh_expires_at);
    expect(refreshExpires).toBeGreaterThanOrEqual(before + 30 * 24 * 3600_000);

    const user = await row<{
      email: string;
      name: string;
      password_hash: string;
      email_verified_at: number | null;
    }>("SELECT email, name, password_hash, email_verified_at FROM users WHERE id = ?", session.user.user_id);
    expect(user).toMatchObject({ email, name: "Ada Lovelace", email_verified_at: null });
    expect(user?.password_hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(user?.password_hash).not.toContain(PASSWORD);
    const family = await row<{ method: string; revoked_at: number | null }>(
      "SELECT method, revoked_at FROM session_families WHERE user_id = ?",
      session.user.user_id,
    );
    expect(family).toEqual({ method: "password", revoked_at: null });
    // The refresh token is stored only as its digest.
    const stored = await row<{ n: number }>(
      "SELECT count(*) AS n FROM refresh_tokens WHERE user_id = ? AND digest != ?",
      session.user.user_id,
      session.refresh_token,
    );
    expect(stored?.n).toBe(1);
    // The access token works at once.
    const mine = await json<{ user: UserView; projects: unknown[] }>(await me(session.access_token), 200);
    expect(mine).toEqual({ user: session.user, projects: [] });
  });

  it("refuses an address that has an account, whatever its case, with a 409 that says what to do", async () => {
    const email = uniqueEmail();
    await signup(email);
    await expectError(
      await call("/v1/auth/signup", { body: { email: email.toUpperCase(), password: "another password 1" } }),
      409,
      "CONFLICT",
      `an account with ${email} already exists: sign in (POST /v1/auth/login), or reset the password (POST /v1/auth/password-reset/request)`,
    );
  });

  it("two signups racing for one address: exactly one wins", async () => {
    const email = uniqueEmail("race");
    const [a, b] = await Promise.all([
      call("/v1/auth/signup", { body: { email, password: PASSWORD } }),
      call("/v1/auth/signup", { body: { email, password: PASSWORD } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect((await row<{ n: number }>("SELECT count(*) AS n FROM users WHERE email = ?", email))?.n).toBe(1);
  });

  const LONG = "a".repeat(257);
  it.each([
    ["no email", { password: PASSWORD }, "email: required"],
    [
      "a malformed email",
      { email: "not-an-email", password: PASSWORD },
      "email: must be an email address like name@example.com",
    ],
    [
      "an email with two dots",
      { email: "a..b@example.com", password: PASSWORD },
      "email: must be an email address like name@example.com",
    ],
    [
      "a non-string email",
      { email: 42, password: PASSWORD },
      "email: Invalid input: expected string, received number",
    ],
    [
      "a short password",
      { email: "x@example.com", password: "short" },
      "password: must be at least 10 characters",
    ],
    [
      "a long password",
      { email: "x@example.com", password: LONG },
      "password: must be at most 256 characters",
    ],
    [
      "a blank password",
      { email: "x@example.com", password: "            " },
      "password: must not be only whitespace",
    ],
    ["no password", { email: "x@example.com" }, "password: required"],
    [
      "a control character in the name",
      { email: "x@example.com", password: PASSWORD, name: "a\u0007b" },
      "name: must not contain control characters",
    ],
    [
      "an unknown field",
      { email: "x@example.com", password: PASSWORD, role: "owner" },
      '(body): Unrecognized key: "role"',
    ],
  ])("answers 400 to %s", async (_, body, message) => {
    const err = await expectError(await call("/v1/auth/signup", { body }), 400, "BAD_REQUEST", message);
    const [path, ...words] = message.split(": ");
    expect(err.issues).toEqual([{ path, message: words.join(": ") }]);
  });

  it("answers 400 to a body that is not JSON, and 413 to a huge one", async () => {
    await expectError(await call("/v1/auth/signup", { raw: "{email:" }), 400, "BAD_REQUEST");
    await expectError(
      await call("/v1/auth/signup", { body: { email: "x@example.com", password: "a".repeat(20_000) } }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });
});

describe("login", () => {
  it("signs in with the password (any case of the address), a new session each time", async () => {
    const email = uniqueEmail();
    const created = await signup(email);
    const session = await json<Session>(
      await call("/v1/auth/login", {
        body: { email: ` ${email.toUpperCase()}`, password: PASSWORD },
        headers: fromIp(),
      }),
      200,
    );
    expect(session.user).toEqual(created.user);
    expect(session.token_type).toBe("Bearer");
    expect(session.refresh_token).not.toBe(created.refresh_token);
    const families = await row<{ n: number }>(
      "SELECT count(*) AS n FROM session_families WHERE user_id = ? AND revoked_at IS NULL",
      created.user.user_id,
    );
    expect(families?.n).toBe(2);
    await json(await me(session.access_token), 200);
  });

  it("answers an unknown email and a wrong password identically", async () => {
    const email = uniqueEmail();
    await signup(email);
    const ip = fromIp();
    const wrong = await call("/v1/auth/login", {
      body: { email, password: "not the password" },
      headers: ip,
    });
    const unknown = await call("/v1/auth/login", {
      body: { email: uniqueEmail("nobody"), password: "not the password" },
      headers: ip,
    });
    const a = await expectError(wrong, 401, "UNAUTHORIZED", "invalid email or password");
    const b = await expectError(unknown, 401, "UNAUTHORIZED", "invalid email or password");
    expect({ ...a, requestId: "" }).toEqual({ ...b, requestId: "" });
    expect(wrong.headers.get("www-authenticate")).toBe(unknown.headers.get("www-authenticate"));
  });

  it("an account without a password (Google only) gets the same 401", async () => {
    const email = uniqueEmail("google");
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO users (id, email, name, email_verified_at, created_at, updated_at) VALUES (?, ?, '', ?, ?, ?)",
    )
      .bind(newId("usr"), email, now, now, now)
      .run();
    await expectError(
      await call("/v1/auth/login", { body: { email, password: "any password at all" }, headers: fromIp() }),
      401,
      "UNAUTHORIZED",
      "invalid email or password",
    );
  });

  it("stores a fresh hash when the stored one has old parameters", async () => {
    const email = uniqueEmail("rehash");
    const created = await signup(email);
    const { hashPassword } = await import("@pushbunny/core");
    const old = await hashPassword(PASSWORD, { iterations: 1_000 });
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?")
      .bind(old, created.user.user_id)
      .run();
    await json(await call("/v1/auth/login", { body: { email, password: PASSWORD }, headers: fromIp() }), 200);
    const user = await row<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE id = ?",
      created.user.user_id,
    );
    expect(user?.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    await json(await call("/v1/auth/login", { body: { email, password: PASSWORD }, headers: fromIp() }), 200);
  });

  it.each([
    ["no password", { email: "x@example.com" }, "password: required"],
    ["an empty password", { email: "x@example.com", password: "" }, "password: required"],
    [
      "a malformed email",
      { email: "x@", password: "whatever" },
      "email: must be an email address like name@example.com",
    ],
  ])("answers 400 to %s", async (_, body, message) => {
    await expectError(await call("/v1/auth/login", { body }), 400, "BAD_REQUEST", message);
  });
});

describe("me", () => {
  it("lists the person's live projects with their role, not deleted ones", async () => {
    const { projectId } = await seedProject();
    const gone = await seedProject();
    const member = await seedMember(projectId, "admin");
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO project_members (project_id, user_id, role, created_at, updated_at) VALUES (?, ?, 'viewer', ?, ?)",
      ).bind(gone.projectId, member.userId, now, now),
      env.DB.prepare("UPDATE projects SET deleted_at = ? WHERE id = ?").bind(now, gone.projectId),
    ]);
    const body = await json<{ user: UserView; projects: unknown[] }>(await me(member.accessToken), 200);
    expect(body.user).toMatchObject({ user_id: member.userId, email: member.email, email_verified: true });
    expect(body.projects).toEqual([{ project_id: projectId, name: `test ${projectId}`, role: "admin" }]);
  });

  it("is for people: no token is a 401, an API key a 403", async () => {
    const { apiKey } = await seedProject();
    await expectError(await call("/v1/auth/me"), 401, "UNAUTHORIZED");
    await expectError(await call("/v1/auth/me", { key: apiKey }), 403, "FORBIDDEN", /access token/);
  });

  it("refuses an expired access token with a 401 that says to refresh", async () => {
    const session = await signup();
    const { user_id: userId, email } = session.user;
    const family = await row<{ id: string }>("SELECT id FROM session_families WHERE user_id = ?", userId);
    const iat = Math.floor(Date.now() / 1000) - 3600;
    const expired = await sign(
      {
        iss: "http://localhost:8787",
        aud: "pushbunny-api",
        sub: userId,
        email,
        sid: family?.id,
        iat,
        exp: iat + 900,
      },
      AUTH_SECRET,
      "HS256",
    );
    await expectError(
      await me(expired),
      401,
      "UNAUTHORIZED",
      "access token expired: POST /v1/auth/refresh for a new one",
    );
    // The same claims, still valid, work: only the expiry failed.
    const fresh = await sign(
      {
        iss: "http://localhost:8787",
        aud: "pushbunny-api",
        sub: userId,
        email,
        sid: family?.id,
        iat: iat + 3600,
        exp: iat + 4500,
      },
      AUTH_SECRET,
      "HS256",
    );
    await json(await me(fresh), 200);
  });
});

describe("refresh", () => {
  it("rotates: a new pair in the same family, the old token marked used, the family touched", async () => {
    const session = await signup();
    const next = await json<TokenPair>(await refreshWith(session.refresh_token), 200);
    expect(next).toEqual({
      access_token: expect.stringMatching(/^eyJ/),
      refresh_token: expect.stringMatching(/^pbr_/),
      token_type: "Bearer",
      expires_in: 900,
      refresh_expires_at: expect.any(String),
    });
    expect(next.refresh_token).not.toBe(session.refresh_token);
    const tokens = await env.DB.prepare(
      "SELECT family_id, used_at FROM refresh_tokens WHERE user_id = ? ORDER BY created_at, used_at IS NULL",
    )
      .bind(session.user.user_id)
      .all<{ family_id: string; used_at: number | null }>();
    expect(tokens.results).toHaveLength(2);
    expect(new Set(tokens.results.map((t) => t.family_id)).size).toBe(1);
    expect(tokens.results.filter((t) => t.used_at !== null)).toHaveLength(1);
    await json(await me(next.access_token), 200);
    // And again with the new one.
    const third = await json<TokenPair>(await refreshWith(next.refresh_token), 200);
    await json(await me(third.access_token), 200);
  });

  it("a reused refresh token revokes the whole family: the newest access token then fails", async () => {
    const session = await signup();
    const next = await json<TokenPair>(await refreshWith(session.refresh_token), 200);
    await json(await me(next.access_token), 200);
    await expectError(
      await refreshWith(session.refresh_token),
      401,
      "UNAUTHORIZED",
      "refresh token already used: the session was ended to protect the account; sign in again (POST /v1/auth/login)",
    );
    const family = await row<{ revoked_at: number | null; revoked_reason: string | null }>(
      "SELECT revoked_at, revoked_reason FROM session_families WHERE user_id = ?",
      session.user.user_id,
    );
    expect(family?.revoked_reason).toBe("reuse");
    expect(family?.revoked_at).toEqual(expect.any(Number));
    await expectError(await me(next.access_token), 401, "UNAUTHORIZED", "session ended: sign in again");
    await expectError(await me(session.access_token), 401, "UNAUTHORIZED");
    await expectError(
      await refreshWith(next.refresh_token),
      401,
      "UNAUTHORIZED",
      "session ended: sign in again (POST /v1/auth/login)",
    );
  });

  it("two concurrent refreshes with one token never both succeed", async () => {
    const session = await signup();
    const results = await Promise.all([
      refreshWith(session.refresh_token),
      refreshWith(session.refresh_token),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).not.toEqual([200, 200]);
    expect(statuses).toContain(401);
    // The race counts as reuse: the family is gone, including any pair the winner got.
    for (const res of results.filter((r) => r.status === 200)) {
      const pair = await res.json<TokenPair>();
      await expectError(await me(pair.access_token), 401, "UNAUTHORIZED");
    }
    const family = await row<{ revoked_reason: string | null }>(
      "SELECT revoked_reason FROM session_families WHERE user_id = ?",
      session.user.user_id,
    );
    expect(family?.revoked_reason).toBe("reuse");
  });

  it("the verb's conditional claim lets exactly one of many concurrent exchanges through", async () => {
    const session = await signup();
    const ctx = buildContext(env, () => {});
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => refresh({ ctx, input: { refreshToken: session.refresh_token } })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled").length).toBeLessThanOrEqual(1);
    const used = await row<{ n: number }>(
      "SELECT count(*) AS n FROM refresh_tokens WHERE user_id = ? AND used_at IS NOT NULL",
      session.user.user_id,
    );
    expect(used?.n).toBe(1);
  });

  it("refuses unknown, malformed and expired refresh tokens with a 401", async () => {
    await expectError(
      await refreshWith("pbr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
      401,
      "UNAUTHORIZED",
      "invalid refresh token: sign in again (POST /v1/auth/login)",
    );
    await expectError(await refreshWith("eyJhbGciOi.x.y"), 401, "UNAUTHORIZED", /^invalid refresh token/);
    const session = await signup();
    await env.DB.prepare("UPDATE refresh_tokens SET expires_at = ? WHERE user_id = ?")
      .bind(Date.now() - 1, session.user.user_id)
      .run();
    await expectError(
      await refreshWith(session.refresh_token),
      401,
      "UNAUTHORIZED",
      "refresh token expired: sign in again (POST /v1/auth/login)",
    );
    await expectError(
      await call("/v1/auth/refresh", { body: {} }),
      400,
      "BAD_REQUEST",
      "refresh_token: required",
    );
  });
});

describe("logout", () => {
  it("ends this login: its access and refresh tokens stop; other logins go on", async () => {
    const email = uniqueEmail();
    const first = await signup(email);
    const second = await json<Session>(
      await call("/v1/auth/login", { body: { email, password: PASSWORD }, headers: fromIp() }),
      200,
    );
    const res = await call("/v1/auth/logout", { method: "POST", headers: bearer(first.access_token) });
    expect(await json(res, 200)).toEqual({ ok: true });
    const family = await row<{ revoked_reason: string }>(
      "SELECT revoked_reason FROM session_families f JOIN refresh_tokens t ON t.family_id = f.id WHERE t.user_id = ? AND f.revoked_at IS NOT NULL",
      first.user.user_id,
    );
    expect(family?.revoked_reason).toBe("logout");
    await expectError(await me(first.access_token), 401, "UNAUTHORIZED", "session ended: sign in again");
    await expectError(await refreshWith(first.refresh_token), 401, "UNAUTHORIZED", /^session ended/);
    await json(await me(second.access_token), 200);
    // Logging out twice: the token is already dead.
    await expectError(
      await call("/v1/auth/logout", { method: "POST", headers: bearer(first.access_token) }),
      401,
      "UNAUTHORIZED",
    );
  });

  it("takes an optional refresh token and ends that login too when it is the caller's", async () => {
    const email = uniqueEmail();
    const first = await signup(email);
    const second = await json<Session>(
      await call("/v1/auth/login", { body: { email, password: PASSWORD }, headers: fromIp() }),
      200,
    );
    const stranger = await signup();
    await json(
      await call("/v1/auth/logout", {
        headers: bearer(first.access_token),
        body: { refresh_token: second.refresh_token },
      }),
      200,
    );
    await expectError(await me(second.access_token), 401, "UNAUTHORIZED");
    // Someone else's refresh token is ignored, not revoked.
    const third = await json<Session>(
      await call("/v1/auth/login", { body: { email, password: PASSWORD }, headers: fromIp() }),
      200,
    );
    await json(
      await call("/v1/auth/logout", {
        headers: bearer(third.access_token),
        body: { refresh_token: stranger.refresh_token },
      }),
      200,
    );
    await json(await me(stranger.access_token), 200);
    // An empty JSON body is no body.
    const emptyBody = await json(
      await call("/v1/auth/logout", {
        headers: { ...bearer(stranger.access_token), "content-type": "application/json" },
        raw: "",
        method: "POST",
      }),
      200,
    );
    expect(emptyBody).toEqual({ ok: true });
  });
});

describe("without AUTH_SECRET in production", () => {
  async function fetchProd(path: string, body: unknown, headers: Record<string, string> = {}) {
    const prodEnv = { ...env, ENVIRONMENT: "production", AUTH_SECRET: undefined };
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`http://pushbunny.test${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      prodEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("signup, login, refresh and the session routes answer 503, and nothing is created", async () => {
    const email = uniqueEmail("prod");
    const res = await fetchProd("/v1/auth/signup", { email, password: PASSWORD });
    await expectError(res, 503, "SERVICE_UNAVAILABLE", /AUTH_SECRET/);
    expect(await row("SELECT id FROM users WHERE email = ?", email)).toBeNull();
    await expectError(
      await fetchProd("/v1/auth/login", { email, password: PASSWORD }),
      503,
      "SERVICE_UNAVAILABLE",
      /AUTH_SECRET/,
    );
    await expectError(
      await fetchProd("/v1/auth/refresh", { refresh_token: "pbr_x" }),
      503,
      "SERVICE_UNAVAILABLE",
      /AUTH_SECRET/,
    );
    // The session routes: the access token cannot be checked, so 503 rather than a misleading 401.
    const { access_token } = await signup();
    await expectError(
      await fetchProd("/v1/auth/me", undefined, bearer(access_token)),
      503,
      "SERVICE_UNAVAILABLE",
      /AUTH_SECRET/,
    );
  });
});

describe("without PUBLIC_URL in production", () => {
  const NO_PUBLIC_URL = "sign-in is not configured: set PUBLIC_URL (the URL people reach this Worker at)";

  async function fetchIn(
    vars: Record<string, string | undefined>,
    path: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ) {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`http://pushbunny.test${path}`, {
        ...init,
        headers: { "content-type": "application/json", ...init.headers },
        redirect: "manual",
      }),
      { ...env, ...vars },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }
  const prod = { ENVIRONMENT: "production", PUBLIC_URL: undefined };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetchIn(prod, path, { method: "POST", body: JSON.stringify(body), headers });

  it("has no localhost default in production or staging; development and tests keep it", () => {
    for (const environment of ["production", "staging"]) {
      expect(
        loadConfig({ ...env, ENVIRONMENT: environment, PUBLIC_URL: undefined }).auth.publicUrl,
      ).toBeNull();
      expect(loadConfig({ ...env, ENVIRONMENT: environment, PUBLIC_URL: " " }).auth.publicUrl).toBeNull();
      expect(
        loadConfig({ ...env, ENVIRONMENT: environment, PUBLIC_URL: "https://api.example.com/" }).auth
          .publicUrl,
      ).toBe("https://api.example.com");
    }
    expect(loadConfig({ ...env, ENVIRONMENT: "development", PUBLIC_URL: undefined }).auth.publicUrl).toBe(
      "http://localhost:8787",
    );
    expect(buildContext(env, () => {}).config.auth.publicUrl).toBe("http://localhost:8787");
  });

  it("signup, login, refresh, reset requests, Google sign-in and the session routes answer 503, and nothing is created", async () => {
    const email = uniqueEmail("nourl");
    const res = await post("/v1/auth/signup", { email, password: PASSWORD });
    expect(res.headers.get("retry-after")).toBe("60");
    await expectError(res, 503, "SERVICE_UNAVAILABLE", NO_PUBLIC_URL);
    expect(await row("SELECT id FROM users WHERE email = ?", email)).toBeNull();
    await expectError(
      await post("/v1/auth/login", { email, password: PASSWORD }),
      503,
      "SERVICE_UNAVAILABLE",
      NO_PUBLIC_URL,
    );
    await expectError(
      await post("/v1/auth/refresh", { refresh_token: "pbr_x" }),
      503,
      "SERVICE_UNAVAILABLE",
      NO_PUBLIC_URL,
    );
    await expectError(
      await post("/v1/auth/password-reset/request", { email }),
      503,
      "SERVICE_UNAVAILABLE",
      NO_PUBLIC_URL,
    );
    await expectError(
      await fetchIn(prod, "/v1/auth/google/start"),
      503,
      "SERVICE_UNAVAILABLE",
      NO_PUBLIC_URL,
    );
    // A token minted under the localhost default is not checked against it.
    const { access_token } = await signup();
    await expectError(
      await fetchIn(prod, "/v1/auth/me", { headers: bearer(access_token) }),
      503,
      "SERVICE_UNAVAILABLE",
      NO_PUBLIC_URL,
    );
  });

  it("the token verbs refuse a production context without a public URL", async () => {
    const ctx = buildContext(env, () => {});
    const noUrl = {
      ...ctx,
      config: {
        ...ctx.config,
        environment: "production" as const,
        isProduction: true,
        auth: { ...ctx.config.auth, publicUrl: null },
      },
    };
    const claims = { userId: newId("usr"), email: uniqueEmail(), sessionId: newId("ses") };
    const { token } = await signAccessToken(ctx, claims);
    for (const refused of [signAccessToken(noUrl, claims), verifyAccessToken(noUrl, token)]) {
      await expect(refused).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(refused).rejects.toThrow(NO_PUBLIC_URL);
    }
  });

  it("invites answer 503 before anything is stored", async () => {
    const { projectId, apiKey } = await seedProject();
    const email = uniqueEmail("invitee");
    await expectError(
      await post(`/v1/projects/${projectId}/invites`, { email, role: "member" }, bearer(apiKey)),
      503,
      "SERVICE_UNAVAILABLE",
      "invitation by email is not configured: set PUBLIC_URL (the URL people reach this Worker at)",
    );
    expect(await row("SELECT id FROM invites WHERE email = ?", email)).toBeNull();
  });

  it("with PUBLIC_URL set, production signs tokens with it as the issuer", async () => {
    const ok = await fetchIn(
      { ENVIRONMENT: "production", PUBLIC_URL: "https://api.pushbunny.example/" },
      "/v1/auth/signup",
      {
        method: "POST",
        body: JSON.stringify({ email: uniqueEmail("withurl"), password: PASSWORD }),
        headers: fromIp(),
      },
    );
    const session = await json<Session>(ok, 201);
    const payload = JSON.parse(
      atob((session.access_token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/")),
    );
    expect(payload.iss).toBe("https://api.pushbunny.example");
  });
});
