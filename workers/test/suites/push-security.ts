import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, json, seedProject } from "../helpers";
import { anonymous, fakeSubscriber, storedSubscription as row } from "../push-helpers";

// The anonymous side of Web Push: identity proofs, public topics, and what a re-post may change
// (the rest is in push-abuse.test.ts).

async function hmacHex(secret: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(message)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("identity verification: user_id only with user_hash", () => {
  it("refuses a user_id when the project has no identity secret, and says so", async () => {
    const { projectId } = await seedProject();
    const fake = await fakeSubscriber();
    await expectError(
      await anonymous(projectId, { endpoint: fake.endpoint, keys: fake.keys, user_id: "victim" }),
      403,
      "FORBIDDEN",
      /no identity secret.*POST \/v1\/push\/identity-secret/,
    );
    // Nothing was stored.
    const n = await env.DB.prepare("SELECT count(*) AS n FROM subscriptions WHERE project_id = ?")
      .bind(projectId)
      .first<{ n: number }>();
    expect(n?.n).toBe(0);
  });

  it("creates the secret through the API (shown once, stored sealed) and accepts only its HMAC", async () => {
    const { apiKey, projectId } = await seedProject();
    const before = await json<{ exists: boolean; created_at: string | null }>(
      await call("/v1/push/identity-secret", { key: apiKey }),
      200,
    );
    expect(before).toEqual({ exists: false, created_at: null, previous_valid_until: null });
    const rotated = await call("/v1/push/identity-secret", { key: apiKey, method: "POST" });
    expect(rotated.headers.get("cache-control")).toBe("no-store");
    const created = await json<{ secret: string; exists: boolean; created_at: string }>(rotated, 200);
    expect(created.secret).toMatch(/^pis_[0-9a-f]{64}$/);
    const shown = await call("/v1/push/identity-secret", { key: apiKey });
    const status = await json<Record<string, unknown>>(shown, 200);
    expect(status).toEqual({ exists: true, created_at: created.created_at, previous_valid_until: null });
    const stored = await env.DB.prepare("SELECT identity_secret FROM push_settings WHERE project_id = ?")
      .bind(projectId)
      .first<{ identity_secret: string }>();
    expect(stored?.identity_secret).toMatch(/^v1\./);
    expect(stored?.identity_secret).not.toContain(created.secret.slice(4, 20));

    const fake = await fakeSubscriber();
    const base = { endpoint: fake.endpoint, keys: fake.keys, user_id: "user-42" };
    await expectError(await anonymous(projectId, base), 403, "FORBIDDEN", /user_id needs user_hash/);
    await expectError(
      await anonymous(projectId, { ...base, user_hash: await hmacHex(created.secret, "user-43") }),
      403,
      "FORBIDDEN",
      /does not prove user_id/,
    );
    await expectError(
      await anonymous(projectId, { ...base, user_hash: await hmacHex("pis_guess", "user-42") }),
      403,
      "FORBIDDEN",
    );
    await expectError(
      await anonymous(projectId, { ...base, user_hash: "zz" }),
      400,
      "BAD_REQUEST",
      /user_hash/,
    );
    const ok = await json<Record<string, unknown>>(
      await anonymous(projectId, { ...base, user_hash: await hmacHex(created.secret, "user-42") }),
      201,
    );
    // A browser sees its id and nothing the tenant stored.
    expect(Object.keys(ok)).toEqual(["subscription_id", "receiving"]);
    expect((await row(String(ok.subscription_id)))?.user_id).toBe("user-42");
    // Upper-case hex is the same proof.
    const other = await fakeSubscriber();
    await json(
      await anonymous(projectId, {
        endpoint: other.endpoint,
        keys: other.keys,
        user_id: "user-42",
        user_hash: (await hmacHex(created.secret, "user-42")).toUpperCase(),
      }),
      201,
    );
  });

  it("keeps the previous secret valid for the grace period after a rotation, then refuses it", async () => {
    const { apiKey, projectId } = await seedProject();
    const first = await json<{ secret: string }>(
      await call("/v1/push/identity-secret", { key: apiKey, method: "POST" }),
      200,
    );
    const second = await json<{ secret: string; previous_valid_until: string }>(
      await call("/v1/push/identity-secret", { key: apiKey, method: "POST" }),
      200,
    );
    expect(second.secret).not.toBe(first.secret);
    const grace = Date.parse(second.previous_valid_until) - Date.now();
    expect(grace).toBeGreaterThan(23 * 3_600_000);
    expect(grace).toBeLessThanOrEqual(24 * 3_600_000);
    const withOld = async () => {
      const fake = await fakeSubscriber();
      return anonymous(projectId, {
        endpoint: fake.endpoint,
        keys: fake.keys,
        user_id: "u-old",
        user_hash: await hmacHex(first.secret, "u-old"),
      });
    };
    await json(await withOld(), 201);
    // The grace period ends.
    await env.DB.prepare(
      "UPDATE push_settings SET previous_identity_secret_expires_at = ? WHERE project_id = ?",
    )
      .bind(Date.now() - 1, projectId)
      .run();
    await expectError(await withOld(), 403, "FORBIDDEN");
    const fake = await fakeSubscriber();
    await json(
      await anonymous(projectId, {
        endpoint: fake.endpoint,
        keys: fake.keys,
        user_id: "u-new",
        user_hash: await hmacHex(second.secret, "u-new"),
      }),
      201,
    );
    expect(
      await json(await call("/v1/push/identity-secret", { key: apiKey }), 200).then(
        (s) => s.previous_valid_until,
      ),
    ).toBeNull();
  });
});

describe("topics a browser may pick", () => {
  it("accepts only the project's public topics, and names the others", async () => {
    const { apiKey, projectId } = await seedProject();
    const fake = await fakeSubscriber();
    const body = { endpoint: fake.endpoint, keys: fake.keys, topics: ["news", "vip", "admin"] };
    const refused = await expectError(await anonymous(projectId, body), 400, "BAD_REQUEST");
    expect(refused.message).toMatch(/not public in this project: news, vip, admin/);
    const settings = await json<{ public_topics: string[] }>(
      await call("/v1/push/settings", {
        key: apiKey,
        method: "PUT",
        body: { public_topics: ["news", "sport"] },
      }),
      200,
    );
    expect(settings.public_topics).toEqual(["news", "sport"]);
    expect(
      (await json<{ public_topics: string[] }>(await call("/v1/push/settings", { key: apiKey }), 200))
        .public_topics,
    ).toEqual(["news", "sport"]);
    await expectError(await anonymous(projectId, body), 400, "BAD_REQUEST", /: vip, admin \(/);
    const ok = await json<{ subscription_id: string }>(
      await anonymous(projectId, { ...body, topics: ["news", "sport", "news"] }),
      201,
    );
    expect(JSON.parse((await row(ok.subscription_id))?.topics ?? "")).toEqual(["news", "sport"]);
    // The API key route is not limited to public topics.
    const api = await fakeSubscriber();
    await json(
      await call("/v1/subscriptions", {
        key: apiKey,
        body: { endpoint: api.endpoint, keys: api.keys, topics: ["vip"] },
      }),
      201,
    );
  });
});

describe("an anonymous re-post never changes what the tenant set", () => {
  it("leaves a subscription the tenant created, disabled or deleted exactly as it is, and reveals nothing", async () => {
    const { apiKey, projectId } = await seedProject();
    await call("/v1/push/settings", { key: apiKey, method: "PUT", body: { public_topics: ["promo"] } });
    const fake = await fakeSubscriber();
    const attacker = await fakeSubscriber();
    const sub = await json<{ subscription_id: string }>(
      await call("/v1/subscriptions", {
        key: apiKey,
        body: { endpoint: fake.endpoint, keys: fake.keys, topics: ["billing"], user_id: "owner-1" },
      }),
      201,
    );
    await json(
      await call(`/v1/subscriptions/${sub.subscription_id}`, {
        key: apiKey,
        method: "PUT",
        body: { enabled: false },
      }),
      200,
    );
    const before = await row(sub.subscription_id);
    const again = await json<Record<string, unknown>>(
      await anonymous(projectId, { endpoint: fake.endpoint, keys: attacker.keys, topics: ["promo"] }),
      200,
    );
    expect(again).toEqual({ subscription_id: sub.subscription_id, receiving: false });
    expect(await row(sub.subscription_id)).toEqual(before);
    expect(before).toMatchObject({
      enabled: 0,
      user_id: "owner-1",
      topics: '["billing"]',
      p256dh: fake.keys.p256dh,
    });

    await call(`/v1/subscriptions/${sub.subscription_id}`, { key: apiKey, method: "DELETE" });
    const deleted = await row(sub.subscription_id);
    const afterDelete = await json<{ receiving: boolean }>(
      await anonymous(projectId, { endpoint: fake.endpoint, keys: fake.keys }),
      200,
    );
    // The page can tell the user the site turned it off, instead of claiming "Subscribed".
    expect(afterDelete.receiving).toBe(false);
    expect(await row(sub.subscription_id)).toEqual(deleted);
    expect(deleted?.deleted_at).not.toBeNull();

    // The API key keeps full control: it revives and re-keys.
    const revived = await json<{ status: string }>(
      await call("/v1/subscriptions", {
        key: apiKey,
        body: { endpoint: fake.endpoint, keys: attacker.keys },
      }),
      200,
    );
    expect(revived.status).toBe("active");
    expect((await row(sub.subscription_id))?.p256dh).toBe(attacker.keys.p256dh);
  });

  it("refreshes keys, public topics and a proven user of a subscription only a browser ever wrote, never its enabled state", async () => {
    const { apiKey, projectId } = await seedProject();
    await call("/v1/push/settings", { key: apiKey, method: "PUT", body: { public_topics: ["a", "b"] } });
    const fake = await fakeSubscriber();
    const renewed = await fakeSubscriber();
    const first = await json<{ subscription_id: string }>(
      await anonymous(projectId, { endpoint: fake.endpoint, keys: fake.keys, topics: ["a"] }),
      201,
    );
    expect((await row(first.subscription_id))?.managed_at).toBeNull();
    const second = await json<{ subscription_id: string }>(
      await anonymous(projectId, { endpoint: fake.endpoint, keys: renewed.keys, topics: ["b"] }),
      200,
    );
    expect(second.subscription_id).toBe(first.subscription_id);
    expect(await row(first.subscription_id)).toMatchObject({
      p256dh: renewed.keys.p256dh,
      auth: renewed.keys.auth,
      topics: '["b"]',
      enabled: 1,
      managed_at: null,
    });
    // A proven user may be added by a re-post too; an unproven one changes nothing.
    const { secret } = await json<{ secret: string }>(
      await call("/v1/push/identity-secret", { key: apiKey, method: "POST" }),
      200,
    );
    const again = { endpoint: fake.endpoint, keys: renewed.keys, user_id: "u-7" };
    await expectError(
      await anonymous(projectId, { ...again, user_hash: await hmacHex(secret, "u-8") }),
      403,
      "FORBIDDEN",
    );
    expect((await row(first.subscription_id))?.user_id).toBeNull();
    await json(await anonymous(projectId, { ...again, user_hash: await hmacHex(secret, "u-7") }), 200);
    expect((await row(first.subscription_id))?.user_id).toBe("u-7");
    // Once the tenant disables it, even a proven re-post changes nothing.
    await call(`/v1/subscriptions/${first.subscription_id}`, {
      key: apiKey,
      method: "PUT",
      body: { enabled: false },
    });
    await json(
      await anonymous(projectId, { ...again, user_id: "u-9", user_hash: await hmacHex(secret, "u-9") }),
      200,
    );
    expect(await row(first.subscription_id)).toMatchObject({ user_id: "u-7", enabled: 0 });
  });
});

describe("a user id is proven exactly as the tenant's backend hashed it", () => {
  it.each([
    ["leading whitespace", " u-1"],
    ["trailing whitespace", "u-1 "],
  ])("refuses a user_id with %s instead of trimming it", async (_, userId) => {
    const { projectId } = await seedProject();
    const fake = await fakeSubscriber();
    await expectError(
      await anonymous(projectId, {
        endpoint: fake.endpoint,
        keys: fake.keys,
        user_id: userId,
        user_hash: "0".repeat(64),
      }),
      400,
      "BAD_REQUEST",
      /user_id: must not start or end with whitespace/,
    );
  });

  it("a new browser subscription says it receives", async () => {
    const { projectId } = await seedProject();
    const fake = await fakeSubscriber();
    const created = await json<{ receiving: boolean }>(
      await anonymous(projectId, { endpoint: fake.endpoint, keys: fake.keys }),
      201,
    );
    expect(created.receiving).toBe(true);
  });
});
