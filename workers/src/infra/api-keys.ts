import { sha256Hex } from "@pushbunny/core";
import { type ApiKeyOwner, ensureProject, findKeyOwner } from "@pushbunny/db";
import { API_KEY_SCOPES, type ApiKeyScope, parseScopes } from "../access/levels";
import type { AppContext } from "../context";
import { UnauthorizedError } from "../errors";
import { TtlCache } from "./ttl-cache";

/** The project every `API_KEYS` bootstrap key belongs to. */
export const BOOTSTRAP_PROJECT_ID = "prj_bootstrap";
/** Keys minted for local development; refused outright in production. */
export const DEV_KEY_PREFIX = "pb_dev_";

/** A key as the edge knows it once authenticated. */
export interface AuthenticatedKey extends Omit<ApiKeyOwner, "scopes"> {
  scopes: readonly ApiKeyScope[];
}

const OWNER_TTL_MS = 60_000;
const KV_TTL_SECONDS = 300;
const owners = new TtlCache<AuthenticatedKey | "none">(OWNER_TTL_MS);
let bootstrapEnsured = false;

/**
 * Resolves an API key to its project without touching D1 when warm: isolate memory, then KV,
 * then D1. Unknown keys are cached briefly too, so a flood of bad keys cannot hammer D1.
 */
export async function authenticate(ctx: AppContext, apiKey: string | undefined): Promise<AuthenticatedKey> {
  if (!apiKey) throw new UnauthorizedError("missing API key: send 'Authorization: Bearer <api key>'");
  if (apiKey.length > 256) throw new UnauthorizedError("invalid API key");
  if (ctx.config.isProduction && apiKey.startsWith(DEV_KEY_PREFIX)) {
    throw new UnauthorizedError("development keys are not accepted in production");
  }
  if (ctx.config.bootstrapKeys.includes(apiKey)) return bootstrapOwner(ctx, apiKey);

  // The isolate cache is keyed by the key itself, so a warm request hashes nothing; the digest
  // is what KV and D1 know, and is computed only on a miss.
  const cached = owners.get(apiKey);
  if (cached === "none") throw new UnauthorizedError("invalid API key");
  if (cached) return checkExpiry(ctx, cached);
  const digest = await sha256Hex(apiKey);

  const kvKey = `apikey:v1:${digest}`;
  const fromKv = await ctx.kv.get<ApiKeyOwner>(kvKey, "json");
  if (fromKv) {
    const key = toAuthenticated(fromKv);
    owners.set(apiKey, key);
    return checkExpiry(ctx, key);
  }
  const owner = await findKeyOwner(ctx.db, digest);
  if (!owner) {
    owners.set(apiKey, "none", ctx.now(), 10_000);
    throw new UnauthorizedError("invalid API key");
  }
  const key = toAuthenticated(owner);
  owners.set(apiKey, key);
  ctx.waitUntil(ctx.kv.put(kvKey, JSON.stringify(owner), { expirationTtl: KV_TTL_SECONDS }));
  return checkExpiry(ctx, key);
}

function toAuthenticated(owner: ApiKeyOwner): AuthenticatedKey {
  return { ...owner, scopes: parseScopes(owner.scopes) };
}

function checkExpiry(ctx: AppContext, key: AuthenticatedKey): AuthenticatedKey {
  if (key.expiresAt !== null && key.expiresAt <= ctx.now()) throw new UnauthorizedError("API key expired");
  return key;
}

async function bootstrapOwner(ctx: AppContext, apiKey: string): Promise<AuthenticatedKey> {
  if (!bootstrapEnsured) {
    await ensureProject(ctx.db, { id: BOOTSTRAP_PROJECT_ID, name: "Bootstrap (API_KEYS)", now: ctx.now() });
    bootstrapEnsured = true;
  }
  return {
    projectId: BOOTSTRAP_PROJECT_ID,
    defaultLocale: "en-US",
    challengerCount: ctx.config.challengerCount,
    keyId: "key_bootstrap",
    prefix: apiKey.slice(0, 12),
    scopes: API_KEY_SCOPES,
    expiresAt: null,
  };
}
