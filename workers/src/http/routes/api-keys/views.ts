import type { z } from "@hono/zod-openapi";
import type { Principal } from "../../../access/principal";
import type { ApiKey, IssuedApiKey } from "../../../services/api-keys/lib/api-key";
import type { ApiKeyView, IssuedApiKeyView } from "./schemas";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The wire shape of a key (never its secret). */
export function toApiKeyView(k: ApiKey): z.infer<typeof ApiKeyView> {
  return {
    key_id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    mode: k.mode,
    status: k.status,
    created_at: new Date(k.createdAt).toISOString(),
    created_by: k.createdBy,
    last_used_at: iso(k.lastUsedAt),
    expires_at: iso(k.expiresAt),
    revoked_at: iso(k.revokedAt),
    rolled_to: k.rolledTo,
    login_user_id: k.loginUserId,
  };
}

/** A key just issued, with its secret: create and roll only. */
export function toIssuedView(k: IssuedApiKey): z.infer<typeof IssuedApiKeyView> {
  return { ...toApiKeyView(k), key: k.secret };
}

/** The API key making a call, or null for a person (test-mode keys manage only test keys). */
export const callerKeyIdOf = (p: Principal) => (p.kind === "api_key" ? p.keyId : null);
