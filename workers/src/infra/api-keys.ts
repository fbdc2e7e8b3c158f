import { sha256Hex } from "@pushbunny/core";
import { ensureProject, findKeyOwner, type KeyOwner } from "@pushbunny/db";
import type { AppContext } from "../context";
import { UnauthorizedError } from "../errors";
import { TtlCache } from "./ttl-cache";

/** The project every `API_KEYS` bootstrap key belongs to. */
export const BOOTSTRAP_PROJECT_ID = "prj_bootstrap";
/** Keys minted for local development; refused outright in production. */
export const DEV_KEY_PREFIX = "pb_dev_";

const OWNER_TTL_MS = 60_000;
const KV_TTL_SECONDS = 300;
const owners = new TtlCache<KeyOwner | "none">(OWNER_TTL_MS);
let bootstrapEnsured = false;

/**
 * Resolves an API key to its project without touching D1 when warm: isolate memory, then KV,
 * then D1. Unknown keys are cached briefly too, so a flood of bad keys cannot hammer D1.
 */
export async function authenticate(ctx: AppContext, apiKey: string | undefined): Promise<KeyOwner> {
  if (!apiKey) throw new UnauthorizedError("missing API key: send 'Authorization: Bearer <api key>'");
  if (apiKey.length > 256) throw new UnauthorizedError("invalid API key");
  if (ctx.config.isProduction && apiKey.startsWith(DEV_KEY_PREFIX)) {
    throw new UnauthorizedError("development keys are not accepted in production");
  }
  if (ctx.config.bootstrapKeys.includes(apiKey)) return bootstrapOwner(ctx);

  // The isolate cache is keyed by the key itself, so a warm request hashes nothing; the digest
  // is what KV and D1 know, and is computed only on a miss.
  const cached = owners.get(apiKey);
  if (cached === "none") throw new UnauthorizedError("invalid API key");
  if (cached) return cached;
  const digest = await sha256Hex(apiKey);

  const kvKey = `apikey:v1:${digest}`;
  const fromKv = await ctx.kv.get<KeyOwner>(kvKey, "json");
  if (fromKv) {
    owners.set(apiKey, fromKv);
    return fromKv;
  }
  const owner = await findKeyOwner(ctx.db, digest);
  if (!owner) {
    owners.set(apiKey, "none", ctx.now(), 10_000);
    throw new UnauthorizedError("invalid API key");
  }
  owners.set(apiKey, owner);
  ctx.waitUntil(ctx.kv.put(kvKey, JSON.stringify(owner), { expirationTtl: KV_TTL_SECONDS }));
  return owner;
}

async function bootstrapOwner(ctx: AppContext): Promise<KeyOwner> {
  if (!bootstrapEnsured) {
    await ensureProject(ctx.db, { id: BOOTSTRAP_PROJECT_ID, name: "Bootstrap (API_KEYS)", now: ctx.now() });
    bootstrapEnsured = true;
  }
  return {
    projectId: BOOTSTRAP_PROJECT_ID,
    defaultLocale: "en-US",
    challengerCount: ctx.config.challengerCount,
  };
}
