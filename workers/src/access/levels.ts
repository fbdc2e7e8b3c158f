/**
 * Who may call what. Every /v1 operation declares one access level in its route
 * (`x-pushbunny-access`, see ACCESS in http/schemas.ts); the auth middleware checks it against
 * what the caller's API-key scopes or project role grant. docs/adr/0014-accounts-and-access.md.
 */

/** What an operation needs. */
export type AccessLevel =
  /** Any signed-in person; no project (profile, the project list, accepting an invite). */
  | "session"
  /** What an SDK needs: message, events, resolve, metrics, subscriptions. */
  | "message"
  /** Stats, analytics, lists and reads. */
  | "read"
  /** Operating a project: experiments, notifications, push and ad settings. */
  | "write"
  /** Managing a project: keys, members, invites, limits, secrets, the audit log. */
  | "admin"
  /** Deleting a project. */
  | "owner";

export const ACCESS_LEVELS = ["session", "message", "read", "write", "admin", "owner"] as const;

export type ApiKeyScope = "message" | "read" | "admin";
export const API_KEY_SCOPES = ["message", "read", "admin"] as const satisfies readonly ApiKeyScope[];

export type Role = "owner" | "admin" | "member" | "viewer";
export const ROLES = ["owner", "admin", "member", "viewer"] as const satisfies readonly Role[];

/**
 * The most a test-mode (`pb_test_`) key may hold. Test keys leak easily (CI logs, staging
 * builds), and one with `admin` could invite an outsider as a project admin, who could then
 * manage the live keys; so they send and read, and never write or manage.
 */
export const TEST_KEY_SCOPES = ["message", "read"] as const satisfies readonly ApiKeyScope[];
/** Why a test-mode key is refused `admin` (at creation, roll, and on every request). */
export const TEST_KEY_RULE = "test-mode keys carry the message and read scopes only";

/** The scopes a key acts with: a test-mode key's stored `admin` (from before the rule) counts for nothing. */
export function effectiveScopes(scopes: readonly ApiKeyScope[], mode: string): ApiKeyScope[] {
  return mode !== "test"
    ? [...scopes]
    : scopes.filter((s) => (TEST_KEY_SCOPES as readonly string[]).includes(s));
}

/** The levels each API-key scope grants. Keys never act as owners or without a project. */
export const SCOPE_GRANTS: Record<ApiKeyScope, readonly AccessLevel[]> = {
  message: ["message"],
  read: ["read"],
  admin: ["read", "write", "admin"],
};

/** The levels each project role grants. */
export const ROLE_GRANTS: Record<Role, readonly AccessLevel[]> = {
  viewer: ["read"],
  member: ["read", "message", "write"],
  admin: ["read", "message", "write", "admin"],
  owner: ["read", "message", "write", "admin", "owner"],
};

export const isRole = (v: unknown): v is Role =>
  typeof v === "string" && (ROLES as readonly string[]).includes(v);

/** Parses the stored comma list; unknown words are dropped (never widen access). */
export function parseScopes(stored: string): ApiKeyScope[] {
  return stored
    .split(",")
    .map((s) => s.trim())
    .filter((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s));
}

export function scopesGrant(scopes: readonly ApiKeyScope[], level: AccessLevel): boolean {
  return scopes.some((s) => SCOPE_GRANTS[s].includes(level));
}

export function roleGrants(role: Role, level: AccessLevel): boolean {
  return ROLE_GRANTS[role].includes(level);
}

/** Scopes named in a 403 so the caller knows which key would work. */
export function scopeFor(level: AccessLevel): ApiKeyScope | null {
  if (level === "message") return "message";
  if (level === "read") return "read";
  if (level === "write" || level === "admin") return "admin";
  return null;
}
