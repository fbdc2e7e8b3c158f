// Revocation reaches every edge within 60 s (docs/adr/0017-api-key-lifecycle.md): this isolate at
// once, another isolate after at most KEY_CACHE_BOUNDS.revalidateMs of memory plus, in
// production, KV's edge cache. Other isolates are simulated by authenticating with a clock we
// control while D1 and KV change underneath, exactly as a revocation elsewhere changes them.
import { env } from "cloudflare:workers";
import { newId, sha256Hex } from "@pushbunny/core";
import { insertApiKey, touchApiKey } from "@pushbunny/db";
import { describe, expect, it } from "vitest";
import type { AppContext } from "../src/context";
import { UnauthorizedError } from "../src/errors";
import {
  authenticate,
  BOOTSTRAP_PROJECT_ID,
  invalidateApiKeys,
  invalidateProjectKeys,
  KEY_CACHE_BOUNDS,
} from "../src/infra/api-keys";
import { buildContext } from "../src/infra/build-context";
import type { Logger } from "../src/logger";
import { deleteProject } from "../src/services/projects/delete-project";
import { call, db, eventually, expectError, json, seedMember, seedProject } from "./helpers";

/** A context at a fixed instant that collects its waitUntil work. */
function at(now: number, overrides: Partial<AppContext> = {}) {
  const pending: Promise<unknown>[] = [];
  const ctx: AppContext = { ...buildContext(env, (p) => pending.push(p)), now: () => now, ...overrides };
  return { ctx, pending, settle: () => Promise.all(pending) };
}

/** A D1 client that throws on any use: proof that a path never touches D1. */
const NO_D1 = new Proxy(
  {},
  {
    get(_t, prop) {
      throw new Error(`D1 touched (db.${String(prop)})`);
    },
  },
) as AppContext["db"];

async function newKey(opts: { expiresAt?: number } = {}) {
  const { projectId } = await seedProject();
  const apiKey = `pb_live_${newId("key").slice(4)}${newId("key").slice(4)}`;
  const id = newId("key");
  const digest = await sha256Hex(apiKey);
  await insertApiKey(db, {
    id,
    projectId,
    name: "revocation",
    prefix: apiKey.slice(0, 12),
    digest,
    now: Date.now(),
    expiresAt: opts.expiresAt,
  });
  return { projectId, apiKey, id, digest };
}

/** Where KV holds a key's entry (v3: owners carry the key's mode). */
const kvKey = (digest: string) => `apikey:v3:${digest}`;

/** What a revocation on another isolate leaves behind: D1 says revoked, KV holds a tombstone. */
async function revokeElsewhere(id: string, digest: string, now: number) {
  await env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").bind(now, id).run();
  await env.KV.put(kvKey(digest), JSON.stringify({ kind: "tombstone", reason: "revoked", at: now }), {
    expirationTtl: 3_600,
  });
}

const refusal = (message: string) => new UnauthorizedError(message);

describe("revocation at the edge", () => {
  it("the bound: isolate memory plus KV's edge cache stays under 60 s", () => {
    const bound = KEY_CACHE_BOUNDS.revalidateMs + KEY_CACHE_BOUNDS.kvCacheTtlSeconds * 1000;
    expect(bound).toBe(50_000);
    expect(bound).toBeLessThan(60_000);
    // KV refuses a cacheTtl under 30 s; the tombstone outlives any live entry.
    expect(KEY_CACHE_BOUNDS.kvCacheTtlSeconds).toBeGreaterThanOrEqual(30);
    expect(KEY_CACHE_BOUNDS.tombstoneTtlSeconds).toBeGreaterThan(KEY_CACHE_BOUNDS.kvTtlSeconds);
  });

  it("the isolate that revoked refuses the key on its very next request", async () => {
    const { projectId, apiKey } = await seedProject();
    const created = await json<{ key_id: string; key: string }>(
      await call(`/v1/projects/${projectId}/api-keys`, { key: apiKey, body: { name: "next request" } }),
      201,
    );
    const body = { intent_id: "revoke_now", base_example: "Hi" };
    // Warm in isolate memory and KV.
    await json(await call("/v1/message", { key: created.key, body }), 200);
    await json(await call("/v1/message", { key: created.key, body }), 200);
    const started = Date.now();
    await json(
      await call(`/v1/projects/${projectId}/api-keys/${created.key_id}`, { method: "DELETE", key: apiKey }),
      200,
    );
    await expectError(
      await call("/v1/message", { key: created.key, body }),
      401,
      "UNAUTHORIZED",
      "API key revoked",
    );
    // Same isolate, next request: no waiting on any TTL.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("another isolate refuses a revoked key once its memory is revalidated against KV, reading no D1", async () => {
    const { apiKey, id, digest } = await newKey();
    const t0 = Date.now();
    const warm = at(t0);
    await authenticate(warm.ctx, apiKey);
    await warm.settle(); // KV now holds the live entry

    await revokeElsewhere(id, digest, t0 + 1);

    // Walk the other isolate's clock a second at a time until it refuses: the measured bound.
    let refusedAfter: number | null = null;
    for (let elapsed = 0; elapsed <= 60_000; elapsed += 1_000) {
      const later = at(t0 + elapsed, { db: NO_D1 });
      try {
        await authenticate(later.ctx, apiKey);
      } catch (err) {
        expect(err).toEqual(refusal("API key revoked"));
        refusedAfter = elapsed;
        break;
      }
    }
    expect(refusedAfter).toBe(KEY_CACHE_BOUNDS.revalidateMs);
    // Production adds at most KV's edge cache to this: still under 60 s.
    expect(
      (refusedAfter ?? Number.POSITIVE_INFINITY) + KEY_CACHE_BOUNDS.kvCacheTtlSeconds * 1000,
    ).toBeLessThan(60_000);
  });

  it("a revoked key that reaches D1 is refused and tombstoned in KV, so the next isolate asks no D1", async () => {
    const { apiKey, id, digest } = await newKey();
    await env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").bind(Date.now(), id).run();
    const cold = at(Date.now());
    await expect(authenticate(cold.ctx, apiKey)).rejects.toEqual(refusal("API key revoked"));
    await cold.settle();
    expect(await env.KV.get(kvKey(digest), "json")).toMatchObject({
      kind: "tombstone",
      reason: "revoked",
    });
  });

  it("the tombstone is written again, beating a live entry a racing cold read wrote after it", async () => {
    const { apiKey, digest, projectId } = await newKey();
    const t0 = Date.now();
    const warm = at(t0);
    const owner = await authenticate(warm.ctx, apiKey);
    await warm.settle();

    const revoker = at(t0 + 1);
    await invalidateApiKeys(revoker.ctx, [digest]);
    // A request that read D1 before the revocation lands its KV write just after it.
    await env.KV.put(kvKey(digest), JSON.stringify({ kind: "key", ...owner, scopes: "message" }));
    await revoker.settle();
    expect(await env.KV.get(kvKey(digest), "json")).toMatchObject({ kind: "tombstone" });
    expect(owner.projectId).toBe(projectId);
  });

  it("a project's deletion stops every key of it, in this isolate at once and elsewhere via KV", async () => {
    const { apiKey, digest, projectId } = await newKey();
    const t0 = Date.now();
    const warm = at(t0);
    await authenticate(warm.ctx, apiKey);
    await warm.settle();

    await env.DB.prepare("UPDATE projects SET deleted_at = ? WHERE id = ?").bind(t0, projectId).run();
    const deleter = at(t0 + 1);
    await invalidateProjectKeys(deleter.ctx, projectId);
    await expect(authenticate(at(t0 + 2, { db: NO_D1 }).ctx, apiKey)).rejects.toEqual(
      refusal("invalid API key"),
    );
    expect(await env.KV.get(kvKey(digest), "json")).toMatchObject({
      kind: "tombstone",
      reason: "unknown",
    });
  });

  it("the warm path reads no D1, in memory and from KV alone", async () => {
    const { apiKey } = await newKey();
    const t0 = Date.now();
    const cold = at(t0);
    await authenticate(cold.ctx, apiKey);
    await cold.settle();
    await authenticate(at(t0 + 1_000, { db: NO_D1 }).ctx, apiKey); // memory
    await authenticate(at(t0 + KEY_CACHE_BOUNDS.revalidateMs + 1, { db: NO_D1 }).ctx, apiKey); // KV
  });

  it("bootstrap API_KEYS keep working for the bootstrap project", async () => {
    const key = await authenticate(at(Date.now()).ctx, "pb_bootstrap_test_key");
    expect(key).toMatchObject({
      projectId: BOOTSTRAP_PROJECT_ID,
      scopes: ["message", "read", "admin"],
      mode: "live",
      prefix: "bootstrap#1",
    });
  });

  it("a bootstrap key is named by its place in API_KEYS, never by characters of its secret", async () => {
    const secret = "pb_bootstrap_test_key";
    const made = await json<{ key_id: string; created_by: string }>(
      await call(`/v1/projects/${BOOTSTRAP_PROJECT_ID}/api-keys`, {
        key: secret,
        body: { name: "made by bootstrap" },
      }),
      201,
    );
    expect(made.created_by).toBe("api_key:bootstrap#1…");
    const audit = await env.DB.prepare("SELECT actor, details FROM audit_log WHERE target_id = ?")
      .bind(made.key_id)
      .first<{ actor: string; details: string }>();
    expect(audit?.actor).toBe("api_key:bootstrap#1…");
    const row = await env.DB.prepare("SELECT created_by FROM api_keys WHERE id = ?")
      .bind(made.key_id)
      .first<{ created_by: string }>();
    for (const stored of [made.created_by, audit?.actor, audit?.details, row?.created_by]) {
      expect(stored).not.toContain(secret.slice(0, 6));
    }
  });

  it("carries the key's mode through memory and KV; a test-mode key stored with admin acts without it", async () => {
    const { projectId } = await seedProject();
    const apiKey = `pb_test_${newId("key").slice(4)}`;
    const digest = await sha256Hex(apiKey);
    await insertApiKey(db, {
      id: newId("key"),
      projectId,
      name: "legacy test admin",
      prefix: apiKey.slice(0, 12),
      digest,
      now: Date.now(),
      scopes: "message,read,admin",
      mode: "test",
    });
    const t0 = Date.now();
    const cold = at(t0);
    expect(await authenticate(cold.ctx, apiKey)).toMatchObject({ mode: "test", scopes: ["message", "read"] });
    await cold.settle();
    expect(await env.KV.get(kvKey(digest), "json")).toMatchObject({ kind: "key", mode: "test" });
    // Another isolate, from KV alone.
    expect(
      await authenticate(at(t0 + KEY_CACHE_BOUNDS.revalidateMs + 1, { db: NO_D1 }).ctx, apiKey),
    ).toMatchObject({ mode: "test", scopes: ["message", "read"] });
  });

  it("ignores v2 KV entries, which carry no mode, and reads D1 instead", async () => {
    const { apiKey, digest, projectId } = await newKey();
    await env.KV.put(
      `apikey:v2:${digest}`,
      JSON.stringify({ kind: "key", projectId: "prj_elsewhere", scopes: "admin", expiresAt: null }),
    );
    expect(await authenticate(at(Date.now()).ctx, apiKey)).toMatchObject({ projectId, mode: "live" });
  });
});

/** `n` working keys (and the digests they are stored under) made directly in D1. */
async function manyKeys(
  projectId: string,
  n: number,
  extra: { expiresAt?: number; revokedAt?: number } = {},
) {
  const digests = Array.from({ length: n }, () => `digest_${newId("key")}`);
  const insert = env.DB.prepare(
    "INSERT INTO api_keys (id, project_id, name, prefix, digest, created_at, expires_at, revoked_at) VALUES (?, ?, 'bulk', 'pb_live_bulk', ?, ?, ?, ?)",
  );
  await env.DB.batch(
    digests.map((d) =>
      insert.bind(newId("key"), projectId, d, Date.now(), extra.expiresAt ?? null, extra.revokedAt ?? null),
    ),
  );
  return digests;
}

/** A KV that records how many writes were in flight at once, and can be made to fail. */
function watchedKv(failPuts = false) {
  const seen = { inFlight: 0, maxInFlight: 0, puts: 0 };
  const kv = {
    get: (key: string, options: KVNamespaceGetOptions<"json">) => env.KV.get(key, options),
    put: async (...args: Parameters<KVNamespace["put"]>) => {
      seen.puts++;
      seen.inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      try {
        await new Promise((r) => setTimeout(r, 1));
        if (failPuts) throw new Error("Too many subrequests.");
        await env.KV.put(...args);
      } finally {
        seen.inFlight--;
      }
    },
  } as unknown as KVNamespace;
  return { kv, seen };
}

describe("deleting a project with many keys", () => {
  it("tombstones every working key, 50 writes at a time, and skips expired and revoked keys", async () => {
    const { projectId, apiKey } = await seedProject();
    const live = await manyKeys(projectId, 120);
    const expired = await manyKeys(projectId, 3, { expiresAt: Date.now() - 1 });
    const revoked = await manyKeys(projectId, 3, { revokedAt: Date.now() - 1 });
    await env.DB.prepare("UPDATE projects SET deleted_at = ? WHERE id = ?").bind(Date.now(), projectId).run();

    const { kv, seen } = watchedKv();
    const deleter = at(Date.now(), { kv });
    await invalidateProjectKeys(deleter.ctx, projectId);
    // The seeded key and the 120: written once now and once again 2 s later.
    expect(seen.puts).toBe(121);
    expect(seen.maxInFlight).toBe(KEY_CACHE_BOUNDS.tombstoneChunk);
    expect(KEY_CACHE_BOUNDS.tombstoneChunk).toBe(50);
    await deleter.settle();
    expect(seen.puts).toBe(242);
    for (const d of [...live, await sha256Hex(apiKey)]) {
      expect(await env.KV.get(kvKey(d), "json")).toMatchObject({ kind: "tombstone", reason: "unknown" });
    }
    for (const d of [...expired, ...revoked]) expect(await env.KV.get(kvKey(d))).toBeNull();
  });

  it("a KV failure never fails the delete: it is logged, and D1 refuses the keys on the next KV miss", async () => {
    const { projectId, apiKey } = await seedProject();
    await manyKeys(projectId, 60);
    const warm = at(Date.now());
    await authenticate(warm.ctx, apiKey);
    await warm.settle();
    await env.KV.delete(kvKey(await sha256Hex(apiKey)));

    const errors: unknown[] = [];
    const base = at(Date.now()).ctx.logger;
    const logger: Logger = { ...base, error: (msg, fields) => errors.push({ msg, ...fields }) };
    const { kv } = watchedKv(true);
    const deleter = at(Date.now(), { kv, logger });
    await expect(
      deleteProject({ ctx: deleter.ctx, projectId, actor: "user:usr_test" }),
    ).resolves.toBeUndefined();
    await deleter.settle();
    expect(errors).toEqual([
      {
        msg: "deleted project's API keys not all invalidated; D1 refuses them on the next KV miss",
        projectId,
        keys: 61,
        error: "Error: Too many subrequests.",
      },
    ]);
    const row = await env.DB.prepare("SELECT deleted_at FROM projects WHERE id = ?")
      .bind(projectId)
      .first<{ deleted_at: number | null }>();
    expect(row?.deleted_at).not.toBeNull();
    // Forgotten in this isolate before the writes failed; with no KV entry, D1 refuses it.
    await expect(authenticate(at(Date.now()).ctx, apiKey)).rejects.toEqual(refusal("invalid API key"));
  });

  it("over HTTP: the owner's delete answers 204 and the project's keys stop working", async () => {
    const { projectId, apiKey } = await seedProject();
    await manyKeys(projectId, 60);
    const owner = await seedMember(projectId, "owner");
    const res = await call(`/v1/projects/${projectId}`, { method: "DELETE", key: owner.accessToken });
    expect(res.status, await res.clone().text()).toBe(204);
    await expectError(await call("/v1/experiments", { key: apiKey }), 401, "UNAUTHORIZED", "invalid API key");
  });
});

describe("expiry", () => {
  it("refuses a key past expires_at with 'API key expired', cached or not", async () => {
    const t0 = Date.now();
    const { apiKey } = await newKey({ expiresAt: t0 + 5_000 });
    const first = at(t0);
    await authenticate(first.ctx, apiKey);
    await first.settle();
    await expect(authenticate(at(t0 + 5_000, { db: NO_D1 }).ctx, apiKey)).rejects.toEqual(
      refusal("API key expired"),
    );
    const expired = await newKey({ expiresAt: t0 - 1 });
    await expectError(
      await call("/v1/experiments", { key: expired.apiKey }),
      401,
      "UNAUTHORIZED",
      "API key expired",
    );
  });

  it("a rolled key works through its grace and is refused after it, on every isolate", async () => {
    const { projectId, apiKey } = await seedProject();
    const old = await json<{ key_id: string; key: string }>(
      await call(`/v1/projects/${projectId}/api-keys`, { key: apiKey, body: { name: "rolled" } }),
      201,
    );
    // Another isolate knows the old key from before the roll (no expiry then).
    const t0 = Date.now();
    const other = at(t0);
    await authenticate(other.ctx, old.key);
    await other.settle();

    await json(
      await call(`/v1/projects/${projectId}/api-keys/${old.key_id}/roll`, {
        key: apiKey,
        body: { grace_seconds: 30 },
      }),
      201,
    );
    const row = await env.DB.prepare("SELECT expires_at FROM api_keys WHERE id = ?")
      .bind(old.key_id)
      .first<{ expires_at: number }>();
    const graceEnds = Number(row?.expires_at);
    // Within the grace: still works everywhere.
    await json(await call("/v1/experiments", { key: old.key }), 403); // message scope: authenticated, no read
    await authenticate(at(graceEnds - 1, { db: NO_D1 }).ctx, old.key);
    // After it: refused, from KV, with no D1 read, even where memory was warm before the roll.
    await expect(authenticate(at(graceEnds, { db: NO_D1 }).ctx, old.key)).rejects.toEqual(
      refusal("API key expired"),
    );
    await expect(authenticate(at(graceEnds + 60_000, { db: NO_D1 }).ctx, old.key)).rejects.toEqual(
      refusal("API key expired"),
    );
  });
});

describe("last_used_at", () => {
  it("is written after the response, at most once a minute per key and isolate", async () => {
    const { apiKey, id } = await newKey();
    const t0 = Date.now();
    const first = at(t0);
    await authenticate(first.ctx, apiKey);
    // Scheduled with waitUntil (the KV fill and the touch), not awaited by authenticate.
    expect(first.pending.length).toBe(2);
    await first.settle();
    const read = async () =>
      (
        await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
          .bind(id)
          .first<{ last_used_at: number }>()
      )?.last_used_at;
    expect(await read()).toBe(t0);

    const soon = at(t0 + 59_999);
    await authenticate(soon.ctx, apiKey);
    expect(soon.pending).toHaveLength(0);

    const minute = at(t0 + 60_000);
    await authenticate(minute.ctx, apiKey);
    expect(minute.pending).toHaveLength(1);
    await minute.settle();
    expect(await read()).toBe(t0 + 60_000);
  });

  it("never fails or slows a request: a broken D1 only loses the timestamp", async () => {
    const { apiKey } = await newKey();
    const t0 = Date.now();
    const warm = at(t0);
    await authenticate(warm.ctx, apiKey);
    await warm.settle();
    const broken = at(t0 + 60_000, { db: NO_D1 });
    await expect(authenticate(broken.ctx, apiKey)).resolves.toMatchObject({ prefix: apiKey.slice(0, 12) });
    await expect(broken.settle()).resolves.toBeDefined();
  });

  it("never moves back when isolates report out of order", async () => {
    const { apiKey, id } = await newKey();
    const t0 = Date.now();
    const late = at(t0 + 120_000);
    await authenticate(late.ctx, apiKey);
    await late.settle();
    await touchApiKey(db, id, t0);
    const row = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
      .bind(id)
      .first<{ last_used_at: number }>();
    expect(row?.last_used_at).toBe(t0 + 120_000);
  });

  it("shows in the key's view once the key is used", async () => {
    const { projectId, apiKey } = await seedProject();
    const k = await json<{ key_id: string; key: string; last_used_at: string | null }>(
      await call(`/v1/projects/${projectId}/api-keys`, { key: apiKey, body: { name: "used" } }),
      201,
    );
    expect(k.last_used_at).toBeNull();
    await json(
      await call("/v1/message", { key: k.key, body: { intent_id: "used", base_example: "Hi" } }),
      200,
    );
    await eventually(async () => {
      const view = await json<{ last_used_at: string | null }>(
        await call(`/v1/projects/${projectId}/api-keys/${k.key_id}`, { key: apiKey }),
        200,
      );
      expect(view.last_used_at).not.toBeNull();
    });
  });
});
