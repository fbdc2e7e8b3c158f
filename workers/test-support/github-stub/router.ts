import type { IncomingMessage } from "node:http";
import { installationToken, repoFor, verifyAppJwt } from "./auth";
import { installationJson, repoJson, repoOf } from "./context";
import { control } from "./control";
import { HttpError, paged } from "./http";
import { installPage, mintToken, oauthExchange } from "./routes-app";
import { gitData, pulls } from "./routes-repo";
import type { Reply, StubContext } from "./types";

/** One server answers for both api.github.com and github.com: their paths do not overlap. */
export function route(
  ctx: StubContext,
  req: IncomingMessage,
  method: string,
  path: string,
  raw: string,
): Reply | Promise<Reply> {
  let body: Record<string, unknown> = {};
  if (raw && !path.startsWith("/login/oauth/")) {
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpError(400, "Problems parsing JSON");
    }
  }
  const query = new URL(req.url ?? "/", "http://stub").searchParams;
  if (path.startsWith("/__stub/")) return control(ctx, method, path, body, query);
  if (method === "GET" && path === `/apps/${ctx.slug}/installations/new`) return installPage(ctx, query);
  if (method === "POST" && path === "/login/oauth/access_token") return oauthExchange(ctx, req, raw);
  let match = /^\/app\/installations\/(\d+)(\/access_tokens)?$/.exec(path);
  if (match) {
    const id = Number(match[1]);
    if (match[2] && method === "POST") return mintToken(ctx, req, id, body);
    if (!match[2] && method === "GET") {
      verifyAppJwt(ctx, req);
      const inst = ctx.installations.get(id);
      if (!inst) throw new HttpError(404, "Not Found");
      return { status: 200, body: installationJson(ctx, inst) };
    }
  }
  if (method === "GET" && path === "/installation/repositories") {
    const token = installationToken(ctx, req);
    const inst = ctx.installations.get(token.installationId);
    const names = (inst?.repositories ?? []).filter(
      (n) => token.repositories === null || token.repositories.includes(n),
    );
    const { slice, headers } = paged(
      ctx,
      req,
      names.map((n) => repoJson(ctx, repoOf(ctx, n))),
      path,
    );
    return { status: 200, body: { total_count: names.length, repositories: slice }, headers };
  }
  if (method === "GET" && path === "/user") {
    return { status: 200, body: { login: userOf(ctx, req).login, type: "User" } };
  }
  match = /^\/user\/memberships\/orgs\/([^/]+)$/.exec(path);
  if (method === "GET" && match) {
    const user = userOf(ctx, req);
    const org = decodeURIComponent(match[1] ?? "");
    const membership = Object.entries(user.memberships).find(
      ([login]) => login.toLowerCase() === org.toLowerCase(),
    )?.[1];
    if (!membership) throw new HttpError(404, "Not Found");
    return {
      status: 200,
      body: { state: membership.state, role: membership.role, organization: { login: org } },
    };
  }
  if (method === "GET" && path === "/user/installations") {
    const list = userOf(ctx, req).installationIds.flatMap((id) => {
      const inst = ctx.installations.get(id);
      return inst ? [installationJson(ctx, inst)] : [];
    });
    const { slice, headers } = paged(ctx, req, list, path);
    return { status: 200, body: { total_count: list.length, installations: slice }, headers };
  }
  match = /^\/repos\/([^/]+\/[^/]+?)(?:\/(git|pulls)(?:\/(.*))?)?$/.exec(path);
  if (match) {
    const fullName = decodeURIComponent(match[1] ?? "");
    const area = match[2];
    if (!area && method === "GET")
      return { status: 200, body: repoJson(ctx, repoFor(ctx, req, fullName, "read")) };
    if (area === "git") {
      const need = method === "GET" ? "read" : "contents";
      return gitData(repoFor(ctx, req, fullName, need), method, match[3] ?? "", body, req);
    }
    if (area === "pulls" && !match[3]) {
      return pulls(ctx, repoFor(ctx, req, fullName, method === "GET" ? "read" : "pulls"), method, body, req);
    }
  }
  throw new HttpError(404, "Not Found");
}

function userOf(ctx: StubContext, req: IncomingMessage) {
  const value = /^(?:Bearer|token) (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  const user = value ? ctx.userTokens.get(value) : undefined;
  if (!user) throw new HttpError(401, "Bad credentials");
  return user;
}
