import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { verifyAppJwt } from "./auth";
import { APP_PERMISSIONS, addOAuthCode, LEVEL } from "./context";
import { HttpError } from "./http";
import type { GitHubStubMintedToken, Reply, StubContext } from "./types";

/** Refuses a token wider than the App or the installation, as GitHub does, so narrowing is tested. */
export function mintToken(
  ctx: StubContext,
  req: IncomingMessage,
  id: number,
  body: Record<string, unknown>,
): Reply {
  verifyAppJwt(ctx, req);
  const inst = ctx.installations.get(id);
  if (!inst) throw new HttpError(404, "Not Found");
  if (inst.suspended) throw new HttpError(403, "This installation has been suspended");
  let repositories: string[] | null = null;
  if (body.repositories !== undefined) {
    if (!Array.isArray(body.repositories)) throw new HttpError(422, "repositories must be an array");
    repositories = body.repositories.map((name) => `${inst.login}/${String(name)}`);
    if (repositories.some((fullName) => !inst.repositories.includes(fullName))) {
      throw new HttpError(
        422,
        "There is at least one repository that does not exist or is not accessible to the parent installation.",
      );
    }
  }
  const requested = (body.permissions ?? APP_PERMISSIONS) as Record<string, string>;
  for (const [name, level] of Object.entries(requested)) {
    if ((LEVEL[level] ?? 99) > (LEVEL[APP_PERMISSIONS[name] ?? ""] ?? 0)) {
      throw new HttpError(422, "The permissions requested are not granted to this installation.");
    }
  }
  const token: GitHubStubMintedToken = {
    token: `ghs_${randomBytes(18).toString("base64url")}`,
    installationId: id,
    expiresAt: new Date(Date.now() + ctx.tokenTtlMs),
    permissions: { ...requested },
    repositories,
  };
  ctx.tokens.set(token.token, token);
  return {
    status: 201,
    body: {
      token: token.token,
      expires_at: token.expiresAt.toISOString(),
      permissions: token.permissions,
      repository_selection: repositories ? "selected" : inst.selection,
    },
  };
}

export function oauthExchange(ctx: StubContext, req: IncomingMessage, raw: string): Reply {
  let params: Record<string, unknown>;
  const type = req.headers["content-type"] ?? "";
  try {
    params = type.includes("json") ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
  } catch {
    params = {};
  }
  let answer: Record<string, string>;
  if (params.client_id !== ctx.clientId || params.client_secret !== ctx.clientSecret) {
    answer = {
      error: "incorrect_client_credentials",
      error_description: "The client_id and/or client_secret passed are incorrect.",
    };
  } else {
    const user = typeof params.code === "string" ? ctx.oauthCodes.get(params.code) : undefined;
    if (!user) {
      answer = {
        error: "bad_verification_code",
        error_description: "The code passed is incorrect or expired.",
      };
    } else {
      ctx.oauthCodes.delete(params.code as string);
      const token = `ghu_${randomBytes(18).toString("base64url")}`;
      ctx.userTokens.set(token, user);
      answer = { access_token: token, token_type: "bearer", scope: "" };
    }
  }
  // GitHub answers form-encoded unless asked for JSON, and 200 even for a bad code.
  if ((req.headers.accept ?? "").includes("json")) return { status: 200, body: answer };
  return {
    status: 200,
    raw: new URLSearchParams(answer).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  };
}

/**
 * The install page: "installs" the App on the installation named by `installation_id` (default
 * the newest) and sends the browser to the setup URL with a fresh OAuth code, as GitHub does
 * with "Request user authorization (OAuth) during installation" on.
 */
export function installPage(ctx: StubContext, query: URLSearchParams): Reply {
  const chosen = query.get("installation_id") ?? String(Math.max(0, ...ctx.installations.keys()));
  const inst = ctx.installations.get(Number(chosen));
  if (!inst) throw new HttpError(404, "no installation to install: seed one first");
  const back = new URL(ctx.setupUrl);
  back.searchParams.set("installation_id", String(inst.id));
  back.searchParams.set("setup_action", "install");
  back.searchParams.set("code", addOAuthCode(ctx, [inst.id]));
  const state = query.get("state");
  if (state !== null) back.searchParams.set("state", state);
  return { status: 302, headers: { location: back.toString() }, body: {} };
}
