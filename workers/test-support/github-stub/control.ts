import { addInstallation, addOAuthCode, closePull, filesAt, repoOf } from "./context";
import { clearFailures, setFailure } from "./failures";
import { HttpError } from "./http";
import type {
  GitHubStubFailure,
  GitHubStubInstallationSeed,
  GitHubStubUser,
  Reply,
  StubContext,
} from "./types";
import { deliver, webhookRequest } from "./webhooks";

/**
 * The test API again, over HTTP under `/__stub/`: tests in workerd cannot reach the object
 * startGitHubStub returns, only the stub's URL.
 */
export function control(
  ctx: StubContext,
  method: string,
  path: string,
  body: Record<string, unknown>,
  query: URLSearchParams,
): Reply | Promise<Reply> {
  if (method === "POST" && path === "/__stub/installations") {
    const created = addInstallation(ctx, body as unknown as GitHubStubInstallationSeed);
    return { status: 201, body: { id: created.id, repositories: created.repositories } };
  }
  if (method === "POST" && path === "/__stub/oauth-codes") {
    const ids = Array.isArray(body.installation_ids) ? body.installation_ids.map(Number) : [];
    const user = {
      ...(typeof body.login === "string" ? { login: body.login } : {}),
      ...(body.memberships && typeof body.memberships === "object"
        ? { memberships: body.memberships as GitHubStubUser["memberships"] }
        : {}),
    };
    return { status: 201, body: { code: addOAuthCode(ctx, ids, user) } };
  }
  const suspend = /^\/__stub\/installations\/(\d+)\/(suspend|unsuspend)$/.exec(path);
  if (method === "POST" && suspend) {
    const inst = ctx.installations.get(Number(suspend[1]));
    if (!inst) throw new HttpError(404, `no installation ${suspend[1]}`);
    inst.suspended = suspend[2] === "suspend";
    return { status: 204 };
  }
  if (method === "GET" && path === "/__stub/requests") {
    const filter = query.get("path") ?? "";
    return { status: 200, body: ctx.requests.filter((r) => r.path.includes(filter)) };
  }
  if (method === "POST" && path === "/__stub/failures") {
    const { repo, ...failure } = body as GitHubStubFailure & { repo?: string };
    setFailure(ctx, failure, repo === undefined ? {} : { repo });
    return { status: 204 };
  }
  if (method === "DELETE" && path === "/__stub/failures") {
    clearFailures(ctx, typeof body.repo === "string" ? { repo: body.repo } : {});
    return { status: 204 };
  }
  if (method === "POST" && path === "/__stub/tokens/expire") {
    for (const token of ctx.tokens.values()) token.expiresAt = new Date(0);
    return { status: 204 };
  }
  if (path.startsWith("/__stub/repos/")) {
    // The repository may come as two segments (acme/web) or one encoded (acme%2Fweb).
    const segments = path.slice("/__stub/repos/".length).split("/").map(decodeURIComponent);
    const joined = segments[0]?.includes("/") ?? false;
    const fullName = joined ? (segments[0] ?? "") : `${segments[0]}/${segments[1]}`;
    const tail = segments.slice(joined ? 1 : 2);
    if (method === "GET" && tail.length === 0) {
      const repo = repoOf(ctx, fullName);
      return {
        status: 200,
        body: {
          full_name: repo.fullName,
          default_branch: repo.defaultBranch,
          branches: Object.fromEntries(repo.refs),
          pulls: repo.pulls.map((pull) => ({ ...pull })),
        },
      };
    }
    if (method === "GET" && tail[0] === "files" && tail.length > 1) {
      return { status: 200, body: filesAt(ctx, fullName, tail.slice(1).join("/")) };
    }
    if (method === "POST" && tail[0] === "pulls" && (tail[2] === "merge" || tail[2] === "close")) {
      const payload = closePull(ctx, fullName, Number(tail[1]), tail[2] === "merge");
      const target = query.get("deliver");
      return target ? deliver(ctx, target, payload) : { status: 200, body: webhookRequest(ctx, payload) };
    }
  }
  throw new HttpError(404, "no such control route");
}
