import { sha256Hex } from "@pushbunny/core";
import {
  type ApiKeyOwner,
  ensureProject,
  findKeyByDigest,
  listLiveKeyDigests,
  touchApiKey,
} from "@pushbunny/db";
import { API_KEY_SCOPES, type ApiKeyScope, effectiveScopes, parseScopes } from "../access/levels";
import type { AppContext } from "../context";
import { UnauthorizedError } from "../errors";
import { TtlCache } from "./ttl-cache";

/** The project every `API_KEYS` bootstrap key belongs to. */
export const BOOTSTRAP_PROJECT_ID = "prj_bootstrap";
/** The id every bootstrap key answers to: they have no row in D1. */
export const BOOTSTRAP_KEY_ID = "key_bootstrap";
/** Keys minted for local development; refused outright in production. */
export const DEV_KEY_PREFIX = "pb_dev_";

/** A key as the edge knows it once authenticated. */
export interface AuthenticatedKey extends Omit<ApiKeyOwner, "scopes" | "mode"> {
  /** What the key acts with: a test-mode key never holds `admin`, whatever its row says. */
  scopes: readonly ApiKeyScope[];
  mode: "live" | "test";
}

/**
 * How long each layer may trust what it holds. A change (revoke, expiry, roll, project delete)
 * rewrites KV and this isolate's memory at once; every other isolate sees it within
 * REVALIDATE_MS + KV_CACHE_TTL_SECONDS (50 s, under the 60 s the API promises):
 * docs/adr/0017-api-key-lifecycle.md has the arithmetic.
 */
export const KEY_CACHE_BOUNDS = {
  /** An isolate re-reads KV (never D1) for a key it has held this long. */
  revalidateMs: 20_000,
  /** How long a POP may serve its cached copy of a KV entry (KV's minimum). */
  kvCacheTtlSeconds: 30,
  /** A live entry in KV; D1 refills it after. */
  kvTtlSeconds: 300,
  /** A tombstone outlives every live entry another request could still write. */
  tombstoneTtlSeconds: 86_400,
  /** Unknown keys are remembered briefly, so a flood of bad keys cannot hammer D1. */
  unknownMs: 10_000,
  /** last_used_at is written at most this often per key and isolate. */
  touchEveryMs: 60_000,
  /**
   * KV writes in flight at once when many keys are invalidated together (a project delete),
   * so a large project neither floods KV nor fails all at once.
   */
  tombstoneChunk: 50,
} as const;

const B = KEY_CACHE_BOUNDS;

// v2: entries carry a kind, so a tombstone can never be mistaken for an owner by code that
// predates it (v1 entries held a bare owner and expire on their own within 300 s).
// v3: owners carry the key's mode; a v2 owner without one could let a test-mode key act as
// live for up to 300 s, so v2 is not read at all (a first request after deploy reads D1).
const kvKeyOf = (digest: string) => `apikey:v3:${digest}`;

type KvEntry = ({ kind: "key" } & ApiKeyOwner) | { kind: "tombstone"; reason: Refusal; at: number };
type Refusal = "revoked" | "unknown";

const REFUSALS: Record<Refusal, string> = {
  revoked: "API key revoked",
  unknown: "invalid API key",
};

type Cached = AuthenticatedKey | { refused: Refusal };

// Keyed by the key itself, so a warm request hashes nothing.
const owners = new TtlCache<Cached>(B.revalidateMs);
// The way back from a digest (all that a revocation knows) to this isolate's cache entry.
const keysByDigest = new Map<string, string>();
const lastTouched = new Map<string, number>();
let bootstrapEnsured = false;

/**
 * Resolves an API key to its project without touching D1 when warm: isolate memory (trusted
 * for 20 s), then KV (read with a 30 s edge cache), then D1. Refuses revoked and expired keys.
 */
export async function authenticate(ctx: AppContext, apiKey: string | undefined): Promise<AuthenticatedKey> {
  if (!apiKey) throw new UnauthorizedError("missing API key: send 'Authorization: Bearer <api key>'");
  if (apiKey.length > 256) throw new UnauthorizedError("invalid API key");
  if (ctx.config.isProduction && apiKey.startsWith(DEV_KEY_PREFIX)) {
    throw new UnauthorizedError("development keys are not accepted in production");
  }
  if (ctx.config.bootstrapKeys.includes(apiKey)) return bootstrapOwner(ctx, apiKey);

  const now = ctx.now();
  const key = owners.get(apiKey, now) ?? (await lookUp(ctx, apiKey, now));
  if ("refused" in key) throw new UnauthorizedError(REFUSALS[key.refused]);
  if (key.expiresAt !== null && key.expiresAt <= now) throw new UnauthorizedError("API key expired");
  touch(ctx, key.keyId, now);
  return key;
}

/** The digest is what KV and D1 know; it is computed only when this isolate's memory misses. */
async function lookUp(ctx: AppContext, apiKey: string, now: number): Promise<Cached> {
  const digest = await sha256Hex(apiKey);
  remember(digest, apiKey);
  const fromKv = await ctx.kv.get<KvEntry>(kvKeyOf(digest), {
    type: "json",
    cacheTtl: B.kvCacheTtlSeconds,
  });
  if (fromKv) {
    const cached: Cached = fromKv.kind === "key" ? toAuthenticated(fromKv) : { refused: fromKv.reason };
    owners.set(apiKey, cached, now);
    return cached;
  }
  const found = await findKeyByDigest(ctx.db, digest);
  if (!found) {
    owners.set(apiKey, { refused: "unknown" }, now, B.unknownMs);
    return { refused: "unknown" };
  }
  if (found.revokedAt !== null || found.projectDeletedAt !== null) {
    // Remembered in KV too: a retired deployment that keeps sending its old key costs no D1.
    const refusal: Refusal = found.revokedAt !== null ? "revoked" : "unknown";
    owners.set(apiKey, { refused: refusal }, now);
    ctx.waitUntil(putTombstones(ctx, [digest], refusal));
    return { refused: refusal };
  }
  const key = toAuthenticated(found.owner);
  owners.set(apiKey, key, now);
  ctx.waitUntil(putOwner(ctx, digest, found.owner));
  return key;
}

function remember(digest: string, apiKey: string) {
  // Bounded like the owner cache; forgetting only costs a revalidation, never correctness,
  // because other isolates' entries expire on their own.
  if (keysByDigest.size >= 10_000) keysByDigest.clear();
  keysByDigest.set(digest, apiKey);
}

function toAuthenticated(owner: ApiKeyOwner): AuthenticatedKey {
  const mode = owner.mode === "test" ? "test" : "live";
  return {
    projectId: owner.projectId,
    defaultLocale: owner.defaultLocale,
    challengerCount: owner.challengerCount,
    keyId: owner.keyId,
    prefix: owner.prefix,
    scopes: effectiveScopes(parseScopes(owner.scopes), mode),
    expiresAt: owner.expiresAt,
    mode,
  };
}

/** Records last_used_at after the response, at most once a minute per key in this isolate. */
function touch(ctx: AppContext, keyId: string, now: number) {
  const last = lastTouched.get(keyId);
  if (last !== undefined && now - last < B.touchEveryMs) return;
  if (lastTouched.size >= 10_000) lastTouched.clear();
  lastTouched.set(keyId, now);
  ctx.waitUntil(recordUse(ctx, keyId, now));
}

async function recordUse(ctx: AppContext, keyId: string, now: number) {
  try {
    await touchApiKey(ctx.db, keyId, now);
  } catch (err) {
    // A lost timestamp is not worth failing or retrying a request for.
    ctx.logger.warn("api key last_used_at not recorded", { keyId, error: String(err) });
  }
}

async function putOwner(ctx: AppContext, digest: string, owner: ApiKeyOwner) {
  const entry: KvEntry = { kind: "key", ...owner };
  await ctx.kv.put(kvKeyOf(digest), JSON.stringify(entry), { expirationTtl: B.kvTtlSeconds });
}

async function putTombstones(ctx: AppContext, digests: readonly string[], reason: Refusal) {
  const entry = JSON.stringify({ kind: "tombstone", reason, at: ctx.now() } satisfies KvEntry);
  for (let i = 0; i < digests.length; i += B.tombstoneChunk) {
    await Promise.all(
      digests
        .slice(i, i + B.tombstoneChunk)
        .map((d) => ctx.kv.put(kvKeyOf(d), entry, { expirationTtl: B.tombstoneTtlSeconds })),
    );
  }
}

/** Drops keys from this isolate's memory, so its very next request asks KV again. */
function forgetHere(digests: readonly string[]) {
  for (const digest of digests) {
    const apiKey = keysByDigest.get(digest);
    if (apiKey !== undefined) owners.delete(apiKey);
  }
}

// A request that read a key from D1 just before the revocation may still be writing the live
// entry to KV (its waitUntil) just after the tombstone; KV keeps the last write. Writing the
// tombstone once more a moment later closes that window without a compare-and-set KV lacks.
const TOMBSTONE_AGAIN_MS = 2_000;

/**
 * Stops keys working everywhere (revoked, or their project deleted): tombstones in KV, which
 * beat a delete while another POP still caches the old value, and gone from this isolate at
 * once. Other isolates refuse them within KEY_CACHE_BOUNDS' 50 s.
 */
export async function invalidateApiKeys(
  ctx: AppContext,
  digests: readonly string[],
  reason: Refusal = "revoked",
): Promise<void> {
  if (digests.length === 0) return;
  forgetHere(digests);
  await putTombstones(ctx, digests, reason);
  ctx.waitUntil(
    (async () => {
      await new Promise((resolve) => setTimeout(resolve, TOMBSTONE_AGAIN_MS));
      await putTombstones(ctx, digests, reason);
    })().catch((err) => ctx.logger.warn("api key tombstone rewrite failed", { error: String(err) })),
  );
}

/**
 * Stops every key of a project working (call after the project is marked deleted). Never
 * throws: the delete has committed by now, and a failure here (a KV outage, a subrequest limit)
 * only delays the refusal: a key whose tombstone was not written is refused by D1's
 * `deleted_at` check once its live KV entry (300 s) runs out.
 */
export async function invalidateProjectKeys(ctx: AppContext, projectId: string): Promise<void> {
  let digests: string[] = [];
  try {
    digests = await listLiveKeyDigests(ctx.db, projectId, ctx.now());
    await invalidateApiKeys(ctx, digests, "unknown");
  } catch (err) {
    ctx.logger.error("deleted project's API keys not all invalidated; D1 refuses them on the next KV miss", {
      projectId,
      keys: digests.length,
      error: String(err),
    });
  }
}

/**
 * Publishes a key whose stored state changed but which still works (a new expiry, or a roll's
 * grace period): KV gets the current row, this isolate forgets its copy.
 */
export async function refreshApiKey(ctx: AppContext, digest: string): Promise<void> {
  forgetHere([digest]);
  const found = await findKeyByDigest(ctx.db, digest);
  if (!found || found.revokedAt !== null || found.projectDeletedAt !== null) {
    await invalidateApiKeys(ctx, [digest], found?.revokedAt ? "revoked" : "unknown");
    return;
  }
  await putOwner(ctx, digest, found.owner);
}

/**
 * A bootstrap key as the edge knows it. Its prefix (shown in the audit log and `created_by`)
 * is `bootstrap#<n>`, its place in API_KEYS, never characters of the operator's secret.
 */
async function bootstrapOwner(ctx: AppContext, apiKey: string): Promise<AuthenticatedKey> {
  if (!bootstrapEnsured) {
    await ensureProject(ctx.db, { id: BOOTSTRAP_PROJECT_ID, name: "Bootstrap (API_KEYS)", now: ctx.now() });
    bootstrapEnsured = true;
  }
  return {
    projectId: BOOTSTRAP_PROJECT_ID,
    defaultLocale: "en-US",
    challengerCount: ctx.config.challengerCount,
    keyId: BOOTSTRAP_KEY_ID,
    prefix: `bootstrap#${ctx.config.bootstrapKeys.indexOf(apiKey) + 1}`,
    scopes: API_KEY_SCOPES,
    expiresAt: null,
    mode: "live",
  };
}
