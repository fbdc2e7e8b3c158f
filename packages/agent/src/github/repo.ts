import type { RepoEntry, RepoSnapshot } from "../snapshot";
import { base64ToBytes } from "./base64";
import type { GitHubCall } from "./errors";
import { baseUrl, type GitHubTransport, malformed, objectField, send, sendJson, stringField } from "./http";
import {
  GitHubError,
  type GitHubRepoApi,
  type GitTree,
  type GitTreeEntry,
  type PullRequest,
  type RepositoryInfo,
} from "./types";

export interface RepoApiOptions extends GitHubTransport {
  /** https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server. */
  apiUrl: string;
  /** An installation token (mintInstallationToken). */
  token: string;
  /** `owner/name`. */
  fullName: string;
}

const FULL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
// SHA-1 object ids, and SHA-256 ones for repositories that use them.
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Reads `{ full_name, default_branch, private }` of a repository answer. */
export function repositoryInfo(body: Record<string, unknown>, call: GitHubCall): RepositoryInfo {
  return {
    fullName: stringField(body, "full_name", call),
    defaultBranch: typeof body.default_branch === "string" ? body.default_branch : "main",
    private: body.private === true,
  };
}

const hasControl = (text: string) =>
  [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** A branch name as `git check-ref-format --branch` allows it; anything else never reaches a URL. */
function checkBranch(branch: string): string {
  const bad =
    branch.length === 0 ||
    branch.length > 255 ||
    branch.startsWith("refs/") ||
    branch === "@" ||
    hasControl(branch) ||
    /[\s~^:?*[\\]|@\{|\.\.|\/\/|(^|\/)\.|^\/|\/$|\.lock(\/|$)|\.$/.test(branch);
  if (bad) throw new GitHubError("invalid", `"${branch}" is not a branch name git accepts`);
  return branch;
}

function branchPath(branch: string): string {
  return checkBranch(branch).split("/").map(encodeURIComponent).join("/");
}

function shaPath(sha: string, what: string): string {
  if (!SHA.test(sha)) throw new GitHubError("invalid", `${what} "${sha}" is not a git object id`);
  return sha;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** UTF-8 text, or null for bytes that are not text (invalid UTF-8, or a NUL as git's own check). */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function treeEntry(item: unknown, call: GitHubCall): GitTreeEntry {
  if (!item || typeof item !== "object") throw malformed(call, "a tree entry that is not an object");
  const raw = item as Record<string, unknown>;
  const type = raw.type;
  if (type !== "blob" && type !== "tree" && type !== "commit") throw malformed(call, "a tree entry type");
  return {
    path: stringField(raw, "path", call),
    type,
    sha: stringField(raw, "sha", call),
    mode: stringField(raw, "mode", call),
    ...(typeof raw.size === "number" ? { size: raw.size } : {}),
  };
}

/** One repository over GitHub's REST API (git data and pulls), through an installation token. */
export function createRepoApi(options: RepoApiOptions): GitHubRepoApi {
  if (!FULL_NAME.test(options.fullName) || /\/\.{1,2}$/.test(options.fullName)) {
    throw new GitHubError("invalid", `"${options.fullName}" is not an owner/name repository`);
  }
  const repo = options.fullName;
  const root = `${baseUrl(options.apiUrl)}/repos/${repo}`;
  const call = (action: string, notFound?: string): GitHubCall => ({
    action,
    auth: "installation",
    repo,
    ...(notFound ? { notFound } : {}),
  });
  const json = (path: string, c: GitHubCall, method: "GET" | "POST" = "GET", body?: unknown) =>
    sendJson(options, { url: `${root}${path}`, method, token: options.token, body, call: c }).then(
      (answer) => answer.body,
    );

  return {
    async getRepository() {
      const c = call(`read the repository ${repo}`);
      return repositoryInfo(await json("", c), c);
    },

    async getBranchHead(branch) {
      const refCall = call(
        `read the branch ${branch}`,
        `the branch ${branch} does not exist in ${repo}, or the App's installation cannot see ${repo}`,
      );
      const ref = await json(`/git/ref/heads/${branchPath(branch)}`, refCall);
      const commitSha = stringField(objectField(ref, "object", refCall), "sha", refCall);
      const commitCall = call(`read the head commit of ${branch}`);
      const commit = await json(`/git/commits/${shaPath(commitSha, "commit")}`, commitCall);
      return { commitSha, treeSha: stringField(objectField(commit, "tree", commitCall), "sha", commitCall) };
    },

    async getTree(treeSha): Promise<GitTree> {
      const c = call(`list the tree ${treeSha}`);
      const body = await json(`/git/trees/${shaPath(treeSha, "tree")}?recursive=1`, c);
      if (!Array.isArray(body.tree)) throw malformed(c, 'no "tree" list');
      return {
        sha: stringField(body, "sha", c),
        entries: body.tree.map((item) => treeEntry(item, c)),
        truncated: body.truncated === true,
      };
    },

    async getBlobText(sha) {
      const c = call(`read the blob ${sha}`);
      const body = await json(`/git/blobs/${shaPath(sha, "blob")}`, c);
      const content = stringField(body, "content", c);
      if (body.encoding === "utf-8") return content;
      if (body.encoding !== "base64") throw malformed(c, `blob encoding "${String(body.encoding)}"`);
      let bytes: Uint8Array;
      try {
        bytes = base64ToBytes(content);
      } catch {
        throw malformed(c, "blob content is not base64");
      }
      return decodeText(bytes);
    },

    async createBlob(content) {
      const c = call("create a blob");
      return {
        sha: stringField(await json("/git/blobs", c, "POST", { content, encoding: "utf-8" }), "sha", c),
      };
    },

    async createTree(baseTreeSha, entries) {
      const c = call(`create a tree on ${baseTreeSha}`);
      const body = await json("/git/trees", c, "POST", {
        base_tree: shaPath(baseTreeSha, "base tree"),
        tree: entries.map((entry) => ({
          path: entry.path,
          mode: entry.mode,
          type: "blob",
          sha: shaPath(entry.sha, "blob"),
        })),
      });
      return { sha: stringField(body, "sha", c) };
    },

    async createCommit(input) {
      const c = call("create a commit");
      const body = await json("/git/commits", c, "POST", {
        message: input.message,
        tree: shaPath(input.treeSha, "tree"),
        parents: input.parentShas.map((sha) => shaPath(sha, "parent")),
      });
      return { sha: stringField(body, "sha", c) };
    },

    async createBranch(branch, commitSha) {
      await json("/git/refs", call(`create the branch ${branch}`), "POST", {
        ref: `refs/heads/${checkBranch(branch)}`,
        sha: shaPath(commitSha, "commit"),
      });
    },

    async deleteBranch(branch) {
      const c = call(`delete the branch ${branch}`);
      try {
        await send(options, {
          url: `${root}/git/refs/heads/${branchPath(branch)}`,
          method: "DELETE",
          token: options.token,
          call: c,
        });
      } catch (error) {
        // GitHub answers 422 "Reference does not exist" (sometimes 404) for a branch already gone.
        if (error instanceof GitHubError && (error.status === 404 || error.status === 422)) return;
        throw error;
      }
    },

    async createPullRequest(input): Promise<PullRequest> {
      const c = call(
        `open a pull request from ${input.head} into ${input.base}`,
        `${repo} or one of the branches ${input.head} and ${input.base} cannot be seen by the App's installation`,
      );
      const body = await json("/pulls", c, "POST", {
        title: input.title,
        body: input.body,
        head: input.head,
        base: input.base,
        draft: input.draft,
      });
      const number = body.number;
      if (typeof number !== "number") throw malformed(c, '"number" is missing');
      return {
        number,
        htmlUrl: stringField(body, "html_url", c),
        draft: body.draft === true,
        state: body.state === "closed" ? "closed" : "open",
        merged: body.merged === true || typeof body.merged_at === "string",
        headRef: stringField(objectField(body, "head", c), "ref", c),
        baseRef: stringField(objectField(body, "base", c), "ref", c),
      };
    },
  };
}

/**
 * A RepoSnapshot of one tree for the detectors: one recursive listing, and blob reads only when a
 * detector asks (RepoIndex caches and budgets them). Submodules (`commit` entries, mode 160000)
 * and symlinks (mode 120000, whose blob is a link target that may point anywhere) are not files:
 * they are left out of the tree and listed as `unsupported`, so they are never read or written.
 */
export async function repoSnapshot(api: GitHubRepoApi, treeSha: string): Promise<RepoSnapshot> {
  const listing = await api.getTree(treeSha);
  const blobs = new Map<string, string>();
  const tree: RepoEntry[] = [];
  const unsupported: string[] = [];
  for (const entry of listing.entries) {
    if (entry.type === "commit" || entry.mode === "120000" || entry.mode === "160000") {
      unsupported.push(entry.path);
    } else if (entry.type === "blob") {
      blobs.set(entry.path, entry.sha);
      tree.push({
        path: entry.path,
        type: "blob",
        ...(entry.size === undefined ? {} : { size: entry.size }),
      });
    } else if (entry.type === "tree") {
      tree.push({ path: entry.path, type: "tree" });
    }
  }
  return {
    tree,
    truncated: listing.truncated,
    unsupported,
    read: async (path) => {
      const sha = blobs.get(path);
      return sha === undefined ? null : api.getBlobText(sha);
    },
  };
}
