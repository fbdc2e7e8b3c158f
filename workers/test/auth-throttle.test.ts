import { env } from "cloudflare:workers";
import { newId } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import { RateLimitedError } from "../src/errors";
import { buildContext } from "../src/infra/build-context";
import { login } from "../src/services/auth/login";
import { call, expectError, json } from "./helpers";

const PASSWORD = "correct horse battery staple";
const uniqueEmail = (tag = "user") => `${tag}-${newId("usr").slice(4)}@example.com`;
let nextIp = 1;
// Each test gets its own client address, so per-IP counters never span tests.
const newIp = () => ({ "cf-connecting-ip": `203.0.113.${nextIp++}` });

async function signup(email: string) {
  return json<{ user: { user_id: string } }>(
    await call("/v1/auth/signup", { body: { email, password: PASSWORD }, headers: newIp() }),
    201,
  );
}

const loginAs = (email: string, password: string, ip: Record<string, string>) =>
  call("/v1/auth/login", { body: { email, password }, headers: ip });

async function expectLocked(res: Response, message: RegExp) {
  const retryAfter = Number(res.headers.get("retry-after"));
  await expectError(res, 429, "RATE_LIMITED", message);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  return retryAfter;
}

const EMAIL_LOCK =
  /^too many failed sign-in attempts for this email: wait, or reset the password \(POST \/v1\/auth\/password-reset\/request\); retry in \d+ s$/;

const IP_LOCK = /^too many sign-in attempts from this address; retry in \d+ s$/;

describe("login throttling per email", () => {
  it("5 wrong passwords, then every attempt is a 429 with Retry-After, the right password included", async () => {
    const email = uniqueEmail();
    await signup(email);
    const ip = newIp();
    for (let i = 0; i < 5; i++) {
      await expectError(
        await loginAs(email, `wrong password ${i}`, ip),
        401,
        "UNAUTHORIZED",
        "invalid email or password",
      );
    }
    await expectLocked(await loginAs(email, "wrong password 6", ip), EMAIL_LOCK);
    // The lock is per email, not per address: another IP is locked out too.
    await expectLocked(await loginAs(email, PASSWORD, newIp()), EMAIL_LOCK);
    // No session was started by the refused correct password.
    const sessions = await env.DB.prepare(
      "SELECT count(*) AS n FROM session_families f JOIN users u ON u.id = f.user_id WHERE u.email = ?",
    )
      .bind(email)
      .first<{ n: number }>();
    expect(sessions?.n).toBe(1);
  });

  it("an unknown email locks the same way, with the same answers", async () => {
    const email = uniqueEmail("nobody");
    const ip = newIp();
    for (let i = 0; i < 5; i++) {
      await expectError(
        await loginAs(email, "some password", ip),
        401,
        "UNAUTHORIZED",
        "invalid email or password",
      );
    }
    await expectLocked(await loginAs(email, "some password", ip), EMAIL_LOCK);
  });

  it("the address is keyed normalized: case and spaces do not give five more tries", async () => {
    const email = uniqueEmail("case");
    await signup(email);
    const ip = newIp();
    for (const variant of [email, email.toUpperCase(), ` ${email}`, `${email} `, email]) {
      await expectError(await loginAs(variant, "wrong password", ip), 401, "UNAUTHORIZED");
    }
    await expectLocked(await loginAs(email.toUpperCase(), PASSWORD, ip), EMAIL_LOCK);
  });

  it("a success clears the email's failures", async () => {
    const email = uniqueEmail();
    await signup(email);
    const ip = newIp();
    for (let i = 0; i < 4; i++)
      await expectError(await loginAs(email, "wrong password", ip), 401, "UNAUTHORIZED");
    await json(await loginAs(email, PASSWORD, ip), 200);
    for (let i = 0; i < 5; i++)
      await expectError(await loginAs(email, "wrong password", ip), 401, "UNAUTHORIZED");
    await expectLocked(await loginAs(email, PASSWORD, ip), EMAIL_LOCK);
  });

  it("many concurrent guesses for one email get at most 5 password checks", async () => {
    const email = uniqueEmail("burst");
    await signup(email);
    const ip = newIp();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => loginAs(email, `guess number ${i}`, ip)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(7);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it("the lock lifts when the 15-minute window has passed", async () => {
    const email = uniqueEmail("later");
    await signup(email);
    const ctx = buildContext(env, () => {});
    const ip = `203.0.113.${nextIp++}`;
    for (let i = 0; i < 5; i++) {
      await expect(login({ ctx, input: { email, password: "wrong password", ip } })).rejects.toThrow(
        "invalid email or password",
      );
    }
    await expect(login({ ctx, input: { email, password: PASSWORD, ip } })).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    const later = { ...ctx, now: () => Date.now() + 15 * 60_000 + 1_000 };
    const { user } = await login({ ctx: later, input: { email, password: PASSWORD, ip } });
    expect(user.email).toBe(email);
  });
});

describe("login throttling per address", () => {
  it("every attempt counts, a success included: after 50 in 15 minutes the address is locked for known and unknown emails alike", async () => {
    const ip = newIp();
    const known = uniqueEmail("known");
    await signup(known);
    await json(await loginAs(known, PASSWORD, ip), 200);
    for (let i = 0; i < 49; i++) {
      await expectError(
        await loginAs(uniqueEmail(`spray${i}`), "some password", ip),
        401,
        "UNAUTHORIZED",
        "invalid email or password",
      );
    }
    await expectLocked(await loginAs(uniqueEmail("next"), "some password", ip), IP_LOCK);
    await expectLocked(await loginAs(known, PASSWORD, ip), IP_LOCK);
    // Another address is unaffected.
    await json(await loginAs(known, PASSWORD, newIp()), 200);
  });

  it("a parallel spray across many emails is cut at the bound", async () => {
    const ip = newIp();
    const results = await Promise.all(
      Array.from({ length: 70 }, (_, i) => loginAs(uniqueEmail(`parallel${i}`), "some password", ip)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    for (const res of results.filter((r) => r.status === 429)) await expectLocked(res, IP_LOCK);
  });

  it("IPv6 addresses in one /64 share the counter; the next /64 has its own", async () => {
    // One subscriber line holds a whole /64: however the addresses are spelled, one counter.
    const inPrefix = (i: number) =>
      i % 2 === 0 ? `2001:db8:5:a::${(i + 1).toString(16)}` : `2001:0DB8:0005:000A:${i.toString(16)}:0:0:1`;
    for (let i = 0; i < 50; i++) {
      await expectError(
        await loginAs(uniqueEmail(`v6-${i}`), "some password", { "cf-connecting-ip": inPrefix(i) }),
        401,
        "UNAUTHORIZED",
      );
    }
    await expectLocked(
      await loginAs(uniqueEmail("v6-next"), "some password", {
        "cf-connecting-ip": "2001:db8:5:a:ffff:ffff:ffff:ffff",
      }),
      IP_LOCK,
    );
    await expectError(
      await loginAs(uniqueEmail("v6-other"), "some password", { "cf-connecting-ip": "2001:db8:5:b::1" }),
      401,
      "UNAUTHORIZED",
    );
  });
});

describe("signup throttling per address", () => {
  it("20 signups per hour from one address, new and taken emails alike; then 429 with Retry-After and nothing created", async () => {
    const taken = uniqueEmail("taken");
    await signup(taken);
    const ip = { "cf-connecting-ip": "2001:db8:6:1::1" };
    for (let i = 0; i < 10; i++) {
      await json(
        await call("/v1/auth/signup", {
          body: { email: uniqueEmail(`new${i}`), password: PASSWORD },
          headers: ip,
        }),
        201,
      );
      await expectError(
        await call("/v1/auth/signup", { body: { email: taken, password: PASSWORD }, headers: ip }),
        409,
        "CONFLICT",
      );
    }
    // The 409 for a taken address stops answering too, so accounts cannot be enumerated at scale;
    // another address in the same /64 shares the count.
    for (const email of [taken, uniqueEmail("late")]) {
      const res = await call("/v1/auth/signup", {
        body: { email, password: PASSWORD },
        headers: { "cf-connecting-ip": "2001:db8:6:1:ab::9" },
      });
      const retryAfter = Number(res.headers.get("retry-after"));
      await expectError(res, 429, "RATE_LIMITED", /^too many signups from this address; retry in \d+ s$/);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      if (email !== taken) {
        const row = await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first();
        expect(row).toBeNull();
      }
    }
    // Bad input is a 400 that spends nothing, and another address signs up as usual.
    await expectError(
      await call("/v1/auth/signup", { body: { email: "not-an-email", password: PASSWORD }, headers: ip }),
      400,
      "BAD_REQUEST",
    );
    await signup(uniqueEmail("elsewhere"));
  });
});

describe("password reset requests are throttled without revealing accounts", () => {
  it("3 per email per hour, then 429 for known and unknown emails alike", async () => {
    const known = uniqueEmail("reset");
    await signup(known);
    const unknown = uniqueEmail("ghost");
    for (const email of [known, unknown]) {
      for (let i = 0; i < 3; i++) {
        const res = await call("/v1/auth/password-reset/request", { body: { email }, headers: newIp() });
        expect(await json(res, 202)).toEqual({ ok: true });
      }
      const res = await call("/v1/auth/password-reset/request", { body: { email }, headers: newIp() });
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      await expectError(
        res,
        429,
        "RATE_LIMITED",
        /^too many reset mails asked for this email; check your inbox and spam folder; retry in \d+ s$/,
      );
    }
  });

  it("10 per address per 15 minutes, an IPv6 client's whole /64 counting as one", async () => {
    const ip = (i: number) => ({ "cf-connecting-ip": `2001:db8:7:c:${i.toString(16)}::1` });
    for (let i = 0; i < 10; i++) {
      await json(
        await call("/v1/auth/password-reset/request", { body: { email: uniqueEmail() }, headers: ip(i) }),
        202,
      );
    }
    await expectError(
      await call("/v1/auth/password-reset/request", { body: { email: uniqueEmail() }, headers: ip(10) }),
      429,
      "RATE_LIMITED",
      /^too many reset requests from this address; retry in \d+ s$/,
    );
  });
});
