import { randomHex } from "@pushbunny/core";
import { type ApiKeyRow, findApiKey } from "@pushbunny/db";
import {
  API_KEY_SCOPES,
  type ApiKeyScope,
  effectiveScopes,
  parseScopes,
  TEST_KEY_RULE,
  TEST_KEY_SCOPES,
} from "../../../access/levels";
import type { AppContext } from "../../../context";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "../../../errors";
import { BOOTSTRAP_KEY_ID } from "../../../infra/api-keys";

export const KEY_MODES = ["live", "test"] as const;
export type KeyMode = (typeof KEY_MODES)[number];
export type KeyStatus = "active" | "expired" | "revoked";

/** Where a key's readable prefix ends: `pb_live_3f9a`, shown in lists and the audit log. */
export const PREFIX_LENGTH = 12;
/** 32 random bytes, hex: 256 bits, and a key a double-click selects whole. */
const SECRET_BYTES = 32;
export const NAME_MAX = 100;
/**
 * Working (unrevoked, unexpired) keys a project may hold. Far above any real deployment's
 * need, and it bounds what a project delete must tombstone in KV.
 */
export const MAX_LIVE_KEYS = 200;
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
  /** The person POST /v1/auth/login minted this key for; null for keys made any other way. */
  loginUserId: string | null;
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
    loginUserId: row.loginUserId,
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

/** The API key making a call, as the rules for what it may issue weigh it. */
export interface KeyCaller {
  mode: KeyMode;
  /** What it acts with (a test-mode key's stored `admin` counts for nothing). */
  scopes: ApiKeyScope[];
  expiresAt: number | null;
}

/**
 * The calling key from D1 (not the edge's cache, which may be up to 50 s behind a change to
 * its expiry), or null for a person. Bootstrap keys have no row and no limits.
 */
export async function loadCaller(
  ctx: AppContext,
  projectId: string,
  callerKeyId: string | null,
): Promise<KeyCaller | null> {
  if (callerKeyId === null) return null;
  if (callerKeyId === BOOTSTRAP_KEY_ID) return { mode: "live", scopes: [...API_KEY_SCOPES], expiresAt: null };
  const row = await findApiKey(ctx.db, projectId, callerKeyId);
  // The middleware authenticated it a moment ago; a row gone since is refused, not trusted.
  if (!row) throw new ForbiddenError("the calling API key is not one of this project's keys");
  const mode: KeyMode = row.mode === "test" ? "test" : "live";
  return { mode, scopes: effectiveScopes(parseScopes(row.scopes), mode), expiresAt: row.expiresAt };
}

/**
 * A test-mode key can only manage test-mode keys: a `pb_test_` key leaked from a staging build
 * or a CI log must not be able to mint, roll or revoke the production (`pb_live_`) keys. (The
 * auth middleware already refuses test keys at the admin level; verbs are called from
 * elsewhere too.)
 */
export function assertMayManage(caller: KeyCaller | null, targetMode: KeyMode): void {
  if (caller?.mode === "test" && targetMode !== "test") {
    throw new ForbiddenError("a test-mode key can only manage test-mode keys: use a live key or sign in");
  }
}

/**
 * Refuses `admin` on a test-mode key (400): such a key could hand out project admin through an
 * invite. `field` names the request field at fault, when there is one.
 */
export function assertTestKeyScopes(
  mode: KeyMode,
  scopes: readonly ApiKeyScope[],
  hint: string,
  field?: string,
): void {
  if (mode !== "test" || scopes.every((s) => (TEST_KEY_SCOPES as readonly string[]).includes(s))) return;
  const message = `${TEST_KEY_RULE} (${hint})`;
  throw field ? BadRequestError.fromIssues([{ path: field, message }]) : new BadRequestError(message);
}

/**
 * An API key issues keys with the scopes it holds and no others (403 naming what it lacks);
 * a person's role already bounds what they may do.
 */
export function assertCallerHolds(caller: KeyCaller | null, scopes: readonly ApiKeyScope[]): void {
  if (caller === null) return;
  const missing = scopes.filter((s) => !caller.scopes.includes(s));
  if (missing.length === 0) return;
  throw new ForbiddenError(
    `an API key can only issue keys with scopes it holds itself: this one lacks ${missing.map((s) => `'${s}'`).join(", ")}`,
  );
}

/**
 * The latest expiry a key calling may give any key: its own (it never hands out a secret, or
 * keeps itself, beyond its own life). Undefined: no bound (a person, or a key that never expires).
 */
export const expiryBoundOf = (caller: KeyCaller | null): number | undefined => caller?.expiresAt ?? undefined;

/** Refuses an expiry later than the calling key's own (400); null means never, the latest of all. */
export function assertWithinCaller(caller: KeyCaller | null, expiresAt: number | null): void {
  const bound = expiryBoundOf(caller);
  if (bound === undefined || (expiresAt !== null && expiresAt <= bound)) return;
  throw BadRequestError.fromIssues([
    {
      path: "expires_at",
      message: `must be no later than the calling API key's own expiry (${new Date(bound).toISOString()})`,
    },
  ]);
}

/** Refuses a new working key past MAX_LIVE_KEYS (409). */
export function tooManyKeys(hint = ""): ConflictError {
  return new ConflictError(
    `this project already has ${MAX_LIVE_KEYS} working API keys, the most it may have: revoke keys it no longer uses${hint}`,
  );
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
