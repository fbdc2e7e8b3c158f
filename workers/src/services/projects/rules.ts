import { findMemberOf, type OwnerGuard, type ProjectRecord } from "@pushbunny/db";
import { isRole, type Role, roleGrants } from "../../access/levels";
import type { Principal } from "../../access/principal";
import type { AppContext } from "../../context";
import { BadRequestError, ForbiddenError } from "../../errors";

// What project, member and invite verbs share: who is calling, and the bounds every input
// keeps whether it arrives over HTTP or from elsewhere.

/** Who is acting on a project, as the management verbs weigh it. */
export interface Caller {
  /** `user:<id>` or `api_key:<prefix>…`, for the audit log. */
  actor: string;
  /** The person calling; null for an API key. */
  userId: string | null;
  /** The person's email (named in the invites they send); null for an API key. */
  email: string | null;
  /**
   * The caller's authority in the project: a person's role; an API key with the admin scope
   * acts as an admin (never an owner), any other key as a viewer.
   */
  role: Role;
}

/** The Caller of a request the auth middleware let through. */
export function callerOf(principal: Principal, role: Role | undefined, actor: string): Caller {
  if (principal.kind === "user") {
    return { actor, userId: principal.userId, email: principal.email, role: role ?? "viewer" };
  }
  return { actor, userId: null, email: null, role: principal.scopes.includes("admin") ? "admin" : "viewer" };
}

export const canAdmin = (caller: Caller) => roleGrants(caller.role, "admin");
export const isOwner = (caller: Caller) => caller.role === "owner";

/** How a member statement re-checks the owner rule for this caller (queries/members.ts). */
export const guardOf = (caller: Caller): OwnerGuard =>
  isOwner(caller) && caller.userId !== null
    ? { kind: "owner", userId: caller.userId }
    : { kind: "non_owner" };

/** Whether the caller is an owner of the project now (after a guarded statement refused). */
export async function stillOwner(ctx: AppContext, projectId: string, caller: Caller): Promise<boolean> {
  if (!isOwner(caller) || caller.userId === null) return false;
  return (await findMemberOf(ctx.db, projectId, caller.userId))?.role === "owner";
}

/** Refuses a caller who cannot manage the project (the route's level may be lower, e.g. leaving). */
export function mustAdmin(caller: Caller, what: string): void {
  if (canAdmin(caller)) return;
  throw new ForbiddenError(
    caller.userId === null
      ? `this API key lacks the 'admin' scope needed to ${what}`
      : `your role '${caller.role}' does not allow you to ${what}`,
  );
}

/** A project with the caller's role in it (null for API keys, which have scopes instead). */
export interface Project extends ProjectRecord {
  role: Role | null;
}

export const PROJECT_NAME_MAX = 100;
export const CHALLENGER_COUNT = { min: 0, max: 10 } as const;
/**
 * The most live projects one person may own when creating another: far above any real use,
 * low enough that one account cannot fill the database with projects (security review, issue 13).
 */
export const OWNED_PROJECTS_MAX = 50;
/** How long an invite link works. */
export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Page sizes of the project and invite lists (the routes' schemas say the same). */
export const PAGE_LIMIT = { min: 1, max: 100, default: 50 } as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** A project name, trimmed; refuses what the route's schema refuses (verbs have other callers). */
export function checkProjectName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > PROJECT_NAME_MAX || CONTROL_CHARS.test(name)) {
    throw BadRequestError.fromIssues([
      { path: "name", message: `must be 1 to ${PROJECT_NAME_MAX} characters without control characters` },
    ]);
  }
  return name;
}

export function checkChallengerCount(value: number): number {
  if (!Number.isInteger(value) || value < CHALLENGER_COUNT.min || value > CHALLENGER_COUNT.max) {
    throw BadRequestError.fromIssues([
      {
        path: "challenger_count",
        message: `must be an integer from ${CHALLENGER_COUNT.min} to ${CHALLENGER_COUNT.max}`,
      },
    ]);
  }
  return value;
}

export function checkRole(value: string, path = "role"): Role {
  if (!isRole(value)) {
    throw BadRequestError.fromIssues([{ path, message: "must be one of owner, admin, member, viewer" }]);
  }
  return value;
}

export function checkPageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < PAGE_LIMIT.min || limit > PAGE_LIMIT.max) {
    throw BadRequestError.fromIssues([
      { path: "limit", message: `must be an integer from ${PAGE_LIMIT.min} to ${PAGE_LIMIT.max}` },
    ]);
  }
  return limit;
}

/** The one message for the last-owner rule, wherever it bites. */
export const LAST_OWNER =
  "a project needs an owner: make someone else owner first (PATCH /v1/projects/{project_id}/members/{user_id} with role 'owner')";

/** A BCP 47 tag in canonical case (the route's LocaleTag already did this for HTTP callers). */
export function checkLocale(value: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(value.trim());
    if (canonical && /^[a-z]{2,3}(-|$)/.test(canonical)) return canonical;
  } catch {
    // reported below
  }
  throw BadRequestError.fromIssues([
    { path: "default_locale", message: `'${value}' is not a BCP 47 language tag` },
  ]);
}
