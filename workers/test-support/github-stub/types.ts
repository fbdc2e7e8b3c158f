import type { KeyObject } from "node:crypto";

/** A repository to seed: files (or a folder of them) make one initial commit on the default branch. */
export interface GitHubStubRepoSeed {
  files?: Record<string, string | Uint8Array>;
  /** A folder whose files are seeded; relative to the repository root (packages/agent/test/fixtures/next-app). */
  folder?: string;
  defaultBranch?: string;
  private?: boolean;
  /** No commits at all: git data answers 409 "Git Repository is empty." as GitHub does. */
  empty?: boolean;
  /** Recursive tree listings stop after this many entries and say `truncated: true`. */
  truncateTreeAt?: number;
}

export interface GitHubStubInstallationSeed {
  /** Default: the next free id from 1001. */
  id?: number;
  account: { login: string; type?: "User" | "Organization" };
  /** Keyed by repository name (without the owner, which is the account's login). */
  repositories?: Record<string, GitHubStubRepoSeed>;
  repositorySelection?: "all" | "selected";
  suspended?: boolean;
}

/**
 * A failure to play. `status` alone answers that status with GitHub's usual message;
 * `rateLimit` plays a primary (403, x-ratelimit-remaining: 0, x-ratelimit-reset) or secondary
 * (403, retry-after) limit; `empty` answers git data calls 409 "Git Repository is empty.".
 */
export interface GitHubStubFailure {
  status?: 401 | 403 | 404 | 409 | 422 | 429 | 500 | 502 | 503;
  /** `true` is a primary limit. */
  rateLimit?: "primary" | "secondary" | true;
  empty?: boolean;
  message?: string;
  /** Only requests whose `METHOD /path` contains this (e.g. "POST /repos/acme/web/git/refs"). */
  match?: string;
  /** How many requests fail before the failure clears itself; default every one. */
  times?: number;
}

/** Who a user token (an OAuth code's) belongs to: what GET /user and its memberships answer. */
export interface GitHubStubUser {
  login: string;
  installationIds: number[];
  /** By organization login: GET /user/memberships/orgs/{org}; absent means not a member (404). */
  memberships: Record<string, { state: "active" | "pending"; role: "admin" | "member" }>;
}

export interface GitHubStubOptions {
  appId?: string;
  slug?: string;
  clientId?: string;
  clientSecret?: string;
  webhookSecret?: string;
  installations?: GitHubStubInstallationSeed[];
  /** Installation token lifetime; GitHub's is one hour. */
  tokenTtlMs?: number;
  /**
   * Where the install page (`/apps/<slug>/installations/new`) sends the browser back to, as GitHub
   * does with the App's callback URL; default the local Worker's http://localhost:8787/github/setup.
   */
  setupUrl?: string;
  /** Default a free port. */
  port?: number;
}

export interface GitHubStubPull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  headSha: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
}

export interface GitHubStubMintedToken {
  token: string;
  installationId: number;
  expiresAt: Date;
  permissions: Record<string, string>;
  /** Full names, or null for every repository of the installation. */
  repositories: string[] | null;
}

export interface GitHubStubRequest {
  method: string;
  path: string;
  status: number;
  userAgent: string | undefined;
  apiVersion: string | undefined;
  accept: string | undefined;
}

export type GitObject =
  | { type: "blob"; bytes: Buffer }
  | { type: "tree"; entries: TreeItem[] }
  | { type: "commit"; tree: string; parents: string[]; message: string };
export interface TreeItem {
  name: string;
  mode: string;
  type: "blob" | "tree";
  sha: string;
}

export interface StubRepo {
  fullName: string;
  defaultBranch: string;
  private: boolean;
  installationId: number;
  truncateTreeAt: number | undefined;
  objects: Map<string, GitObject>;
  refs: Map<string, string>;
  pulls: GitHubStubPull[];
}

export interface StubInstallation {
  id: number;
  login: string;
  accountType: "User" | "Organization";
  selection: "all" | "selected";
  suspended: boolean;
  repositories: string[];
}

/** What a route answers; `raw` is sent as is (the form-encoded OAuth answer), else `body` as JSON. */
export type Reply = { status: number; body?: unknown; headers?: Record<string, string>; raw?: string };

/**
 * Everything one stub holds. Routes and the test API share it, so a seed or a failure set through
 * either side is seen by the other. `url` and `appKey` change after start (listen, key rotation).
 */
export interface StubContext {
  appId: string;
  slug: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  tokenTtlMs: number;
  setupUrl: string;
  appKey: KeyObject;
  url: string;
  installations: Map<number, StubInstallation>;
  repos: Map<string, StubRepo>;
  tokens: Map<string, GitHubStubMintedToken>;
  userTokens: Map<string, GitHubStubUser>;
  oauthCodes: Map<string, GitHubStubUser>;
  failures: { repo: string | null; failure: GitHubStubFailure; left: number }[];
  requests: GitHubStubRequest[];
  jwts: { header: Record<string, unknown>; payload: Record<string, unknown> }[];
  nextInstallationId: number;
}
