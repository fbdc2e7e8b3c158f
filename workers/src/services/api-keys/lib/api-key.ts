import { randomHex } from "@pushbunny/core";
import { type ApiKeyRow, findApiKey } from "@pushbunny/db";
import { API_KEY_SCOPES, type ApiKeyScope, parseScopes } from "../../../access/levels";
import type { AppContext } from "../../../context";
import { BadRequestError, ForbiddenError, NotFoundError } from "../../../errors";

export const KEY_MODES = ["live", "test"] as const;
export type KeyMode = (typeof KEY_MODES)[number];
export type KeyStatus = "active" | "expired" | "revoked";

/** Where a key's readable prefix ends: `pb_live_3f9a`, shown in lists and the audit log. */
export const PREFIX_LENGTH = 12;
/** 32 random bytes, hex: 256 bits, and a key a double-click selects whole. */
const SECRET_BYTES = 32;
export const NAME_MAX = 100;
/** A roll's grace may last up to a week; a day unless the caller says otherwise. */
export const GRACE_SECONDS = { min: 0, max: 604_800, default: 86_400 } as const;

/** A project's API key as the verbs return it; never the secret, which only create and roll hold. */
export interface ApiKey {
  id: string;
  projectId: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  mode: KeyMode;
  createdAt: number;
  /** `user:<id>` or `api_key:<prefix>…`; null for keys made before accounts. */
  createdBy: string | null;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
  /** The key a roll replaced this one with. */
  rolledTo: string | null;
  status: KeyStatus;
}

/** A key with its secret: what create and roll return, the only time the secret is seen. */
export interface IssuedApiKey extends ApiKey {
  secret: string;
}

/** The stored row as the domain object, with the status at `now`. */
export function toApiKey(row: ApiKeyRow, now: number): ApiKey {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    prefix: row.prefix,
    scopes: parseScopes(row.scopes),
    mode: row.mode === "test" ? "test" : "live",
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    rolledTo: row.rolledTo,
    status: statusOf(row, now),
  };
}

export function statusOf(row: Pick<ApiKeyRow, "revokedAt" | "expiresAt">, now: number): KeyStatus {
  if (row.revokedAt !== null) return "revoked";
  if (row.expiresAt !== null && row.expiresAt <= now) return "expired";
  return "active";
}

/** A new secret: `pb_live_` or `pb_test_` + 64 hex characters. */
export function mintSecret(mode: KeyMode): string {
  return `pb_${mode}_${randomHex(SECRET_BYTES)}`;
}

/** The project's key, or a 404 (another project's key ids are not found either). */
export async function mustKey(ctx: AppContext, projectId: string, keyId: string): Promise<ApiKeyRow> {
  const row = await findApiKey(ctx.db, projectId, keyId);
  if (!row) throw new NotFoundError(`API key '${keyId}' not found`);
  return row;
}

/**
 * A test-mode key can only manage test-mode keys: a `pb_test_` key leaked from a staging build
 * or a CI log must not be able to mint, roll or revoke the production (`pb_live_`) keys.
 */
export async function assertMayManage(
  ctx: AppContext,
  projectId: string,
  callerKeyId: string | null,
  targetMode: KeyMode,
): Promise<void> {
  if (callerKeyId === null || targetMode === "test") return;
  const caller = await findApiKey(ctx.db, projectId, callerKeyId);
  if (caller?.mode === "test") {
    throw new ForbiddenError("a test-mode key can only manage test-mode keys: use a live key or sign in");
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** A trimmed name of 1–100 printable characters, re-checked here because scripts call verbs too. */
export function validName(name: string): string {
  const trimmed = name.trim();
  if (
    trimmed.length === 0 ||
    trimmed.length > NAME_MAX ||
    CONTROL_CHARS.test(trimmed) ||
    LONE_SURROGATE.test(trimmed)
  ) {
    throw BadRequestError.fromIssues([
      { path: "name", message: `must be 1 to ${NAME_MAX} characters of valid, printable text` },
    ]);
  }
  return trimmed;
}

/** A non-empty set of known scopes, in canonical order. */
export function validScopes(scopes: readonly string[]): ApiKeyScope[] {
  const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0 || scopes.length === 0) {
    throw BadRequestError.fromIssues([
      { path: "scopes", message: `must name at least one of ${API_KEY_SCOPES.join(", ")}` },
    ]);
  }
  return API_KEY_SCOPES.filter((s) => scopes.includes(s));
}

/** An ISO instant for audit details (they are read by people, not parsed back). */
export const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
