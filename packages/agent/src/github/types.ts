/**
 * What the agent needs from GitHub, as an interface: the REST client implements it over fetch,
 * tests use an in-memory fake. Every method throws GitHubError on failure.
 */

export interface RepositoryInfo {
  /** `owner/name`. */
  fullName: string;
  defaultBranch: string;
  private: boolean;
}

export interface BranchHead {
  commitSha: string;
  treeSha: string;
}

export interface GitTreeEntry {
  path: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  mode: string;
  /** Blobs only. */
  size?: number;
}

export interface GitTree {
  sha: string;
  entries: GitTreeEntry[];
  /** GitHub cuts recursive listings of very large repositories short and says so. */
  truncated: boolean;
}

export interface NewTreeEntry {
  path: string;
  /** A blob made by createBlob. */
  sha: string;
  mode: "100644";
}

export interface PullRequest {
  number: number;
  htmlUrl: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
  headRef: string;
  baseRef: string;
}

/** One repository, reached through one installation token. */
export interface GitHubRepoApi {
  getRepository(): Promise<RepositoryInfo>;
  /** The branch's head commit and its tree; `empty_repository` when the repository has no commits. */
  getBranchHead(branch: string): Promise<BranchHead>;
  getTree(treeSha: string): Promise<GitTree>;
  /** The blob's bytes decoded as UTF-8, or null when it is not valid UTF-8 (binary). */
  getBlobText(sha: string): Promise<string | null>;
  createBlob(content: string): Promise<{ sha: string }>;
  createTree(baseTreeSha: string, entries: NewTreeEntry[]): Promise<{ sha: string }>;
  createCommit(input: { message: string; treeSha: string; parentShas: string[] }): Promise<{ sha: string }>;
  /** `branch` without `refs/heads/`; `conflict` when it exists already. */
  createBranch(branch: string, commitSha: string): Promise<void>;
  /** Deletes the branch; resolves when it did not exist. */
  deleteBranch(branch: string): Promise<void>;
  createPullRequest(input: {
    title: string;
    body: string;
    head: string;
    base: string;
    draft: boolean;
  }): Promise<PullRequest>;
}

export type GitHubErrorCode =
  | "unauthorized" // 401: bad App key or expired token
  | "forbidden" // 403 without a rate limit: the installation lacks a permission or the repo
  | "not_found" // 404: no such repository, branch or object, or the installation cannot see it
  | "empty_repository" // 409 on git data of a repository without commits
  | "conflict" // 409/422: the branch exists already, or a stale ref
  | "rate_limited" // 403/429 with x-ratelimit-remaining: 0 or retry-after (primary or secondary)
  | "invalid" // 422 other than a conflict
  | "server" // 5xx
  | "network"; // fetch threw or timed out

export class GitHubError extends Error {
  override readonly name = "GitHubError";
  constructor(
    readonly code: GitHubErrorCode,
    message: string,
    readonly status: number | null = null,
    /** For rate limits: seconds until GitHub will accept requests again. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  /** Worth retrying later (the job's retry), as opposed to a failure a person must fix. */
  get retryable(): boolean {
    return this.code === "rate_limited" || this.code === "server" || this.code === "network";
  }
}
