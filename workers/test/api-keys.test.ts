import { env } from "cloudflare:workers";
import { newId, sha256Hex } from "@pushbunny/core";
import { insertApiKey } from "@pushbunny/db";
import { describe, expect, it } from "vitest";
import { ForbiddenError } from "../src/errors";
import { buildContext } from "../src/infra/build-context";
import { createApiKey } from "../src/services/api-keys/create-api-key";
import { MAX_LIVE_KEYS } from "../src/services/api-keys/lib/api-key";
import { call, db, expectError, json, seedMember, seedProject } from "./helpers";

interface KeyView {
  key_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  mode: "live" | "test";
  status: "active" | "expired" | "revoked";
  created_at: string;
  created_by: string | null;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  rolled_to: string | null;
}
interface Issued extends KeyView {
  key: string;
}

const keysOf = (projectId: string) => `/v1/projects/${projectId}/api-keys`;

async function create(projectId: string, key: string, body: Record<string, unknown>) {
  return json<Issued>(await call(keysOf(projectId), { key, body }), 201);
}

async function rowOf(keyId: string) {
  return env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(keyId).first<Record<string, unknown>>();
}

/** A key of the project with exactly these scopes and mode, made directly in D1. */
async function keyWith(projectId: string, scopes: string, mode = "live", expiresAt: number | null = null) {
  const apiKey = `pb_${mode}_${newId("key").slice(4)}`;
  const id = newId("key");
  await insertApiKey(db, {
    id,
    projectId,
    name: `${scopes} key`,
    prefix: apiKey.slice(0, 12),
    digest: await sha256Hex(apiKey),
    now: Date.now(),
    scopes,
    mode,
    expiresAt,
  });
  return { apiKey, id };
}

/** `n` working keys made directly in D1 (bulk, for the cap). */
async function manyKeys(projectId: string, n: number) {
  const insert = env.DB.prepare(
    "INSERT INTO api_keys (id, project_id, name, prefix, digest, created_at) VALUES (?, ?, 'bulk', 'pb_live_bulk', ?, ?)",
  );
  await env.DB.batch(
    Array.from({ length: n }, () =>
      insert.bind(newId("key"), projectId, `digest_${newId("key")}`, Date.now()),
    ),
  );
}

async function liveCount(projectId: string) {
  const row = await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM api_keys WHERE project_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
  )
    .bind(projectId, Date.now())
    .first<{ n: number }>();
  return row?.n;
}

const TEST_RULE = "test-mode keys carry the message and read scopes only";
const hour = 3_600_000;

describe("creating API keys", () => {
  it("shows the secret once, stores only its SHA-256, and the new key works at once", async () => {
    const { projectId, apiKey } = await seedProject();
    const issued = await create(projectId, apiKey, { name: "  iOS app  " });
    expect(issued).toMatchObject({
      name: "iOS app",
      scopes: ["message"],
      mode: "live",
      status: "active",
      last_used_at: null,
      expires_at: null,
      revoked_at: null,
      rolled_to: null,
      created_by: `api_key:${apiKey.slice(0, 12)}…`,
    });
    expect(issued.key_id).toMatch(/^key_[0-9a-f]{20}$/);
    expect(issued.key).toMatch(/^pb_live_[0-9a-f]{64}$/);
    expect(issued.prefix).toBe(issued.key.slice(0, 12));
    expect(Date.parse(issued.created_at)).toBeGreaterThan(Date.now() - 60_000);

    const row = await rowOf(issued.key_id);
    expect(row).toMatchObject({ project_id: projectId, digest: await sha256Hex(issued.key), mode: "live" });
    expect(JSON.stringify(row)).not.toContain(issued.key.slice(12));

    // Read back anywhere, the secret is gone.
    const got = await json<KeyView>(
      await call(`${keysOf(projectId)}/${issued.key_id}`, { key: apiKey }),
      200,
    );
    expect(got).not.toHaveProperty("key");
    expect(JSON.stringify(got)).not.toContain(issued.key.slice(12));
    const list = await json<{ api_keys: KeyView[] }>(await call(keysOf(projectId), { key: apiKey }), 200);
    expect(JSON.stringify(list)).not.toContain(issued.key.slice(12));

    // A message-scoped key sends messages and is refused management.
    await json(
      await call("/v1/message", { key: issued.key, body: { intent_id: "k", base_example: "Hi" } }),
      200,
    );
    await expectError(
      await call(keysOf(projectId), { key: issued.key }),
      403,
      "FORBIDDEN",
      "this API key lacks the 'admin' scope needed for managing the project",
    );
  });

  it("takes scopes, test mode and an expiry; scopes come back in canonical order", async () => {
    const { projectId, apiKey } = await seedProject();
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const issued = await create(projectId, apiKey, {
      name: "staging",
      scopes: ["read", "message", "read"],
      mode: "test",
      expires_at: expires,
    });
    expect(issued).toMatchObject({ scopes: ["message", "read"], mode: "test", expires_at: expires });
    expect(issued.key).toMatch(/^pb_test_[0-9a-f]{64}$/);
    expect(await rowOf(issued.key_id)).toMatchObject({ scopes: "message,read", mode: "test" });
    // The read scope reads.
    await json(await call("/v1/experiments", { key: issued.key }), 200);
  });

  it.each([
    ["no name", {}, "name: required"],
    ["an empty name", { name: "   " }, "name: must not be empty"],
    ["a long name", { name: "x".repeat(101) }, "name: Too big: expected string to have <=100 characters"],
    ["a name with a control character", { name: "a\u0007b" }, "name: must not contain control characters"],
    [
      "a name with a lone surrogate",
      { name: "a\ud800b" },
      "name: must be valid Unicode (a lone surrogate such as \\ud800 is not)",
    ],
    ["an unknown scope", { name: "k", scopes: ["owner"] }, /^scopes\.0: Invalid option/],
    ["no scopes", { name: "k", scopes: [] }, "scopes: name at least one scope"],
    ["an unknown mode", { name: "k", mode: "dev" }, /^mode: Invalid option/],
    ["an unknown field", { name: "k", secret: "mine" }, /Unrecognized key: "secret"/],
    ["seconds for an instant", { name: "k", expires_at: 1_900_000_000 }, /expires_at/],
    [
      "an expiry in the past",
      { name: "k", expires_at: "2020-01-01T00:00:00Z" },
      "expires_at: must be in the future",
    ],
  ])("refuses %s with a 400", async (_, body, message) => {
    const { projectId, apiKey } = await seedProject();
    await expectError(await call(keysOf(projectId), { key: apiKey, body }), 400, "BAD_REQUEST", message);
  });

  it("a test-mode key never carries admin: asking for it is a 400", async () => {
    const { projectId, apiKey } = await seedProject();
    for (const scopes of [["admin"], ["message", "read", "admin"]]) {
      await expectError(
        await call(keysOf(projectId), { key: apiKey, body: { name: "ci", scopes, mode: "test" } }),
        400,
        "BAD_REQUEST",
        `scopes: ${TEST_RULE} (leave out admin, or create a live key)`,
      );
    }
    const { results } = await env.DB.prepare("SELECT id FROM api_keys WHERE project_id = ? AND name = 'ci'")
      .bind(projectId)
      .all();
    expect(results).toHaveLength(0);
    // message and read are fine, and a live key may still hold admin.
    await create(projectId, apiKey, { name: "ci", scopes: ["message", "read"], mode: "test" });
    await create(projectId, apiKey, { name: "ops", scopes: ["admin"], mode: "live" });
  });

  it("a test-mode key stored with admin before the rule acts without it, and cannot be rolled", async () => {
    const { projectId, apiKey } = await seedProject();
    const legacy = await keyWith(projectId, "message,read,admin", "test");
    // Sends and reads.
    await json(
      await call("/v1/message", { key: legacy.apiKey, body: { intent_id: "t", base_example: "Hi" } }),
      200,
    );
    await json(await call("/v1/experiments", { key: legacy.apiKey }), 200);
    // Never writes or manages: not keys, not invites (the way from a leaked key to a human admin).
    for (const [method, path, body, words] of [
      ["GET", keysOf(projectId), undefined, "managing the project"],
      ["POST", keysOf(projectId), { name: "child", mode: "test" }, "managing the project"],
      [
        "POST",
        `/v1/projects/${projectId}/invites`,
        { email: "me@evil.example", role: "admin" },
        "managing the project",
      ],
      [
        "DELETE",
        "/v1/notifications/ntf_00000000000000000000",
        undefined,
        "changing the project's experiments, notifications and settings",
      ],
    ] as const) {
      await expectError(
        await call(path, { method, key: legacy.apiKey, body }),
        403,
        "FORBIDDEN",
        `${TEST_RULE}: ${words} needs a live key or a person's session`,
      );
    }
    const invites = await env.DB.prepare("SELECT COUNT(*) AS n FROM invites WHERE project_id = ?")
      .bind(projectId)
      .first<{ n: number }>();
    expect(invites?.n).toBe(0);
    // Rolling it would issue a new test key with admin.
    await expectError(
      await call(`${keysOf(projectId)}/${legacy.id}/roll`, { key: apiKey, body: {} }),
      400,
      "BAD_REQUEST",
      `${TEST_RULE} (this key has admin: create a test key without it, or a live key)`,
    );
    expect(await rowOf(legacy.id)).toMatchObject({ rolled_to: null, expires_at: null });
  });

  it("the verbs refuse a test-mode caller on live keys too, whatever reaches them", async () => {
    const { projectId } = await seedProject();
    const testKey = await keyWith(projectId, "message,read", "test");
    const ctx = buildContext(env, () => {});
    await expect(
      createApiKey({ ctx, projectId, actor: "api_key:x…", callerKeyId: testKey.id, input: { name: "prod" } }),
    ).rejects.toEqual(
      new ForbiddenError("a test-mode key can only manage test-mode keys: use a live key or sign in"),
    );
  });
});

describe("what a key may issue", () => {
  it("an API key issues only scopes it holds (403 naming the missing ones); a person is not limited", async () => {
    const { projectId } = await seedProject();
    const adminOnly = await keyWith(projectId, "admin");
    for (const [scopes, missing] of [
      [undefined, "'message'"],
      [["message"], "'message'"],
      [["read", "message", "admin"], "'message', 'read'"],
    ] as const) {
      await expectError(
        await call(keysOf(projectId), { key: adminOnly.apiKey, body: { name: "wider", scopes } }),
        403,
        "FORBIDDEN",
        `an API key can only issue keys with scopes it holds itself: this one lacks ${missing}`,
      );
    }
    expect(await create(projectId, adminOnly.apiKey, { name: "same", scopes: ["admin"] })).toMatchObject({
      scopes: ["admin"],
      expires_at: null,
    });
    // Nor can it roll a key that holds more than it does.
    const sdk = await keyWith(projectId, "message");
    await expectError(
      await call(`${keysOf(projectId)}/${sdk.id}/roll`, { key: adminOnly.apiKey, body: {} }),
      403,
      "FORBIDDEN",
      "an API key can only issue keys with scopes it holds itself: this one lacks 'message'",
    );
    expect(await rowOf(sdk.id)).toMatchObject({ rolled_to: null });

    const admin = await seedMember(projectId, "admin");
    expect(
      await create(projectId, admin.accessToken, { name: "person", scopes: ["message", "read", "admin"] }),
    ).toMatchObject({ scopes: ["message", "read", "admin"], expires_at: null });
  });

  it("a key with an expiry never issues one that outlives it: the default is its own, later is a 400", async () => {
    const { projectId } = await seedProject();
    const callerExpires = Date.now() + hour;
    const iso = new Date(callerExpires).toISOString();
    const caller = await keyWith(projectId, "message,read,admin", "live", callerExpires);

    expect(await create(projectId, caller.apiKey, { name: "defaulted" })).toMatchObject({ expires_at: iso });
    const sooner = new Date(callerExpires - 60_000).toISOString();
    expect(await create(projectId, caller.apiKey, { name: "sooner", expires_at: sooner })).toMatchObject({
      expires_at: sooner,
    });
    expect(await create(projectId, caller.apiKey, { name: "same", expires_at: iso })).toMatchObject({
      expires_at: iso,
    });
    const message = `expires_at: must be no later than the calling API key's own expiry (${iso})`;
    for (const expires_at of [null, new Date(callerExpires + 1).toISOString(), "2099-01-01T00:00:00Z"]) {
      await expectError(
        await call(keysOf(projectId), { key: caller.apiKey, body: { name: "longer", expires_at } }),
        400,
        "BAD_REQUEST",
        message,
      );
    }
    const { results } = await env.DB.prepare(
      "SELECT id FROM api_keys WHERE project_id = ? AND name = 'longer'",
    )
      .bind(projectId)
      .all();
    expect(results).toHaveLength(0);

    // It cannot extend itself, or push another key's expiry past its own.
    const self = `${keysOf(projectId)}/${caller.id}`;
    for (const expires_at of [null, "2099-01-01T00:00:00Z"]) {
      await expectError(
        await call(self, { method: "PATCH", key: caller.apiKey, body: { expires_at } }),
        400,
        "BAD_REQUEST",
        message,
      );
    }
    expect(Number((await rowOf(caller.id))?.expires_at)).toBe(callerExpires);
    const other = await keyWith(projectId, "message", "live", callerExpires - 10 * 60_000);
    await expectError(
      await call(`${keysOf(projectId)}/${other.id}`, {
        method: "PATCH",
        key: caller.apiKey,
        body: { expires_at: "2099-01-01T00:00:00Z" },
      }),
      400,
      "BAD_REQUEST",
      message,
    );
    // Sooner is always allowed; later up to its own expiry too.
    await json(
      await call(`${keysOf(projectId)}/${other.id}`, {
        method: "PATCH",
        key: caller.apiKey,
        body: { expires_at: iso },
      }),
      200,
    );
    const forever = await keyWith(projectId, "message");
    await json(
      await call(`${keysOf(projectId)}/${forever.id}`, {
        method: "PATCH",
        key: caller.apiKey,
        body: { expires_at: "2099-01-01T00:00:00Z" },
      }),
      200,
    );

    // Rolling a never-expiring key hands out a secret that ends with the caller.
    const sdk = await keyWith(projectId, "message");
    const rolled = await json<Issued>(
      await call(`${keysOf(projectId)}/${sdk.id}/roll`, { key: caller.apiKey, body: {} }),
      201,
    );
    expect(rolled.expires_at).toBe(iso);
  });
});

describe("the cap on working keys", () => {
  it(`allows ${MAX_LIVE_KEYS} working keys; revoked and expired ones do not count`, async () => {
    const { projectId, apiKey } = await seedProject();
    await manyKeys(projectId, MAX_LIVE_KEYS - 2);
    const last = await create(projectId, apiKey, { name: "the 200th" });
    expect(await liveCount(projectId)).toBe(MAX_LIVE_KEYS);
    const message = `this project already has ${MAX_LIVE_KEYS} working API keys, the most it may have: revoke keys it no longer uses`;
    await expectError(
      await call(keysOf(projectId), { key: apiKey, body: { name: "one more" } }),
      409,
      "CONFLICT",
      message,
    );
    const admin = await seedMember(projectId, "owner");
    await expectError(
      await call(keysOf(projectId), { key: admin.accessToken, body: { name: "one more" } }),
      409,
      "CONFLICT",
      message,
    );
    expect(await liveCount(projectId)).toBe(MAX_LIVE_KEYS);

    // A roll with a grace would make 201 working keys for a while; without one it swaps.
    await expectError(
      await call(`${keysOf(projectId)}/${last.key_id}/roll`, { key: apiKey, body: {} }),
      409,
      "CONFLICT",
      `${message}, or roll with grace_seconds 0`,
    );
    const rolled = await json<Issued>(
      await call(`${keysOf(projectId)}/${last.key_id}/roll`, { key: apiKey, body: { grace_seconds: 0 } }),
      201,
    );
    expect(await liveCount(projectId)).toBe(MAX_LIVE_KEYS);

    // Revoking and expiring free slots.
    await json(await call(`${keysOf(projectId)}/${rolled.key_id}`, { method: "DELETE", key: apiKey }), 200);
    const again = await create(projectId, apiKey, { name: "in the freed slot" });
    await json(
      await call(`${keysOf(projectId)}/${again.key_id}`, {
        method: "PATCH",
        key: apiKey,
        body: { expires_at: "2001-01-01T00:00:00Z" },
      }),
      200,
    );
    await create(projectId, apiKey, { name: "in the expired one's slot" });
    expect(await liveCount(projectId)).toBe(MAX_LIVE_KEYS);
  });

  it("two creates racing for the last slot: exactly one wins", async () => {
    const { projectId, apiKey } = await seedProject();
    await manyKeys(projectId, MAX_LIVE_KEYS - 2);
    const results = await Promise.all(
      ["racer a", "racer b"].map((name) => call(keysOf(projectId), { key: apiKey, body: { name } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await liveCount(projectId)).toBe(MAX_LIVE_KEYS);
    const { results: racers } = await env.DB.prepare(
      "SELECT id FROM api_keys WHERE project_id = ? AND name LIKE 'racer %'",
    )
      .bind(projectId)
      .all();
    expect(racers).toHaveLength(1);
  });
});

describe("who may manage keys", () => {
  it("admins and owners may; members, viewers and keys without the admin scope get 403", async () => {
    const { projectId } = await seedProject();
    const owner = await seedMember(projectId, "owner");
    const admin = await seedMember(projectId, "admin");
    const member = await seedMember(projectId, "member");
    const viewer = await seedMember(projectId, "viewer");
    const readKey = await keyWith(projectId, "read,message");

    const byOwner = await create(projectId, owner.accessToken, { name: "by owner" });
    expect(byOwner.created_by).toBe(`user:${owner.userId}`);
    const byAdmin = await create(projectId, admin.accessToken, { name: "by admin" });
    expect(byAdmin.created_by).toBe(`user:${admin.userId}`);

    for (const [who, token, message] of [
      ["member", member.accessToken, "your role 'member' does not allow managing the project"],
      ["viewer", viewer.accessToken, "your role 'viewer' does not allow managing the project"],
      ["read key", readKey.apiKey, "this API key lacks the 'admin' scope needed for managing the project"],
    ] as const) {
      for (const [method, path, body] of [
        ["GET", keysOf(projectId), undefined],
        ["POST", keysOf(projectId), { name: who }],
        ["GET", `${keysOf(projectId)}/${byOwner.key_id}`, undefined],
        ["PATCH", `${keysOf(projectId)}/${byOwner.key_id}`, { name: who }],
        ["DELETE", `${keysOf(projectId)}/${byOwner.key_id}`, undefined],
        ["POST", `${keysOf(projectId)}/${byOwner.key_id}/roll`, {}],
      ] as const) {
        await expectError(await call(path, { method, key: token, body }), 403, "FORBIDDEN", message);
      }
    }
    expect(await rowOf(byOwner.key_id)).toMatchObject({
      name: "by owner",
      revoked_at: null,
      rolled_to: null,
    });
  });

  it("another project's key, session or key ids find nothing (404) and change nothing", async () => {
    const victim = await seedProject();
    const attacker = await seedProject();
    const outsider = await seedMember(attacker.projectId, "owner");
    const target = await create(victim.projectId, victim.apiKey, { name: "victim key" });
    const path = `${keysOf(victim.projectId)}/${target.key_id}`;

    for (const credential of [attacker.apiKey, outsider.accessToken]) {
      for (const [method, p, body] of [
        ["GET", keysOf(victim.projectId), undefined],
        ["POST", keysOf(victim.projectId), { name: "planted" }],
        ["GET", path, undefined],
        ["PATCH", path, { name: "stolen" }],
        ["DELETE", path, undefined],
        ["POST", `${path}/roll`, {}],
      ] as const) {
        await expectError(
          await call(p, { method, key: credential, body }),
          404,
          "NOT_FOUND",
          "project not found",
        );
      }
    }
    // The victim's key id under the attacker's own project: not found either.
    for (const [method, p, body] of [
      ["GET", `${keysOf(attacker.projectId)}/${target.key_id}`, undefined],
      ["PATCH", `${keysOf(attacker.projectId)}/${target.key_id}`, { name: "stolen" }],
      ["DELETE", `${keysOf(attacker.projectId)}/${target.key_id}`, undefined],
      ["POST", `${keysOf(attacker.projectId)}/${target.key_id}/roll`, {}],
    ] as const) {
      await expectError(
        await call(p, { method, key: attacker.apiKey, body }),
        404,
        "NOT_FOUND",
        `API key '${target.key_id}' not found`,
      );
    }
    const list = await json<{ api_keys: KeyView[] }>(
      await call(keysOf(attacker.projectId), { key: attacker.apiKey }),
      200,
    );
    expect(list.api_keys.map((k) => k.key_id)).not.toContain(target.key_id);
    expect(await rowOf(target.key_id)).toMatchObject({
      name: "victim key",
      revoked_at: null,
      rolled_to: null,
    });
  });
});

describe("listing keys", () => {
  it("pages newest first with a cursor and shows every lifecycle field", async () => {
    const { projectId, apiKey } = await seedProject();
    const made: Issued[] = [];
    for (const name of ["one", "two", "three", "four", "five"])
      made.push(await create(projectId, apiKey, { name }));
    await json(await call(`${keysOf(projectId)}/${made[0]?.key_id}`, { method: "DELETE", key: apiKey }), 200);

    const seen: KeyView[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const page: { api_keys: KeyView[]; next_cursor: string | null } = await json(
        await call(`${keysOf(projectId)}${q}`, { key: apiKey }),
        200,
      );
      expect(page.api_keys.length).toBeLessThanOrEqual(2);
      seen.push(...page.api_keys);
      cursor = page.next_cursor;
    } while (cursor);
    // The five made here and the seeded key, each once, newest first.
    expect(seen).toHaveLength(6);
    expect(new Set(seen.map((k) => k.key_id)).size).toBe(6);
    const created = seen.map((k) => Date.parse(k.created_at));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    const revoked = seen.find((k) => k.key_id === made[0]?.key_id);
    expect(revoked).toMatchObject({ status: "revoked", name: "one" });
    expect(revoked?.revoked_at).not.toBeNull();
    for (const k of seen) {
      expect(Object.keys(k).sort()).toEqual(
        [
          "created_at",
          "created_by",
          "expires_at",
          "key_id",
          "last_used_at",
          "login_user_id",
          "mode",
          "name",
          "prefix",
          "revoked_at",
          "rolled_to",
          "scopes",
          "status",
        ].sort(),
      );
    }
  });

  it.each([
    [
      "a cursor it did not issue",
      "?cursor=abc",
      "cursor: is not one this endpoint returned: pass next_cursor back as is",
    ],
    ["a limit of 0", "?limit=0", /^limit: Too small/],
    ["a limit of 101", "?limit=101", /^limit: Too big/],
  ])("refuses %s with a 400", async (_, q, message) => {
    const { projectId, apiKey } = await seedProject();
    await expectError(await call(`${keysOf(projectId)}${q}`, { key: apiKey }), 400, "BAD_REQUEST", message);
  });

  it("answers 404 for a key id that does not exist", async () => {
    const { projectId, apiKey } = await seedProject();
    await expectError(
      await call(`${keysOf(projectId)}/key_00000000000000000000`, { key: apiKey }),
      404,
      "NOT_FOUND",
      "API key 'key_00000000000000000000' not found",
    );
  });
});

describe("renaming and expiring keys", () => {
  it("renames, sets and clears an expiry, and expiring in the past means now", async () => {
    const { projectId, apiKey } = await seedProject();
    const k = await create(projectId, apiKey, { name: "old name" });
    const path = `${keysOf(projectId)}/${k.key_id}`;
    const renamed = await json<KeyView>(
      await call(path, { method: "PATCH", key: apiKey, body: { name: "new name" } }),
      200,
    );
    expect(renamed).toMatchObject({ name: "new name", expires_at: null, status: "active" });
    expect(await rowOf(k.key_id)).toMatchObject({ name: "new name" });

    const later = "2099-01-01T00:00:00.000Z";
    expect(
      await json<KeyView>(
        await call(path, { method: "PATCH", key: apiKey, body: { expires_at: later } }),
        200,
      ),
    ).toMatchObject({ expires_at: later, status: "active" });
    expect(
      await json<KeyView>(
        await call(path, { method: "PATCH", key: apiKey, body: { expires_at: null } }),
        200,
      ),
    ).toMatchObject({ expires_at: null });

    const before = Date.now();
    const expired = await json<KeyView>(
      await call(path, { method: "PATCH", key: apiKey, body: { expires_at: "2001-01-01T00:00:00Z" } }),
      200,
    );
    expect(expired.status).toBe("expired");
    expect(Date.parse(expired.expires_at ?? "")).toBeGreaterThanOrEqual(before);
    // Refused at once on this edge.
    await expectError(
      await call("/v1/message", { key: k.key, body: { intent_id: "x", base_example: "Hi" } }),
      401,
      "UNAUTHORIZED",
      "API key expired",
    );
    // Expired stays expired.
    await expectError(
      await call(path, { method: "PATCH", key: apiKey, body: { expires_at: null } }),
      409,
      "CONFLICT",
      `API key '${k.key_id}' is expired: its expiry cannot change (create a new key instead)`,
    );
    // A rename still works.
    await json(await call(path, { method: "PATCH", key: apiKey, body: { name: "retired" } }), 200);
  });

  it.each([
    ["an empty body", {}, "(body): send name or expires_at to change"],
    ["an unknown field", { scopes: ["admin"] }, /Unrecognized key: "scopes"/],
    ["an empty name", { name: "" }, "name: must not be empty"],
    ["a bad instant", { expires_at: "tomorrow" }, /^expires_at: /],
  ])("refuses %s with a 400", async (_, body, message) => {
    const { projectId, apiKey } = await seedProject();
    const k = await create(projectId, apiKey, { name: "k" });
    await expectError(
      await call(`${keysOf(projectId)}/${k.key_id}`, { method: "PATCH", key: apiKey, body }),
      400,
      "BAD_REQUEST",
      message,
    );
  });
});

describe("revoking keys", () => {
  it("revokes once, answers the same key again, and the key is refused at once", async () => {
    const { projectId, apiKey } = await seedProject();
    const k = await create(projectId, apiKey, { name: "doomed" });
    const path = `${keysOf(projectId)}/${k.key_id}`;
    const body = { intent_id: "r", base_example: "Hi" };
    await json(await call("/v1/message", { key: k.key, body }), 200);

    const first = await json<KeyView>(await call(path, { method: "DELETE", key: apiKey }), 200);
    expect(first).toMatchObject({ key_id: k.key_id, status: "revoked" });
    expect(first.revoked_at).not.toBeNull();
    const again = await json<KeyView>(await call(path, { method: "DELETE", key: apiKey }), 200);
    expect(again.revoked_at).toBe(first.revoked_at);

    await expectError(
      await call("/v1/message", { key: k.key, body }),
      401,
      "UNAUTHORIZED",
      "API key revoked",
    );
    await expectError(
      await call(path, { method: "PATCH", key: apiKey, body: { expires_at: "2099-01-01T00:00:00Z" } }),
      409,
      "CONFLICT",
      `API key '${k.key_id}' is revoked: its expiry cannot change (create a new key instead)`,
    );
    const audit = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM audit_log WHERE project_id = ? AND action = 'api_key.revoked' AND target_id = ?",
    )
      .bind(projectId, k.key_id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(1);
  });

  it("a key may revoke itself", async () => {
    const { projectId } = await seedProject();
    const self = await keyWith(projectId, "admin");
    await json(await call(`${keysOf(projectId)}/${self.id}`, { method: "DELETE", key: self.apiKey }), 200);
    await expectError(
      await call(keysOf(projectId), { key: self.apiKey }),
      401,
      "UNAUTHORIZED",
      "API key revoked",
    );
  });
});

describe("rolling keys", () => {
  it("issues a new secret with the same name, scopes and mode; the old one works through its grace", async () => {
    const { projectId, apiKey } = await seedProject();
    const old = await create(projectId, apiKey, {
      name: "server",
      scopes: ["message", "read"],
      mode: "test",
    });
    const before = Date.now();
    const rolled = await json<Issued>(
      await call(`${keysOf(projectId)}/${old.key_id}/roll`, { key: apiKey, body: { grace_seconds: 3_600 } }),
      201,
    );
    expect(rolled).toMatchObject({
      name: "server",
      scopes: ["message", "read"],
      mode: "test",
      status: "active",
      expires_at: null,
    });
    expect(rolled.key_id).not.toBe(old.key_id);
    expect(rolled.key).toMatch(/^pb_test_[0-9a-f]{64}$/);
    const oldNow = await json<KeyView>(
      await call(`${keysOf(projectId)}/${old.key_id}`, { key: apiKey }),
      200,
    );
    expect(oldNow).toMatchObject({ rolled_to: rolled.key_id, status: "active" });
    const expires = Date.parse(oldNow.expires_at ?? "");
    expect(expires).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000);

    const body = { intent_id: "roll", base_example: "Hi" };
    await json(await call("/v1/message", { key: old.key, body }), 200);
    await json(await call("/v1/message", { key: rolled.key, body }), 200);

    // Rolled once; rolling the old key again is refused, and its grace can only shrink.
    await expectError(
      await call(`${keysOf(projectId)}/${old.key_id}/roll`, { key: apiKey, body: {} }),
      409,
      "CONFLICT",
      `API key '${old.key_id}' was already rolled to '${rolled.key_id}': roll that key`,
    );
    await expectError(
      await call(`${keysOf(projectId)}/${old.key_id}`, {
        method: "PATCH",
        key: apiKey,
        body: { expires_at: null },
      }),
      409,
      "CONFLICT",
      `API key '${old.key_id}' was rolled to '${rolled.key_id}': its grace can end sooner, not later`,
    );
  });

  it("a grace of zero ends the old key at once; the body may be left out for a day's grace", async () => {
    const { projectId, apiKey } = await seedProject();
    const old = await create(projectId, apiKey, { name: "now" });
    await json(
      await call(`${keysOf(projectId)}/${old.key_id}/roll`, { key: apiKey, body: { grace_seconds: 0 } }),
      201,
    );
    await expectError(
      await call("/v1/experiments", { key: old.key }),
      401,
      "UNAUTHORIZED",
      "API key expired",
    );

    const other = await create(projectId, apiKey, { name: "day" });
    const before = Date.now();
    const res = await call(`${keysOf(projectId)}/${other.key_id}/roll`, { method: "POST", key: apiKey });
    await json(res, 201);
    const row = await rowOf(other.key_id);
    expect(Number(row?.expires_at)).toBeGreaterThanOrEqual(before + 86_400_000);
    // An empty JSON body reads as {} too.
    const third = await create(projectId, apiKey, { name: "empty" });
    await json(
      await call(`${keysOf(projectId)}/${third.key_id}/roll`, {
        key: apiKey,
        raw: "",
        headers: { "content-type": "application/json" },
      }),
      201,
    );
  });

  it("never extends an earlier expiry", async () => {
    const { projectId, apiKey } = await seedProject();
    const soon = new Date(Date.now() + 120_000).toISOString();
    const old = await create(projectId, apiKey, { name: "soon", expires_at: soon });
    const rolled = await json<Issued>(
      await call(`${keysOf(projectId)}/${old.key_id}/roll`, {
        key: apiKey,
        body: { grace_seconds: 604_800 },
      }),
      201,
    );
    expect(Number((await rowOf(old.key_id))?.expires_at)).toBe(Date.parse(soon));
    expect(rolled.expires_at).toBe(soon);
  });

  it("the new key inherits the old key's own expiry, not the grace; an expired key does not roll", async () => {
    const { projectId, apiKey } = await seedProject();
    const day = new Date(Date.now() + 24 * hour).toISOString();
    const old = await create(projectId, apiKey, { name: "a day", expires_at: day });
    const before = Date.now();
    const rolled = await json<Issued>(
      await call(`${keysOf(projectId)}/${old.key_id}/roll`, { key: apiKey, body: { grace_seconds: 60 } }),
      201,
    );
    expect(rolled.expires_at).toBe(day);
    expect(await rowOf(rolled.key_id)).toMatchObject({ expires_at: Date.parse(day) });
    const oldEnds = Number((await rowOf(old.key_id))?.expires_at);
    expect(oldEnds).toBeGreaterThanOrEqual(before + 60_000);
    expect(oldEnds).toBeLessThanOrEqual(Date.now() + 60_000);
    // The audit entry says when the new key ends.
    const audit = await env.DB.prepare(
      "SELECT details FROM audit_log WHERE action = 'api_key.rolled' AND target_id = ?",
    )
      .bind(old.key_id)
      .first<{ details: string }>();
    expect(JSON.parse(audit?.details ?? "{}")).toMatchObject({ new_expires_at: day });

    const expired = await keyWith(projectId, "message", "live", Date.now() - 1);
    await expectError(
      await call(`${keysOf(projectId)}/${expired.id}/roll`, { key: apiKey, body: {} }),
      409,
      "CONFLICT",
      `API key '${expired.id}' is expired: create a new key instead`,
    );
    expect(await rowOf(expired.id)).toMatchObject({ rolled_to: null });
  });

  it("refuses revoked keys (409) and bad grace periods (400)", async () => {
    const { projectId, apiKey } = await seedProject();
    const k = await create(projectId, apiKey, { name: "r" });
    for (const [grace, message] of [
      [-1, /^grace_seconds: Too small/],
      [604_801, /^grace_seconds: Too big/],
      [1.5, "grace_seconds: a whole number of seconds"],
      ["60", /^grace_seconds: Invalid input: expected number/],
    ] as const) {
      await expectError(
        await call(`${keysOf(projectId)}/${k.key_id}/roll`, { key: apiKey, body: { grace_seconds: grace } }),
        400,
        "BAD_REQUEST",
        message,
      );
    }
    await json(await call(`${keysOf(projectId)}/${k.key_id}`, { method: "DELETE", key: apiKey }), 200);
    await expectError(
      await call(`${keysOf(projectId)}/${k.key_id}/roll`, { key: apiKey, body: {} }),
      409,
      "CONFLICT",
      `API key '${k.key_id}' is revoked: create a new key instead`,
    );
    const { results } = await env.DB.prepare("SELECT id FROM api_keys WHERE project_id = ? AND name = 'r'")
      .bind(projectId)
      .all();
    expect(results).toHaveLength(1);
  });
});
