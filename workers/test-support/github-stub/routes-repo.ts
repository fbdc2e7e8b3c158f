import type { IncomingMessage } from "node:http";
import { pullJson } from "./context";
import { buildTree, flatten, put } from "./git-objects";
import { EMPTY_MESSAGE, HttpError, paged } from "./http";
import type { GitHubStubPull, Reply, StubContext, StubRepo } from "./types";

/** Git data over real object ids, so shas a client computes itself agree with the stub's. */
export function gitData(
  repo: StubRepo,
  method: string,
  rest: string,
  body: Record<string, unknown>,
  req: IncomingMessage,
): Reply {
  const isEmpty = repo.refs.size === 0 && repo.objects.size === 0;
  if (isEmpty) throw new HttpError(409, EMPTY_MESSAGE);
  const on = (verb: string, pattern: RegExp) => (method === verb ? pattern.exec(rest) : null);
  let match = on("GET", /^ref\/heads\/(.+)$/);
  if (match) {
    const branch = decodeURIComponent(match[1] ?? "");
    const sha = repo.refs.get(branch);
    if (!sha) throw new HttpError(404, "Not Found");
    return { status: 200, body: { ref: `refs/heads/${branch}`, object: { sha, type: "commit" } } };
  }
  match = on("GET", /^commits\/([0-9a-f]{40})$/);
  if (match) {
    const object = repo.objects.get(match[1] ?? "");
    if (object?.type !== "commit") throw new HttpError(404, "Not Found");
    return {
      status: 200,
      body: {
        sha: match[1],
        tree: { sha: object.tree },
        parents: object.parents.map((sha) => ({ sha })),
        message: object.message,
      },
    };
  }
  match = on("GET", /^trees\/([0-9a-f]{40})$/);
  if (match) {
    const sha = match[1] ?? "";
    const object = repo.objects.get(sha);
    if (object?.type !== "tree") throw new HttpError(404, "Not Found");
    const recursive = new URL(req.url ?? "/", "http://stub").searchParams.has("recursive");
    const tree: Record<string, unknown>[] = [];
    const walk = (treeSha: string, prefix: string) => {
      const node = repo.objects.get(treeSha);
      if (node?.type !== "tree") return;
      for (const item of node.entries) {
        const blob = repo.objects.get(item.sha);
        tree.push({
          path: `${prefix}${item.name}`,
          mode: item.mode,
          type: item.type,
          sha: item.sha,
          ...(blob?.type === "blob" ? { size: blob.bytes.length } : {}),
        });
        if (recursive && item.type === "tree") walk(item.sha, `${prefix}${item.name}/`);
      }
    };
    walk(sha, "");
    const limit = repo.truncateTreeAt;
    const truncated = recursive && limit !== undefined && tree.length > limit;
    return { status: 200, body: { sha, tree: truncated ? tree.slice(0, limit) : tree, truncated } };
  }
  match = on("GET", /^blobs\/([0-9a-f]{40})$/);
  if (match) {
    const object = repo.objects.get(match[1] ?? "");
    if (object?.type !== "blob") throw new HttpError(404, "Not Found");
    // GitHub wraps base64 at 60 characters; clients must ignore the newlines.
    const content = (object.bytes.toString("base64").match(/.{1,60}/g) ?? []).join("\n");
    return {
      status: 200,
      body: { sha: match[1], size: object.bytes.length, encoding: "base64", content: `${content}\n` },
    };
  }
  if (method === "POST" && rest === "blobs") {
    if (typeof body.content !== "string")
      throw new HttpError(422, 'Invalid request.\n\n"content" wasn\'t supplied.');
    const encoding = body.encoding ?? "utf-8";
    if (encoding !== "utf-8" && encoding !== "base64")
      throw new HttpError(422, "encoding must be utf-8 or base64");
    const bytes = Buffer.from(body.content, encoding === "base64" ? "base64" : "utf8");
    return { status: 201, body: { sha: put(repo, { type: "blob", bytes }) } };
  }
  if (method === "POST" && rest === "trees") {
    const flat = new Map<string, { mode: string; sha: string }>();
    if (body.base_tree !== undefined) {
      if (typeof body.base_tree !== "string" || repo.objects.get(body.base_tree)?.type !== "tree") {
        throw new HttpError(422, "base_tree is not a valid tree oid");
      }
      for (const [path, blob] of flatten(repo, body.base_tree)) flat.set(path, blob);
    }
    if (!Array.isArray(body.tree)) throw new HttpError(422, "Invalid tree info");
    for (const entry of body.tree as Record<string, unknown>[]) {
      const path = entry.path;
      if (typeof path !== "string" || path === "" || path.startsWith("/") || path.split("/").includes("..")) {
        throw new HttpError(422, "tree.path contains a malformed path component");
      }
      if (entry.sha === null) {
        flat.delete(path);
        continue;
      }
      let sha = entry.sha;
      if (typeof entry.content === "string")
        sha = put(repo, { type: "blob", bytes: Buffer.from(entry.content) });
      if (typeof sha !== "string" || repo.objects.get(sha)?.type !== "blob") {
        throw new HttpError(422, `tree.sha ${String(sha)} is not a valid blob`);
      }
      flat.set(path, { mode: typeof entry.mode === "string" ? entry.mode : "100644", sha });
    }
    return { status: 201, body: { sha: buildTree(repo, flat) } };
  }
  if (method === "POST" && rest === "commits") {
    const { message, tree, parents } = body;
    if (typeof message !== "string") throw new HttpError(422, "message wasn't supplied");
    if (typeof tree !== "string" || repo.objects.get(tree)?.type !== "tree")
      throw new HttpError(422, "Tree SHA does not exist");
    const parentShas = Array.isArray(parents) ? parents : [];
    if (parentShas.some((sha) => typeof sha !== "string" || repo.objects.get(sha)?.type !== "commit")) {
      throw new HttpError(422, "Parent SHA does not exist or is not a commit object");
    }
    const sha = put(repo, { type: "commit", tree, parents: parentShas as string[], message });
    return {
      status: 201,
      body: { sha, tree: { sha: tree }, parents: parentShas.map((p) => ({ sha: p })), message },
    };
  }
  if (method === "POST" && rest === "refs") {
    const { ref, sha } = body;
    if (typeof ref !== "string" || !/^refs\/[^/]+\/.+/.test(ref)) {
      throw new HttpError(422, "Reference name must start with 'refs/' and have at least two slashes.");
    }
    if (typeof sha !== "string" || repo.objects.get(sha)?.type !== "commit")
      throw new HttpError(422, "Object does not exist");
    const branch = ref.replace(/^refs\/heads\//, "");
    if (repo.refs.has(branch)) throw new HttpError(422, "Reference already exists");
    repo.refs.set(branch, sha);
    return { status: 201, body: { ref, object: { sha, type: "commit" } } };
  }
  match = on("DELETE", /^refs\/heads\/(.+)$/);
  if (match) {
    const branch = decodeURIComponent(match[1] ?? "");
    if (!repo.refs.delete(branch)) throw new HttpError(422, "Reference does not exist");
    return { status: 204 };
  }
  throw new HttpError(404, "Not Found");
}

export function pulls(
  ctx: StubContext,
  repo: StubRepo,
  method: string,
  body: Record<string, unknown>,
  req: IncomingMessage,
): Reply {
  if (method === "GET") {
    // GitHub's filters: `head` as owner:branch, `state` open (default), closed or all.
    const query = new URL(req.url ?? "/", "http://stub").searchParams;
    const head = query.get("head");
    const state = query.get("state") ?? "open";
    const owner = repo.fullName.split("/")[0];
    const listed = repo.pulls.filter(
      (pull) =>
        (head === null || head === `${owner}:${pull.head}`) && (state === "all" || pull.state === state),
    );
    const { slice, headers } = paged(
      ctx,
      req,
      listed.map((pull) => pullJson(ctx, repo, pull)),
      `/repos/${repo.fullName}/pulls`,
    );
    return { status: 200, body: slice, headers };
  }
  const { title, head, base } = body;
  if (typeof title !== "string" || typeof head !== "string" || typeof base !== "string") {
    throw new HttpError(
      422,
      "Validation Failed",
      {},
      { errors: [{ resource: "PullRequest", code: "missing_field" }] },
    );
  }
  const headSha = repo.refs.get(head);
  if (!headSha) {
    throw new HttpError(
      422,
      "Validation Failed",
      {},
      { errors: [{ resource: "PullRequest", field: "head", code: "invalid" }] },
    );
  }
  if (!repo.refs.has(base)) {
    throw new HttpError(
      422,
      "Validation Failed",
      {},
      { errors: [{ resource: "PullRequest", field: "base", code: "invalid" }] },
    );
  }
  if (head === base || repo.refs.get(base) === headSha) {
    throw new HttpError(
      422,
      "Validation Failed",
      {},
      {
        errors: [
          { resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${head}` },
        ],
      },
    );
  }
  if (repo.pulls.some((pull) => pull.head === head && pull.state === "open")) {
    const owner = repo.fullName.split("/")[0];
    throw new HttpError(
      422,
      "Validation Failed",
      {},
      {
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: `A pull request already exists for ${owner}:${head}.`,
          },
        ],
      },
    );
  }
  const pull: GitHubStubPull = {
    number: repo.pulls.length + 1,
    title,
    body: typeof body.body === "string" ? body.body : "",
    head,
    base,
    headSha,
    draft: body.draft === true,
    state: "open",
    merged: false,
  };
  repo.pulls.push(pull);
  return { status: 201, body: pullJson(ctx, repo, pull) };
}
