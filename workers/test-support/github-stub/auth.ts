import { sign, verify } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError } from "./http";
import type { GitHubStubMintedToken, StubContext, StubRepo } from "./types";

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/**
 * The same JWT the client makes, from Node's crypto: for tests that need a token signed by a key
 * the stub does not trust.
 */
export function signAppJwt(appId: string, privateKeyPem: string, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const input = `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${b64url(JSON.stringify({ iat: now - 60, exp: now + 540, iss: appId }))}`;
  return `${input}.${b64url(sign("sha256", Buffer.from(input), privateKeyPem))}`;
}

/** Checks what GitHub checks, with its messages, so a client bug fails here as it would there. */
export function verifyAppJwt(ctx: StubContext, req: IncomingMessage) {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (!token) throw new HttpError(401, "A JSON web token could not be decoded");
  const [h = "", p = "", s = ""] = token.split(".");
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
  } catch {
    throw new HttpError(401, "A JSON web token could not be decoded");
  }
  if (header.alg !== "RS256") throw new HttpError(401, "A JSON web token could not be decoded");
  if (!verify("sha256", Buffer.from(`${h}.${p}`), ctx.appKey, Buffer.from(s, "base64url"))) {
    throw new HttpError(401, "A JSON web token could not be decoded");
  }
  const now = Math.floor(Date.now() / 1000);
  const { iat, exp, iss } = payload;
  if (typeof iat !== "number" || typeof exp !== "number") {
    throw new HttpError(
      401,
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.",
    );
  }
  if (String(iss) !== ctx.appId) throw new HttpError(401, "'Issuer' claim ('iss') must be the App's ID");
  if (exp <= now)
    throw new HttpError(
      401,
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.",
    );
  if (iat > now + 60)
    throw new HttpError(
      401,
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.",
    );
  if (exp - iat > 600) throw new HttpError(401, "'Expiration time' claim ('exp') is too far in the future");
  ctx.jwts.push({ header, payload });
}

export function installationToken(ctx: StubContext, req: IncomingMessage): GitHubStubMintedToken {
  const value = /^(?:Bearer|token) (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  const token = value ? ctx.tokens.get(value) : undefined;
  if (!token || token.expiresAt.getTime() <= Date.now()) throw new HttpError(401, "Bad credentials");
  if (!ctx.installations.has(token.installationId)) throw new HttpError(401, "Bad credentials");
  return token;
}

/** The repository a token may reach; GitHub hides what a token cannot see behind 404. */
export function repoFor(
  ctx: StubContext,
  req: IncomingMessage,
  fullName: string,
  need: "read" | "contents" | "pulls",
): StubRepo {
  const token = installationToken(ctx, req);
  const repo = ctx.repos.get(fullName);
  const visible =
    repo !== undefined &&
    repo.installationId === token.installationId &&
    (token.repositories === null || token.repositories.includes(fullName));
  if (!repo || !visible) throw new HttpError(404, "Not Found");
  if (ctx.installations.get(repo.installationId)?.suspended)
    throw new HttpError(403, "This installation has been suspended");
  const permission = need === "contents" ? "contents" : need === "pulls" ? "pull_requests" : null;
  if (permission && token.permissions[permission] !== "write") {
    throw new HttpError(403, "Resource not accessible by integration");
  }
  return repo;
}
