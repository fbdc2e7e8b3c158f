import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { newId, sha256Hex } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import type { Env } from "../src/env";
import worker from "../src/index";
import { buildContext } from "../src/infra/build-context";
import { mailerFor } from "../src/infra/mailer";
import { call, eventually, expectError, json } from "./helpers";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";
const uniqueEmail = (tag = "user") => `${tag}-${newId("usr").slice(4)}@example.com`;
let nextIp = 1;
const newIp = () => ({ "cf-connecting-ip": `192.0.2.${nextIp++}` });

interface Session {
  user: { user_id: string; email: string; email_verified: boolean };
  access_token: string;
  refresh_token: string;
}
interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  kind: string;
  created_at: string;
}

async function signup(email = uniqueEmail()) {
  return json<Session>(
    await call("/v1/auth/signup", { body: { email, password: PASSWORD }, headers: newIp() }),
    201,
  );
}

async function outbox(to: string, limit?: number) {
  const query = new URLSearchParams({ to, ...(limit ? { limit: String(limit) } : {}) });
  return (await json<{ messages: OutboxMessage[] }>(await call(`/v1/dev/outbox?${query}`), 200)).messages;
}

/** The token of the newest link of `kind` mailed to `to`. */
async function linkToken(to: string, kind: string, page: string) {
  const message = (await outbox(to)).find((m) => m.kind === kind);
  expect(message, `no ${kind} mail to ${to}`).toBeDefined();
  const match = new RegExp(`http://localhost:8787${page}\\?token=(\\S+)`).exec(message?.text ?? "");
  expect(match, message?.text).not.toBeNull();
  return decodeURIComponent(match?.[1] ?? "");
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const verify = (token: string) => call("/v1/auth/verify-email", { body: { token } });
const login = (email: string, password: string) =>
  call("/v1/auth/login", { body: { email, password }, headers: newIp() });
const requestReset = (email: string) =>
  call("/v1/auth/password-reset/request", { body: { email }, headers: newIp() });
const reset = (token: string, password: string) =>
  call("/v1/auth/password-reset", { body: { token, password } });

describe("email verification", () => {
  it("signup mails a 24-hour link; the token verifies once, is stored hashed, and a second use is a 400", async () => {
    const email = uniqueEmail();
    const before = Date.now();
    const session = await signup(email);
    const [mail] = await outbox(email);
    expect(mail).toMatchObject({
      to: email,
      kind: "verify_email",
      subject: "Verify your email for PushBunny",
    });
    expect(mail?.text).toContain("within 24 hours");
    const token = await linkToken(email, "verify_email", "/app/verify-email");
    expect(token).toMatch(/^pbev_[A-Za-z0-9_-]{43}$/);
    const stored = await env.DB.prepare(
      "SELECT digest, expires_at, used_at FROM email_tokens WHERE user_id = ? AND purpose = 'verify_email'",
    )
      .bind(session.user.user_id)
      .first<{ digest: string; expires_at: number; used_at: number | null }>();
    expect(stored?.digest).toBe(await sha256Hex(token));
    expect(stored?.expires_at).toBeGreaterThanOrEqual(before + 24 * 3600_000);
    expect(stored?.expires_at).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);

    const verified = await json<{ user: Session["user"] }>(await verify(token), 200);
    expect(verified.user).toMatchObject({ user_id: session.user.user_id, email, email_verified: true });
    const user = await env.DB.prepare("SELECT email_verified_at FROM users WHERE id = ?")
      .bind(session.user.user_id)
      .first<{ email_verified_at: number | null }>();
    expect(user?.email_verified_at).toEqual(expect.any(Number));
    await expectError(
      await verify(token),
      400,
      "BAD_REQUEST",
      "this verification link was already used or replaced by a newer one: sign in and ask for a new one (POST /v1/auth/verify-email/resend)",
    );
    const me = await json<{ user: { email_verified: boolean } }>(
      await call("/v1/auth/me", { headers: bearer(session.access_token) }),
      200,
    );
    expect(me.user.email_verified).toBe(true);
  });

  it("an expired link is a 400 that says to ask for a new one", async () => {
    const email = uniqueEmail();
    const session = await signup(email);
    const token = await linkToken(email, "verify_email", "/app/verify-email");
    await env.DB.prepare("UPDATE email_tokens SET expires_at = ? WHERE user_id = ?")
      .bind(Date.now() - 1, session.user.user_id)
      .run();
    await expectError(
      await verify(token),
      400,
      "BAD_REQUEST",
      "this verification link expired: sign in and ask for a new one (POST /v1/auth/verify-email/resend)",
    );
  });

  it("resend mails a new link and the old one stops working; verified addresses get a 409", async () => {
    const email = uniqueEmail();
    const session = await signup(email);
    const first = await linkToken(email, "verify_email", "/app/verify-email");
    const res = await call("/v1/auth/verify-email/resend", {
      method: "POST",
      headers: bearer(session.access_token),
    });
    expect(await json(res, 202)).toEqual({ ok: true });
    const second = await linkToken(email, "verify_email", "/app/verify-email");
    expect(second).not.toBe(first);
    expect((await outbox(email)).filter((m) => m.kind === "verify_email")).toHaveLength(2);
    await expectError(await verify(first), 400, "BAD_REQUEST", /already used or replaced by a newer one/);
    await json(await verify(second), 200);
    await expectError(
      await call("/v1/auth/verify-email/resend", { method: "POST", headers: bearer(session.access_token) }),
      409,
      "CONFLICT",
      `${email} is already verified`,
    );
  });

  it("resend is limited to 5 an hour", async () => {
    const session = await signup();
    for (let i = 0; i < 5; i++) {
      await json(
        await call("/v1/auth/verify-email/resend", { method: "POST", headers: bearer(session.access_token) }),
        202,
      );
    }
    const res = await call("/v1/auth/verify-email/resend", {
      method: "POST",
      headers: bearer(session.access_token),
    });
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectError(res, 429, "RATE_LIMITED", /^too many verification mails asked for/);
  });

  it.each([
    [
      "an unknown token",
      { token: "pbev_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
      "invalid verification link: check it was copied whole, or sign in and ask for a new one (POST /v1/auth/verify-email/resend)",
    ],
    ["an empty token", { token: "" }, "token: required"],
    ["no token", {}, "token: required"],
    ["a number", { token: 7 }, "token: Invalid input: expected string, received number"],
  ])("answers 400 to %s", async (_, body, message) => {
    await expectError(await call("/v1/auth/verify-email", { body }), 400, "BAD_REQUEST", message);
  });

  it("a reset token does not verify an address, nor a verification token reset a password", async () => {
    const email = uniqueEmail();
    await signup(email);
    const verifyToken = await linkToken(email, "verify_email", "/app/verify-email");
    await json(await requestReset(email), 202);
    const resetToken = await eventually(() => linkToken(email, "reset_password", "/app/reset-password"));
    await expectError(await verify(resetToken), 400, "BAD_REQUEST", /^invalid verification link/);
    await expectError(
      await reset(verifyToken, NEW_PASSWORD),
      400,
      "BAD_REQUEST",
      /^invalid password reset link/,
    );
  });
});

describe("password reset", () => {
  it("end to end: the mailed link sets the password, ends every session, and works once", async () => {
    const email = uniqueEmail();
    const first = await signup(email);
    const second = await json<Session>(await login(email, PASSWORD), 200);
    const before = Date.now();
    expect(await json(await requestReset(email), 202)).toEqual({ ok: true });
    const token = await eventually(() => linkToken(email, "reset_password", "/app/reset-password"));
    expect(token).toMatch(/^pbpr_/);
    const [mail] = await outbox(email);
    expect(mail).toMatchObject({ kind: "reset_password", subject: "Reset your PushBunny password" });
    const stored = await env.DB.prepare(
      "SELECT expires_at FROM email_tokens WHERE user_id = ? AND purpose = 'reset_password'",
    )
      .bind(first.user.user_id)
      .first<{ expires_at: number }>();
    expect(stored?.expires_at).toBeGreaterThanOrEqual(before + 3600_000);
    expect(stored?.expires_at).toBeLessThanOrEqual(Date.now() + 3600_000);

    expect(await json(await reset(token, NEW_PASSWORD), 200)).toEqual({ ok: true });

    // Every session ended: access tokens, refresh tokens, both logins.
    for (const s of [first, second]) {
      await expectError(await call("/v1/auth/me", { headers: bearer(s.access_token) }), 401, "UNAUTHORIZED");
      await expectError(
        await call("/v1/auth/refresh", { body: { refresh_token: s.refresh_token } }),
        401,
        "UNAUTHORIZED",
      );
    }
    const families = await env.DB.prepare(
      "SELECT revoked_reason FROM session_families WHERE user_id = ? ORDER BY created_at",
    )
      .bind(first.user.user_id)
      .all<{ revoked_reason: string | null }>();
    expect(families.results.map((f) => f.revoked_reason)).toEqual(["password_reset", "password_reset"]);
    const user = await env.DB.prepare(
      "SELECT sessions_valid_after, email_verified_at, password_hash FROM users WHERE id = ?",
    )
      .bind(first.user.user_id)
      .first<{ sessions_valid_after: number; email_verified_at: number | null; password_hash: string }>();
    expect(user?.sessions_valid_after).toBeGreaterThan(before - 1000);
    expect(user?.email_verified_at).toEqual(expect.any(Number));
    expect(user?.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);

    // The old password fails, the new one works at once (a login in the same second too).
    await expectError(await login(email, PASSWORD), 401, "UNAUTHORIZED", "invalid email or password");
    const fresh = await json<Session>(await login(email, NEW_PASSWORD), 200);
    await json(await call("/v1/auth/me", { headers: bearer(fresh.access_token) }), 200);

    // The link works once.
    await expectError(
      await reset(token, "yet another passphrase"),
      400,
      "BAD_REQUEST",
      "this password reset link was already used or replaced by a newer one: ask for a new one (POST /v1/auth/password-reset/request)",
    );
  });

  it("clears the login lock of the address", async () => {
    const email = uniqueEmail("locked");
    await signup(email);
    const ip = newIp();
    for (let i = 0; i < 5; i++) {
      await call("/v1/auth/login", { body: { email, password: "wrong password" }, headers: ip });
    }
    await expectError(await login(email, PASSWORD), 429, "RATE_LIMITED");
    await json(await requestReset(email), 202);
    const token = await eventually(() => linkToken(email, "reset_password", "/app/reset-password"));
    await json(await reset(token, NEW_PASSWORD), 200);
    await json(await login(email, NEW_PASSWORD), 200);
  });

  it("an unknown address gets the same 202 and no mail", async () => {
    const email = uniqueEmail("ghost");
    const res = await requestReset(email);
    expect(await json(res, 202)).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(await outbox(email)).toEqual([]);
  });

  it("an expired link is a 400, and only the newest link works", async () => {
    const email = uniqueEmail();
    const session = await signup(email);
    await json(await requestReset(email), 202);
    const older = await eventually(() => linkToken(email, "reset_password", "/app/reset-password"));
    await json(await requestReset(email), 202);
    const newer = await eventually(async () => {
      const t = await linkToken(email, "reset_password", "/app/reset-password");
      expect(t).not.toBe(older);
      return t;
    });
    await expectError(
      await reset(older, NEW_PASSWORD),
      400,
      "BAD_REQUEST",
      /already used or replaced by a newer one/,
    );
    await env.DB.prepare("UPDATE email_tokens SET expires_at = ? WHERE user_id = ? AND used_at IS NULL")
      .bind(Date.now() - 1, session.user.user_id)
      .run();
    await expectError(
      await reset(newer, NEW_PASSWORD),
      400,
      "BAD_REQUEST",
      "this password reset link expired: ask for a new one (POST /v1/auth/password-reset/request)",
    );
    // Nothing changed: the old password still signs in.
    await json(await login(email, PASSWORD), 200);
  });

  it("the new password must follow the rules, and a refused one leaves the link usable", async () => {
    const email = uniqueEmail();
    await signup(email);
    await json(await requestReset(email), 202);
    const token = await eventually(() => linkToken(email, "reset_password", "/app/reset-password"));
    await expectError(
      await reset(token, "short"),
      400,
      "BAD_REQUEST",
      "password: must be at least 10 characters",
    );
    await json(await reset(token, NEW_PASSWORD), 200);
  });

  it.each([
    ["no token", { password: NEW_PASSWORD }, "token: required"],
    ["no password", { token: "pbpr_x" }, "password: required"],
    [
      "a blank password",
      { token: "pbpr_x", password: "           " },
      "password: must not be only whitespace",
    ],
    [
      "an unknown token",
      { token: "pbpr_x", password: NEW_PASSWORD },
      "invalid password reset link: check it was copied whole, or ask for a new one (POST /v1/auth/password-reset/request)",
    ],
  ])("answers 400 to %s", async (_, body, message) => {
    await expectError(await call("/v1/auth/password-reset", { body }), 400, "BAD_REQUEST", message);
  });

  it("a malformed email in a reset request is a 400 (no account is implied either way)", async () => {
    await expectError(
      await call("/v1/auth/password-reset/request", { body: { email: "nope" }, headers: newIp() }),
      400,
      "BAD_REQUEST",
      "email: must be an email address like name@example.com",
    );
  });
});

describe("the development outbox", () => {
  it("lists the newest mail first, filtered by address (normalized) and limited", async () => {
    const email = uniqueEmail("outbox");
    const session = await signup(email);
    for (let i = 0; i < 2; i++) {
      await json(
        await call("/v1/auth/verify-email/resend", { method: "POST", headers: bearer(session.access_token) }),
        202,
      );
    }
    const all = await outbox(email.toUpperCase());
    expect(all).toHaveLength(3);
    expect(all.every((m) => m.to === email)).toBe(true);
    expect(
      [...all].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id)),
    ).toEqual(all);
    expect(Object.keys(all[0] ?? {}).sort()).toEqual(["created_at", "id", "kind", "subject", "text", "to"]);
    expect(await outbox(email, 1)).toEqual([all[0]]);
  });

  it.each([
    ["limit=0", "limit: Too small: expected number to be >=1"],
    ["limit=101", "limit: Too big: expected number to be <=100"],
    ["limit=ten", "limit: Invalid input: expected number, received NaN"],
  ])("answers 400 to %s", async (query, message) => {
    await expectError(await call(`/v1/dev/outbox?${query}`), 400, "BAD_REQUEST", message);
  });

  it("does not exist in production or staging", async () => {
    for (const environment of ["production", "staging"]) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(
        new Request("http://pushbunny.test/v1/dev/outbox"),
        { ...env, ENVIRONMENT: environment },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      await expectError(res, 404, "NOT_FOUND", "no route for GET /v1/dev/outbox");
    }
  });
});

describe("account mail goes through the email transport", () => {
  const stub = (env as unknown as { RESEND_BASE_URL: string }).RESEND_BASE_URL;
  const contextWith = (vars: Partial<Env>) => buildContext({ ...(env as unknown as Env), ...vars }, () => {});

  it("keeps mail in the D1 outbox without RESEND_API_KEY, with its kind and project", async () => {
    const ctx = contextWith({ RESEND_API_KEY: undefined });
    const to = uniqueEmail("outbox");
    const { id } = await mailerFor(ctx).send({
      to,
      subject: "Join",
      text: "Come in",
      kind: "invite",
      projectId: "prj_mailtest",
    });
    const row = await env.DB.prepare(
      'SELECT id, project_id, kind, subject, text FROM mail_outbox WHERE "to" = ?',
    )
      .bind(to)
      .first();
    expect(row).toEqual({ id, project_id: "prj_mailtest", kind: "invite", subject: "Join", text: "Come in" });
  });

  it("sends through Resend from MAIL_FROM, text only, with an idempotency key", async () => {
    const apiKey = `re_stub_ok_${crypto.randomUUID().slice(0, 8)}`;
    const ctx = contextWith({ RESEND_API_KEY: apiKey, MAIL_FROM: "PushBunny <accounts@example.com>" });
    const to = uniqueEmail("resend");
    const { id } = await mailerFor(ctx).send({
      to,
      subject: "Verify",
      text: "Open the link",
      kind: "verify_email",
    });
    const calls = (await (await fetch(`${stub}/__calls/${apiKey}`)).json()) as {
      idempotencyKey: string;
      status: number;
      emails: { from: string; to: string[]; subject: string; text?: string; html?: string }[];
    }[];
    expect(calls).toHaveLength(1);
    expect(calls[0]?.status).toBe(200);
    expect(calls[0]?.idempotencyKey).toBe(`account/${id}`);
    expect(calls[0]?.emails).toEqual([
      expect.objectContaining({
        from: "PushBunny <accounts@example.com>",
        to: [to],
        subject: "Verify",
        text: "Open the link",
      }),
    ]);
    expect(calls[0]?.emails[0]?.html).toBeUndefined();
    const kept = await env.DB.prepare('SELECT COUNT(*) AS n FROM mail_outbox WHERE "to" = ?')
      .bind(to)
      .first("n");
    expect(kept).toBe(0);
  });

  it("answers 503 when the provider refuses, and when MAIL_FROM is missing", async () => {
    const refused = contextWith({
      RESEND_API_KEY: `re_stub_invalid_${crypto.randomUUID().slice(0, 8)}`,
      MAIL_FROM: "a@example.com",
    });
    await expect(
      mailerFor(refused).send({ to: uniqueEmail(), subject: "S", text: "T", kind: "reset_password" }),
    ).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    const unconfigured = contextWith({ RESEND_API_KEY: "re_stub_ok_nofrom", MAIL_FROM: undefined });
    await expect(
      mailerFor(unconfigured).send({ to: uniqueEmail(), subject: "S", text: "T", kind: "invite" }),
    ).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", message: expect.stringContaining("MAIL_FROM") });
  });

  it("with the provider down, sign-up still succeeds and asking for the mail again answers 503, not a 500", async () => {
    // Through the whole Worker, with the environment of a deployment whose provider refuses mail.
    const down = {
      ...(env as unknown as Env),
      RESEND_API_KEY: `re_stub_invalid_${crypto.randomUUID().slice(0, 8)}`,
      MAIL_FROM: "a@example.com",
    };
    const send = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const exec = createExecutionContext();
      const response = await worker.fetch(
        new Request(`http://edge.test${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...newIp(), ...headers },
          body: JSON.stringify(body),
        }),
        down,
        exec,
      );
      await waitOnExecutionContext(exec);
      return response;
    };
    const signedUp = await json<Session>(
      await send("/v1/auth/signup", { email: uniqueEmail("down"), password: PASSWORD }),
      201,
    );
    const again = await send(
      "/v1/auth/verify-email/resend",
      {},
      { authorization: `Bearer ${signedUp.access_token}` },
    );
    expect(again.status).toBe(503);
    expect(again.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("SERVICE_UNAVAILABLE");
  });
});
