import { findMembership, findSessionState } from "@pushbunny/db";
import type { Context, Next } from "hono";
import { matchedRoutes } from "hono/route";
import {
  type AccessLevel,
  isRole,
  roleGrants,
  scopeFor,
  scopesGrant,
  TEST_KEY_RULE,
} from "../../access/levels";
import { actorOf, type Principal } from "../../access/principal";
import { BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError } from "../../errors";
import { looksLikeJwt, verifyAccessToken } from "../../infra/access-tokens";
import { type AuthenticatedKey, authenticate } from "../../infra/api-keys";
import type { AppEnv } from "../types";
import { bodyApiKey } from "./body-key";

/** What the auth middleware knows about one operation, from its route declaration. */
export interface OperationAccess {
  operationId: string;
  /** Declared `security: []`: no credential at all. */
  public: boolean;
  access: AccessLevel | null;
  /** Index of the `{project_id}` segment in the path, when the path names the project. */
  projectSegment: number;
  /**
   * Declared `"x-pushbunny-credential": { "body": <max bytes> }`: the API key may come as the
   * JSON body's `api_key` (the mobile SDKs send no header). The body is read here, within that size.
   */
  bodyKeyMaxBytes?: number | null;
}

/** The header a person's session names its project with (API keys imply theirs). */
export const PROJECT_HEADER = "x-project-id";

/** The bearer credential from `Authorization`, with the common slips explained. */
export function bearerOf(header: string | undefined): string | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value);
  if (!match) {
    // The commonest integration slip: the bare key, or "Token …"/"Basic …".
    throw new UnauthorizedError(
      /^Bearer$/i.test(value)
        ? "the Authorization header says Bearer but carries no key: send 'Authorization: Bearer <api key>'"
        : "the Authorization header must use the Bearer scheme: send 'Authorization: Bearer <api key>'",
    );
  }
  return match[1];
}

/** Proves who is calling: an API key, or a person's access token (JWT) whose login is still live. */
export async function authenticatePrincipal(
  c: Context<AppEnv>,
  credential: string | undefined = bearerOf(c.req.header("authorization")),
): Promise<{ principal: Principal; key?: AuthenticatedKey }> {
  const ctx = c.get("ctx");
  if (credential && looksLikeJwt(credential)) {
    const claims = await verifyAccessToken(ctx, credential);
    const state = await findSessionState(ctx.db, claims.userId, claims.sessionId);
    if (!state || state.revokedAt !== null) throw new UnauthorizedError("session ended: sign in again");
    if (claims.issuedAtMs < state.sessionsValidAfter) {
      throw new UnauthorizedError("session ended by a password change: sign in again");
    }
    return {
      principal: { kind: "user", userId: claims.userId, email: state.email, sessionId: claims.sessionId },
    };
  }
  const key = await authenticate(ctx, credential);
  return {
    principal: {
      kind: "api_key",
      keyId: key.keyId,
      prefix: key.prefix,
      projectId: key.projectId,
      scopes: key.scopes,
    },
    key,
  };
}

const LEVEL_WORDS: Record<AccessLevel, string> = {
  session: "a signed-in person",
  message: "sending messages and events",
  read: "reading",
  write: "changing the project's experiments, notifications and settings",
  admin: "managing the project",
  owner: "the owner role",
};

/**
 * Authenticates every /v1 route that is not public and enforces the operation's access level:
 * an API key's scopes, or the person's role in the project they name (path `{project_id}` or
 * the X-Project-Id header). Sets `principal`, `actor`, `owner` (the project) and `role`.
 */
export function requireAccess(lookup: (c: Context<AppEnv>) => OperationAccess | undefined) {
  return async (c: Context<AppEnv>, next: Next) => {
    const op = lookup(c);
    c.set("operation", op);
    if (op?.public) return next();
    let credential = bearerOf(c.req.header("authorization"));
    if (op?.bodyKeyMaxBytes) {
      // Read even when a header brought the key: the body's size limit is enforced by this read.
      const fromBody = await bodyApiKey(c, op.bodyKeyMaxBytes, credential === undefined);
      if (credential === undefined && fromBody !== undefined && looksLikeJwt(fromBody)) {
        throw new UnauthorizedError(
          "`api_key` takes a project API key; send a person's access token as 'Authorization: Bearer <token>' with X-Project-Id",
        );
      }
      credential ??= fromBody;
      if (credential === undefined) {
        throw new UnauthorizedError(
          "missing API key: send it as `api_key` in the JSON body or as 'Authorization: Bearer <api key>'",
        );
      }
    }
    const { principal, key } = await authenticatePrincipal(c, credential);
    c.set("principal", principal);
    c.set("actor", actorOf(principal));
    const level = op?.access ?? null;
    if (level === "session") {
      if (principal.kind !== "user") {
        throw new ForbiddenError(
          "this route needs a person's access token (POST /v1/auth/login), not an API key",
        );
      }
      return next();
    }

    const fromPath = op && op.projectSegment >= 0 ? decodeSegment(c.req.path, op.projectSegment) : undefined;
    const fromHeader = c.req.header(PROJECT_HEADER)?.trim() || undefined;
    const requested = fromPath ?? fromHeader;

    if (principal.kind === "api_key" && key) {
      // A key implies its project; naming another one finds nothing, exactly as another
      // project's ids do.
      if (requested !== undefined && requested !== key.projectId)
        throw new NotFoundError("project not found");
      // Its scopes already lack admin; this names the reason, for keys stored before the rule.
      if (key.mode === "test" && (level === "write" || level === "admin")) {
        throw new ForbiddenError(
          `${TEST_KEY_RULE}: ${LEVEL_WORDS[level]} needs a live key or a person's session`,
        );
      }
      if (level && !scopesGrant(principal.scopes, level)) {
        const scope = scopeFor(level);
        throw new ForbiddenError(
          scope
            ? `this API key lacks the '${scope}' scope needed for ${LEVEL_WORDS[level]}`
            : `API keys cannot do this: it needs ${LEVEL_WORDS[level]}`,
        );
      }
      c.set("owner", {
        projectId: key.projectId,
        defaultLocale: key.defaultLocale,
        challengerCount: key.challengerCount,
      });
      return next();
    }

    if (principal.kind !== "user") throw new UnauthorizedError("invalid credential");
    if (!level) return next(); // no such operation: the 404/405 handler answers
    if (requested === undefined) {
      throw new BadRequestError(
        "choose a project: send 'X-Project-Id: prj_…' (GET /v1/projects lists yours); API keys imply their project",
      );
    }
    const membership = await findMembership(c.get("ctx").db, requested, principal.userId);
    if (!membership || !isRole(membership.role)) throw new NotFoundError("project not found");
    if (!roleGrants(membership.role, level)) {
      throw new ForbiddenError(`your role '${membership.role}' does not allow ${LEVEL_WORDS[level]}`);
    }
    c.set("role", membership.role);
    c.set("owner", {
      projectId: membership.projectId,
      defaultLocale: membership.defaultLocale,
      challengerCount: membership.challengerCount,
    });
    return next();
  };
}

function decodeSegment(path: string, index: number): string | undefined {
  const raw = path.split("/")[index];
  if (raw === undefined || raw === "") return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Builds the lookup from the OpenAPI registry: each route's method and path → its access. */
export function operationIndex(
  definitions: readonly { type: string; route?: Record<string, unknown> }[],
): (c: Context<AppEnv>) => OperationAccess | undefined {
  const byRoute = new Map<string, OperationAccess>();
  for (const def of definitions) {
    if (def.type !== "route" || !def.route) continue;
    const r = def.route as {
      method: string;
      path: string;
      operationId?: string;
      security?: unknown[];
      "x-pushbunny-access"?: AccessLevel;
      "x-pushbunny-credential"?: { body?: number };
    };
    const honoPath = r.path.replace(/\{(\w+)\}/g, ":$1");
    byRoute.set(`${r.method.toUpperCase()} ${honoPath}`, {
      operationId: r.operationId ?? `${r.method} ${r.path}`,
      public: Array.isArray(r.security) && r.security.length === 0,
      access: r["x-pushbunny-access"] ?? null,
      projectSegment: r.path.split("/").indexOf("{project_id}"),
      bodyKeyMaxBytes: r["x-pushbunny-credential"]?.body ?? null,
    });
  }
  return (c) => {
    const routes = matchedRoutes(c);
    for (let i = routes.length - 1; i >= 0; i--) {
      const route = routes[i];
      if (!route || route.method === "ALL") continue;
      return byRoute.get(`${route.method} ${route.path}`);
    }
    return undefined;
  };
}
