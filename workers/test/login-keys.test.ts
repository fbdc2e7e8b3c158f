// POST /v1/auth/login's `api_key` (the upstream PushBunny SDKs' `{ api_key }`): a real project
// API key tied to the person, scoped by their role, bounded, and ended with their membership,
// role or password (docs/adr/0018-login-keys.md).
import { env, exports } from "cloudflare:workers";
import { newId, sha256Hex } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import { buildContext } from "../src/infra/build-context";
import { MAX_LIVE_KEYS } from "../src/services/api-keys/lib/api-key";
import { LOGIN_KEY_TTL_MS, MAX_LOGIN_KEYS, mintLoginKey } from "../src/services/auth/lib/login-keys";
import type { OidcStubUser } from "../test-support/oidc-stub-server";
import { call, eventually, expectError, json, seedProject } from "./helpers";

const PASSWORD = "correct horse battery staple";
// 198.18.0.0/15 (benchmarking) is ours alone, so no other file's sign-in limits are spent here.
let nextIp = 0;
const newIp = () => ({ "cf-connecting-ip": `198.18.${Math.floor(++nextIp / 250)}.${(nextIp % 250) + 1}` });

interface LoginBody {
  user: { user_id: string; email: string };
  access_token: string;
  refresh_token: string;
  api_key?: string;
  api_key_id?: string;
  project_id?: string;
  api_key_scopes?: string[];
  api_key_expires_at?: string;
}

interface KeyRow {
  id: string;
  project_id: string;
  name: string;
  prefix: string;
  scopes: string;
  mode: string;
  created_at: number;
  created_by: string;
  expires_at: number | null;
  revoked_at: number | null;
  login_user_id: string | null;
}

/** A person with a password (through the real signup, so the hash is the real one). */
async function person() {
  const email = `login-${newId("usr").slice(4)}@example.com`;
  const body = await json<LoginBody>(
    await call("/v1/auth/signup", { body: { email, password: PASSWORD }, headers: newIp() }),
    201,
  );
  return { userId: body.user.user_id, email };
}

/** Puts a person in a project with a role, as having joined at `joinedAt`. */
async function join(projectId: string, userId: string, role: string, joinedAt = Date.now()) {
  await env.DB.prepare(
    "INSERT INTO project_members (project_id, user_id, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
  )
    .bind(projectId, userId, role, joinedAt, joinedAt)
    .run();
}

/** A project (with an all-scopes key for managing it) and a person in it. */
async function memberOf(role: "owner" | "admin" | "member" | "viewer") {
  const project = await seedProject();
  const who = await person();
  await join(project.projectId, who.userId, role);
  return { ...project, ...who };
}

const login = (email: string, password = PASSWORD, extra: Record<string, unknown> = {}) =>
  call("/v1/auth/login", { body: { email, password, ...extra }, headers: newIp() });

async function loginKey(email: string, extra: Record<string, unknown> = {}) {
  const body = await json<LoginBody>(await login(email, PASSWORD, extra), 200);
  expect(body.api_key, JSON.stringify(body)).toMatch(/^pb_live_[0-9a-f]{64}$/);
  return body as LoginBody & { api_key: string; api_key_id: string; project_id: string };
}

const loginKeysOf = async (userId: string) =>
  (
    await env.DB.prepare("SELECT * FROM api_keys WHERE login_user_id = ? ORDER BY created_at, rowid")
      .bind(userId)
      .all<KeyRow>()
  ).results;

const sendMessage = (key: string, intent = `login-${newId("exp").slice(4)}`) =>
  call("/v1/message", { key, body: { intent_id: intent, base_example: "Your cart misses you" } });

/** The key works (a read every role's key may do). */
async function works(key: string) {
  await json(await call("/v1/experiments", { key }), 200);
}

async function refused(key: string, message: string) {
  await expectError(await call("/v1/experiments", { key }), 401, "UNAUTHORIZED", message);
}

describe("POST /v1/auth/login answers a project API key", () => {
  it("a member's key: message + read, 30 days, stored hashed, usable on /v1/message and /v1/stats", async () => {
    const { projectId, userId, email, apiKey: admin } = await memberOf("member");
    const before = Date.now();
    const body = await loginKey(email);
    expect(body).toMatchObject({
      project_id: projectId,
      api_key_scopes: ["message", "read"],
      user: { user_id: userId, email },
    });
    expect(body.access_token).toEqual(expect.any(String));

    const [row, ...others] = await loginKeysOf(userId);
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      id: body.api_key_id,
      project_id: projectId,
      name: `login · ${email}`,
      prefix: body.api_key.slice(0, 12),
      scopes: "message,read",
      mode: "live",
      created_by: `user:${userId}`,
      revoked_at: null,
      login_user_id: userId,
    });
    // Only the digest is kept.
    const digest = await sha256Hex(body.api_key);
    const stored = await env.DB.prepare("SELECT digest FROM api_keys WHERE id = ?")
      .bind(body.api_key_id)
      .first<{ digest: string }>();
    expect(stored?.digest).toBe(digest);
    expect(
      JSON.stringify(await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(row?.id).first()),
    ).not.toContain(body.api_key);
    expect(row?.expires_at).toBe((row?.created_at ?? 0) + LOGIN_KEY_TTL_MS);
    expect(row?.created_at).toBeGreaterThanOrEqual(before);
    expect(body.api_key_expires_at).toBe(new Date(row?.expires_at ?? 0).toISOString());

    // A Bearer on the SDK routes.
    const sent = await json<{ variant_id: string }>(await sendMessage(body.api_key, "login-cart"), 200);
    expect(sent.variant_id).toMatch(/^var_/);
    const stats = await json<{ variants: unknown[] }>(
      await call("/v1/stats?intent_id=login-cart", { key: body.api_key }),
      200,
    );
    expect(stats.variants.length).toBeGreaterThan(0);
    // The upstream SDKs' routes: the key in /v1/resolve's body, a Bearer on /v1/variants.
    const resolved = await json<{ variant_id: string; resolved_message: string }>(
      await call("/v1/resolve", {
        body: { api_key: body.api_key, intent_id: "login-cart", base_message: "Your cart misses you" },
      }),
      200,
    );
    expect(resolved.resolved_message.length).toBeGreaterThan(0);
    const variants = await json<Record<string, unknown[]>>(
      await call("/v1/variants", { key: body.api_key }),
      200,
    );
    expect(Object.keys(variants)).toContain("login-cart");
    // Never admin: managing the project needs the session.
    await expectError(
      await call(`/v1/projects/${projectId}/api-keys`, { key: body.api_key }),
      403,
      "FORBIDDEN",
    );

    // Listed like any key, with whose login it is.
    const list = await json<{ api_keys: { key_id: string; login_user_id: string | null }[] }>(
      await call(`/v1/projects/${projectId}/api-keys`, { key: admin }),
      200,
    );
    expect(list.api_keys.find((k) => k.key_id === body.api_key_id)?.login_user_id).toBe(userId);
    expect(list.api_keys.filter((k) => k.key_id !== body.api_key_id).map((k) => k.login_user_id)).toEqual([
      null,
    ]);
    const audit = await env.DB.prepare(
      "SELECT actor, details FROM audit_log WHERE project_id = ? AND action = 'api_key.created' AND target_id = ?",
    )
      .bind(projectId, body.api_key_id)
      .first<{ actor: string; details: string }>();
    expect(audit?.actor).toBe(`user:${userId}`);
    expect(JSON.parse(audit?.details ?? "{}")).toMatchObject({ login: true, scopes: ["message", "read"] });
  });

  it("scopes follow the role: a viewer's key reads but cannot send (403); an owner's is not admin", async () => {
    const viewer = await memberOf("viewer");
    const key = await loginKey(viewer.email);
    expect(key.api_key_scopes).toEqual(["read"]);
    expect((await loginKeysOf(viewer.userId))[0]?.scopes).toBe("read");
    await expectError(await sendMessage(key.api_key), 403, "FORBIDDEN");
    await works(key.api_key);

    const owner = await memberOf("owner");
    const ownerKey = await loginKey(owner.email);
    expect(ownerKey.api_key_scopes).toEqual(["message", "read"]);
    await json(await sendMessage(ownerKey.api_key), 200);
    await expectError(
      await call(`/v1/projects/${owner.projectId}/api-keys`, { key: ownerKey.api_key }),
      403,
      "FORBIDDEN",
    );
  });

  it("a wrong password is the same 401 and mints nothing, with or without project_id", async () => {
    const { projectId, userId, email } = await memberOf("member");
    await expectError(
      await login(email, "not the password"),
      401,
      "UNAUTHORIZED",
      "invalid email or password",
    );
    await expectError(
      await login(email, "not the password", { project_id: projectId }),
      401,
      "UNAUTHORIZED",
      "invalid email or password",
    );
    // A project the person is not in: still the 401, nothing learned without the password.
    await expectError(
      await login(email, "not the password", { project_id: "prj_someone_elses" }),
      401,
      "UNAUTHORIZED",
      "invalid email or password",
    );
    expect(await loginKeysOf(userId)).toEqual([]);
  });

  it("a person with no project signs in with no key fields", async () => {
    const { userId, email } = await person();
    const body = await json<Record<string, unknown>>(await login(email), 200);
    expect(body.access_token).toEqual(expect.any(String));
    for (const field of ["api_key", "api_key_id", "project_id", "api_key_scopes", "api_key_expires_at"]) {
      expect(body).not.toHaveProperty(field);
    }
    expect(await loginKeysOf(userId)).toEqual([]);
  });
});

describe("which project", () => {
  it("the only one; with several, the one joined first; or the one named", async () => {
    const { userId, email } = await person();
    const a = await seedProject();
    const b = await seedProject();
    const c = await seedProject();
    const t = Date.now();
    // Inserted in a different order than joined: the join time decides.
    await join(a.projectId, userId, "member", t - 1_000);
    expect((await loginKey(email)).project_id).toBe(a.projectId);
    await join(b.projectId, userId, "viewer", t - 5_000);
    await join(c.projectId, userId, "admin", t - 3_000);
    const first = await loginKey(email);
    expect(first.project_id).toBe(b.projectId);
    expect(first.api_key_scopes).toEqual(["read"]);

    const named = await loginKey(email, { project_id: c.projectId });
    expect(named.project_id).toBe(c.projectId);
    expect(named.api_key_scopes).toEqual(["message", "read"]);
    await json(await sendMessage(named.api_key), 200);
    expect((await loginKeysOf(userId)).map((k) => k.project_id)).toEqual([
      a.projectId,
      b.projectId,
      c.projectId,
    ]);
  });

  it("a named project the person is not in is a 404 after the password check, and mints nothing", async () => {
    const { userId, email } = await memberOf("member");
    const other = await seedProject();
    for (const projectId of [other.projectId, "prj_does_not_exist"]) {
      await expectError(
        await login(email, PASSWORD, { project_id: projectId }),
        404,
        "NOT_FOUND",
        `project '${projectId}' not found`,
      );
    }
    expect(await loginKeysOf(userId)).toEqual([]);
    const sessions = await env.DB.prepare("SELECT count(*) AS n FROM session_families WHERE user_id = ?")
      .bind(userId)
      .first<{ n: number }>();
    // Signup's session only: a 404 leaves no session behind either.
    expect(sessions?.n).toBe(1);
  });

  it("the body stays strict: unknown fields and a bad project_id are 400s", async () => {
    const { email } = await person();
    await expectError(await login(email, PASSWORD, { api_key: "x" }), 400, "BAD_REQUEST");
    await expectError(await login(email, PASSWORD, { project_id: "" }), 400, "BAD_REQUEST");
    await expectError(await login(email, PASSWORD, { project_id: "p".repeat(129) }), 400, "BAD_REQUEST");
  });
});

describe("bounds", () => {
  it(`a person holds at most ${MAX_LOGIN_KEYS} working login keys per project: the next login revokes the oldest`, async () => {
    const { projectId, userId, email } = await memberOf("member");
    const keys: string[] = [];
    for (let i = 0; i < MAX_LOGIN_KEYS; i++) keys.push((await loginKey(email)).api_key);
    for (const key of keys) await works(key);
    const sixth = await loginKey(email);
    await refused(keys[0] ?? "", "API key revoked");
    for (const key of [...keys.slice(1), sixth.api_key]) await works(key);

    const rows = await loginKeysOf(userId);
    expect(rows).toHaveLength(MAX_LOGIN_KEYS + 1);
    expect(rows.filter((r) => r.revoked_at === null)).toHaveLength(MAX_LOGIN_KEYS);
    expect(rows[0]?.revoked_at).toEqual(expect.any(Number));
    const audit = await env.DB.prepare(
      "SELECT details FROM audit_log WHERE project_id = ? AND action = 'api_key.revoked' AND target_id = ?",
    )
      .bind(projectId, rows[0]?.id)
      .first<{ details: string }>();
    expect(JSON.parse(audit?.details ?? "{}")).toMatchObject({
      reason: "login_key_limit",
      replaced_by: sixth.api_key_id,
    });

    // Per project: a key in another project is not counted against this one.
    const other = await seedProject();
    await join(other.projectId, userId, "member");
    await loginKey(email, { project_id: other.projectId });
    for (const key of [...keys.slice(1), sixth.api_key]) await works(key);
  });

  it("expires after 30 days; an expired key does not count toward the five", async () => {
    const { userId, email } = await memberOf("member");
    const first = await loginKey(email);
    // Never used yet, so no cache holds it: the next use reads the row.
    await env.DB.prepare("UPDATE api_keys SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, first.api_key_id)
      .run();
    await refused(first.api_key, "API key expired");
    const keys: string[] = [];
    for (let i = 0; i < MAX_LOGIN_KEYS; i++) keys.push((await loginKey(email)).api_key);
    for (const key of keys) await works(key);
    const rows = await loginKeysOf(userId);
    expect(rows.filter((r) => r.revoked_at !== null)).toEqual([]);
  });

  it(`the project's ${MAX_LIVE_KEYS}-key cap: the login succeeds without a key, unless it replaces the person's own`, async () => {
    const { projectId, userId, email } = await memberOf("member");
    const mine: string[] = [];
    for (let i = 0; i < MAX_LOGIN_KEYS; i++) mine.push((await loginKey(email)).api_key);
    // Fill the project up to the cap with ordinary keys (it has its seed key and the five).
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO api_keys (id, project_id, name, prefix, digest, created_at)
       SELECT 'key_cap_' || ? || '_' || i, ?, 'filler', 'pb_live_fill', 'cap-' || ? || '-' || i, ? FROM n`,
    )
      .bind(MAX_LIVE_KEYS - 1 - MAX_LOGIN_KEYS, projectId, projectId, projectId, Date.now())
      .run();
    // At the cap, a login replaces the person's oldest key: the count stays put.
    const replaced = await loginKey(email);
    await refused(mine[0] ?? "", "API key revoked");
    await works(replaced.api_key);

    // Another member with no login key yet would add one: the login still signs in, without a key.
    const other = await person();
    await join(projectId, other.userId, "member");
    const body = await json<Record<string, unknown>>(await login(other.email), 200);
    expect(body.access_token).toEqual(expect.any(String));
    expect(body).not.toHaveProperty("api_key");
    expect(await loginKeysOf(other.userId)).toEqual([]);
    const live = await env.DB.prepare(
      "SELECT count(*) AS n FROM api_keys WHERE project_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
    )
      .bind(projectId, Date.now())
      .first<{ n: number }>();
    expect(live?.n).toBe(MAX_LIVE_KEYS);
    expect((await loginKeysOf(userId)).filter((r) => r.revoked_at === null)).toHaveLength(MAX_LOGIN_KEYS);
  });

  it("a key is not minted when the membership or password changed while the login ran", async () => {
    const { projectId, userId, email } = await memberOf("member");
    const user = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
      .bind(userId)
      .first<{ password_hash: string }>();
    const passwordHash = user?.password_hash ?? "";
    const ctx = buildContext(env, () => {});
    const mint = (role: "member" | "viewer", hash: string) =>
      mintLoginKey(ctx, { userId, email, projectId, role, passwordHash: hash });
    // The role the key would be scoped from is no longer the person's.
    expect(await mint("viewer", passwordHash)).toBeNull();
    // The password it was earned with was reset meanwhile.
    expect(await mint("member", "pbkdf2-sha256$100000$old$hash")).toBeNull();
    expect(await loginKeysOf(userId)).toEqual([]);
    // Removed from the project meanwhile.
    await env.DB.prepare("DELETE FROM project_members WHERE project_id = ? AND user_id = ?")
      .bind(projectId, userId)
      .run();
    expect(await mint("member", passwordHash)).toBeNull();
    expect(await loginKeysOf(userId)).toEqual([]);
    // The control: with the grounds intact it mints.
    await join(projectId, userId, "member");
    const key = await mint("member", passwordHash);
    expect(key?.secret).toMatch(/^pb_live_/);
    await works(key?.secret ?? "");
  });
});

describe("lifecycle", () => {
  it("removing the member revokes their login keys in that project only", async () => {
    const { projectId, userId, email, apiKey: admin } = await memberOf("member");
    const other = await seedProject();
    await join(other.projectId, userId, "member", Date.now() + 1);
    const here = await loginKey(email);
    const there = await loginKey(email, { project_id: other.projectId });
    const res = await call(`/v1/projects/${projectId}/members/${userId}`, { method: "DELETE", key: admin });
    expect(res.status, await res.clone().text()).toBe(204);
    await refused(here.api_key, "API key revoked");
    await works(there.api_key);
    const audit = await env.DB.prepare(
      "SELECT details FROM audit_log WHERE project_id = ? AND action = 'api_key.revoked' AND target_id = ?",
    )
      .bind(projectId, here.api_key_id)
      .first<{ details: string }>();
    expect(JSON.parse(audit?.details ?? "{}")).toMatchObject({
      reason: "member_removed",
      login_user_id: userId,
    });
  });

  it("a person leaving the project revokes their keys too", async () => {
    const { projectId, userId, email } = await memberOf("member");
    const key = await loginKey(email);
    const session = await json<LoginBody>(await login(email), 200);
    const res = await call(`/v1/projects/${projectId}/members/${userId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${session.access_token}`, "x-project-id": projectId },
    });
    expect(res.status, await res.clone().text()).toBe(204);
    await refused(key.api_key, "API key revoked");
    await refused(session.api_key ?? "", "API key revoked");
  });

  it("a role change (up or down) revokes them: the next login carries the new role's scopes", async () => {
    const { projectId, userId, email, apiKey: admin } = await memberOf("viewer");
    const asViewer = await loginKey(email);
    const patch = (role: string) =>
      call(`/v1/projects/${projectId}/members/${userId}`, { method: "PATCH", key: admin, body: { role } });
    await json(await patch("member"), 200);
    await refused(asViewer.api_key, "API key revoked");
    const asMember = await loginKey(email);
    expect(asMember.api_key_scopes).toEqual(["message", "read"]);
    await json(await sendMessage(asMember.api_key), 200);
    await json(await patch("viewer"), 200);
    await refused(asMember.api_key, "API key revoked");
  });

  it("a password reset revokes them in every project; logout does not", async () => {
    const { userId, email } = await memberOf("member");
    const other = await seedProject();
    await join(other.projectId, userId, "viewer", Date.now() + 1);
    const here = await loginKey(email);
    const there = await loginKey(email, { project_id: other.projectId });

    // Logout ends the session, not the key the app holds.
    const res = await call("/v1/auth/logout", {
      method: "POST",
      headers: { authorization: `Bearer ${here.access_token}` },
      body: {},
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    await works(here.api_key);

    await json(await call("/v1/auth/password-reset/request", { body: { email }, headers: newIp() }), 202);
    const token = await eventually(async () => {
      const mail = await env.DB.prepare(
        "SELECT text FROM mail_outbox WHERE \"to\" = ? AND kind = 'reset_password' ORDER BY created_at DESC LIMIT 1",
      )
        .bind(email)
        .first<{ text: string }>();
      const found = /\?token=(\S+)/.exec(mail?.text ?? "")?.[1];
      if (!found) throw new Error("no reset mail yet");
      return decodeURIComponent(found);
    });
    await json(
      await call("/v1/auth/password-reset", { body: { token, password: "a brand new passphrase" } }),
      200,
    );
    await refused(here.api_key, "API key revoked");
    await refused(there.api_key, "API key revoked");
    expect((await loginKeysOf(userId)).every((k) => k.revoked_at !== null)).toBe(true);
  });

  it("revoking through the API works like any key; rolling a login key is refused (409)", async () => {
    const { projectId, email, apiKey: admin } = await memberOf("member");
    const key = await loginKey(email);
    await expectError(
      await call(`/v1/projects/${projectId}/api-keys/${key.api_key_id}/roll`, { key: admin, body: {} }),
      409,
      "CONFLICT",
      /is a login key/,
    );
    await works(key.api_key);
    await json(
      await call(`/v1/projects/${projectId}/api-keys/${key.api_key_id}`, { method: "DELETE", key: admin }),
      200,
    );
    await refused(key.api_key, "API key revoked");
  });

  it("a Google sign-in that links the account and clears its password revokes its login keys", async () => {
    const { userId, email } = await memberOf("member");
    await env.DB.prepare("UPDATE users SET email_verified_at = ? WHERE id = ?")
      .bind(Date.now(), userId)
      .run();
    const key = await loginKey(email);
    const google: OidcStubUser = {
      sub: `1${newId("usr").slice(4)}`,
      email,
      email_verified: true,
      name: "Ada",
    };
    const start = await exports.default.fetch("http://pushbunny.test/v1/auth/google/start", {
      headers: newIp(),
      redirect: "manual",
    });
    expect(start.status, await start.clone().text()).toBe(302);
    const authorize = new URL(start.headers.get("location") ?? "");
    authorize.searchParams.set("login_hint", JSON.stringify(google));
    authorize.searchParams.set("stub_scenario", "ok");
    const back = new URL((await fetch(authorize, { redirect: "manual" })).headers.get("location") ?? "");
    const signedIn = await call(`${back.pathname}${back.search}`, {
      headers: { cookie: (start.headers.get("set-cookie") ?? "").split(";")[0] ?? "" },
    });
    expect(signedIn.status, await signedIn.clone().text()).toBe(200);
    await refused(key.api_key, "API key revoked");
  });
});

describe("OpenAPI", () => {
  it("documents the optional project_id and the key fields", async () => {
    const doc = await json<{
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
    }>(await call("/v1/openapi.json"), 200);
    const request = doc.components.schemas.LoginRequest;
    expect(Object.keys(request?.properties ?? {})).toEqual(["email", "password", "project_id"]);
    expect(request?.required).toEqual(["email", "password"]);
    // The Session it extends, by reference, and the key fields beside it.
    const login = doc.components.schemas.LoginSession as unknown as {
      allOf: { $ref?: string; properties?: Record<string, unknown>; required?: string[] }[];
    };
    expect(login.allOf[0]?.$ref).toBe("#/components/schemas/Session");
    const response = login.allOf[1];
    for (const field of ["api_key", "api_key_id", "project_id", "api_key_scopes", "api_key_expires_at"]) {
      expect(response?.properties).toHaveProperty(field);
      expect(response?.required ?? []).not.toContain(field);
    }
    expect(Object.keys(doc.paths["/v1/auth/login"]?.post?.responses ?? {})).toContain("404");
    expect(doc.components.schemas.ApiKey?.properties).toHaveProperty("login_user_id");
  });
});
