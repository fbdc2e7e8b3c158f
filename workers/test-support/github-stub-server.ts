import {
  createHash,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * A GitHub stand-in for the App client and the agent: the App JWT (RS256, checked against the
 * key pair it generates), installations and their tokens, the git data API over real git object
 * ids, pull requests, the OAuth code exchange, and failures on command. One server plays both
 * https://api.github.com and https://github.com (their paths do not overlap).
 *
 * Tests in Node drive it through the returned object; tests in workerd cannot reach that object,
 * so the same controls are served under `/__stub/…` (see CONTROL below). State is keyed by
 * repository and installation: give each test its own account login and nothing is shared.
 */

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

type GitObject =
  | { type: "blob"; bytes: Buffer }
  | { type: "tree"; entries: TreeItem[] }
  | { type: "commit"; tree: string; parents: string[]; message: string };
interface TreeItem {
  name: string;
  mode: string;
  type: "blob" | "tree";
  sha: string;
}

interface StubRepo {
  fullName: string;
  defaultBranch: string;
  private: boolean;
  installationId: number;
  truncateTreeAt: number | undefined;
  objects: Map<string, GitObject>;
  refs: Map<string, string>;
  pulls: GitHubStubPull[];
}

interface StubInstallation {
  id: number;
  login: string;
  accountType: "User" | "Organization";
  selection: "all" | "selected";
  suspended: boolean;
  repositories: string[];
}

/** Permissions the stub's App holds; a token may ask for these or fewer. */
const APP_PERMISSIONS: Record<string, string> = {
  contents: "write",
  pull_requests: "write",
  metadata: "read",
};
const LEVEL: Record<string, number> = { read: 1, write: 2 };
const EMPTY_MESSAGE = "Git Repository is empty.";
const DEFAULT_MESSAGE: Record<number, string> = {
  401: "Bad credentials",
  403: "Resource not accessible by integration",
  404: "Not Found",
  409: "Conflict",
  422: "Validation Failed",
  429: "Too many requests",
  500: "Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const gitHash = (type: string, body: Buffer) =>
  createHash("sha1")
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest("hex");

/** Git's order for tree entries: names compared bytewise, a tree as if it ended in "/". */
const treeKey = (item: TreeItem) => (item.type === "tree" ? `${item.name}/` : item.name);

function put(repo: StubRepo, object: GitObject): string {
  let body: Buffer;
  if (object.type === "blob") body = object.bytes;
  else if (object.type === "tree") {
    const sorted = [...object.entries].sort((a, b) =>
      Buffer.compare(Buffer.from(treeKey(a)), Buffer.from(treeKey(b))),
    );
    object.entries.splice(0, object.entries.length, ...sorted);
    body = Buffer.concat(
      sorted.flatMap((item) => [Buffer.from(`${item.mode} ${item.name}\0`), Buffer.from(item.sha, "hex")]),
    );
  } else {
    const lines = [`tree ${object.tree}`, ...object.parents.map((parent) => `parent ${parent}`)];
    const who = `PushBunny Stub <stub@example.com> ${Math.floor(Date.now() / 1000)} +0000`;
    body = Buffer.from(`${lines.join("\n")}\nauthor ${who}\ncommitter ${who}\n\n${object.message}`);
  }
  const sha = gitHash(object.type, body);
  repo.objects.set(sha, object);
  return sha;
}

/** Every blob under a tree as path → { mode, sha }. */
function flatten(repo: StubRepo, treeSha: string, prefix = ""): Map<string, { mode: string; sha: string }> {
  const out = new Map<string, { mode: string; sha: string }>();
  const tree = repo.objects.get(treeSha);
  if (tree?.type !== "tree") return out;
  for (const item of tree.entries) {
    const path = `${prefix}${item.name}`;
    if (item.type === "tree") for (const [p, v] of flatten(repo, item.sha, `${path}/`)) out.set(p, v);
    else out.set(path, { mode: item.mode, sha: item.sha });
  }
  return out;
}

/** Builds nested trees from path → blob and returns the root tree's sha. */
function buildTree(repo: StubRepo, files: Map<string, { mode: string; sha: string }>): string {
  const children = new Map<string, Map<string, { mode: string; sha: string }>>();
  const entries: TreeItem[] = [];
  for (const [path, blob] of files) {
    const slash = path.indexOf("/");
    if (slash === -1) entries.push({ name: path, mode: blob.mode, type: "blob", sha: blob.sha });
    else {
      const folder = path.slice(0, slash);
      const sub = children.get(folder) ?? new Map();
      sub.set(path.slice(slash + 1), blob);
      children.set(folder, sub);
    }
  }
  for (const [name, sub] of children)
    entries.push({ name, mode: "040000", type: "tree", sha: buildTree(repo, sub) });
  return put(repo, { type: "tree", entries });
}

/** The files of a folder on disk keyed by repository path. */
export function filesOfFolder(folder: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(folder, full).split(sep).join("/")] = readFileSync(full);
    }
  };
  walk(folder);
  return files;
}

/** Relative seed folders are read from the repository root, wherever the process started. */
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** The `X-Hub-Signature-256` GitHub sends for a body. */
export function signGitHubWebhookBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** A `pull_request` event payload shaped as GitHub sends it (the fields the Worker reads, and some). */
export function pullRequestEventPayload(input: {
  action: string;
  installationId: number;
  repository: string;
  number: number;
  merged?: boolean;
  headRef: string;
  baseRef: string;
  draft?: boolean;
}): Record<string, unknown> {
  const [owner = "", name = ""] = input.repository.split("/");
  const merged = input.merged ?? false;
  return {
    action: input.action,
    number: input.number,
    pull_request: {
      number: input.number,
      state: input.action === "closed" ? "closed" : "open",
      draft: input.draft ?? true,
      merged,
      merged_at: merged ? new Date().toISOString() : null,
      head: { ref: input.headRef, sha: "0".repeat(40) },
      base: { ref: input.baseRef, sha: "0".repeat(40) },
      html_url: `https://github.com/${input.repository}/pull/${input.number}`,
    },
    repository: { full_name: input.repository, name, owner: { login: owner } },
    installation: { id: input.installationId },
    sender: { login: owner },
  };
}

/** Starts the stub on 127.0.0.1 at a free port. */
export async function startGitHubStub(options: GitHubStubOptions = {}) {
  const appId = options.appId ?? "424242";
  const slug = options.slug ?? "pushbunny-test";
  const clientId = options.clientId ?? "Iv1.stubclient";
  const clientSecret = options.clientSecret ?? "stub-client-secret";
  const webhookSecret = options.webhookSecret ?? "stub-webhook-secret-0123456789";
  const tokenTtlMs = options.tokenTtlMs ?? 60 * 60 * 1000;
  const setupUrl = options.setupUrl ?? "http://localhost:8787/github/setup";
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const privateKeyPkcs8Pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  let appKey: KeyObject = publicKey;

  const installations = new Map<number, StubInstallation>();
  const repos = new Map<string, StubRepo>();
  const tokens = new Map<string, GitHubStubMintedToken>();
  const userTokens = new Map<string, number[]>();
  const oauthCodes = new Map<string, number[]>();
  const failures: { repo: string | null; failure: GitHubStubFailure; left: number }[] = [];
  const requests: GitHubStubRequest[] = [];
  const jwts: { header: Record<string, unknown>; payload: Record<string, unknown> }[] = [];
  let nextInstallationId = 1001;
  let url = "";

  function addInstallation(seed: GitHubStubInstallationSeed): { id: number; repositories: string[] } {
    const id = seed.id ?? nextInstallationId++;
    if (installations.has(id)) throw new HttpError(422, `installation ${id} exists already`);
    const names: string[] = [];
    for (const [name, repoSeed] of Object.entries(seed.repositories ?? {})) {
      const fullName = `${seed.account.login}/${name}`;
      if (repos.has(fullName)) throw new HttpError(422, `repository ${fullName} exists already`);
      const repo: StubRepo = {
        fullName,
        defaultBranch: repoSeed.defaultBranch ?? "main",
        private: repoSeed.private ?? true,
        installationId: id,
        truncateTreeAt: repoSeed.truncateTreeAt,
        objects: new Map(),
        refs: new Map(),
        pulls: [],
      };
      if (!repoSeed.empty) {
        const files = {
          ...(repoSeed.folder ? filesOfFolder(resolve(REPO_ROOT, repoSeed.folder)) : {}),
          ...repoSeed.files,
        };
        const flat = new Map<string, { mode: string; sha: string }>();
        for (const [path, content] of Object.entries(files)) {
          const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
          flat.set(path, { mode: "100644", sha: put(repo, { type: "blob", bytes }) });
        }
        const tree = buildTree(repo, flat);
        repo.refs.set(
          repo.defaultBranch,
          put(repo, { type: "commit", tree, parents: [], message: "Initial commit" }),
        );
      }
      repos.set(fullName, repo);
      names.push(fullName);
    }
    installations.set(id, {
      id,
      login: seed.account.login,
      accountType: seed.account.type ?? "Organization",
      selection: seed.repositorySelection ?? "selected",
      suspended: seed.suspended ?? false,
      repositories: names,
    });
    nextInstallationId = Math.max(nextInstallationId, id + 1);
    return { id, repositories: names };
  }

  /** A code the setup callback can exchange for a user token that sees these installations. */
  function addOAuthCode(installationIds: number[]): string {
    const code = randomBytes(10).toString("hex");
    oauthCodes.set(code, installationIds);
    return code;
  }

  function setFailure(failure: GitHubStubFailure, scope: { repo?: string } = {}) {
    failures.push({ repo: scope.repo ?? null, failure, left: failure.times ?? Number.POSITIVE_INFINITY });
  }

  function clearFailures(scope: { repo?: string } = {}) {
    for (let i = failures.length - 1; i >= 0; i -= 1) {
      if (scope.repo === undefined || failures[i]?.repo === scope.repo) failures.splice(i, 1);
    }
  }

  const repoOf = (fullName: string) => {
    const repo = repos.get(fullName);
    if (!repo) throw new HttpError(404, `no repository ${fullName} in the stub`);
    return repo;
  };

  const installationJson = (inst: StubInstallation) => ({
    id: inst.id,
    app_id: Number(appId),
    app_slug: slug,
    account: { login: inst.login, type: inst.accountType },
    repository_selection: inst.selection,
    permissions: APP_PERMISSIONS,
    events: ["pull_request"],
    suspended_at: inst.suspended ? new Date(0).toISOString() : null,
  });
  const repoJson = (repo: StubRepo) => {
    const [owner = "", name = ""] = repo.fullName.split("/");
    return {
      full_name: repo.fullName,
      name,
      owner: { login: owner },
      private: repo.private,
      default_branch: repo.defaultBranch,
      html_url: `${url}/${repo.fullName}`,
    };
  };
  const pullJson = (repo: StubRepo, pull: GitHubStubPull) => ({
    number: pull.number,
    html_url: `${url}/${repo.fullName}/pull/${pull.number}`,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    draft: pull.draft,
    merged: pull.merged,
    merged_at: pull.merged ? new Date().toISOString() : null,
    head: { ref: pull.head, sha: pull.headSha },
    base: { ref: pull.base, sha: repo.refs.get(pull.base) ?? null },
  });

  function filesAt(fullName: string, branch: string): Record<string, string> {
    const repo = repoOf(fullName);
    const head = repo.refs.get(branch);
    if (!head) throw new HttpError(404, `no branch ${branch} in ${fullName}`);
    const commit = repo.objects.get(head);
    if (commit?.type !== "commit") throw new Error(`${head} is not a commit`);
    const out: Record<string, string> = {};
    for (const [path, blob] of flatten(repo, commit.tree)) {
      const object = repo.objects.get(blob.sha);
      if (object?.type === "blob") out[path] = object.bytes.toString("utf8");
    }
    return out;
  }

  function commitOf(fullName: string, sha: string) {
    const object = repoOf(fullName).objects.get(sha);
    return object?.type === "commit"
      ? { tree: object.tree, parents: [...object.parents], message: object.message }
      : null;
  }

  /** Ends a pull request as a person would, returning the webhook payload GitHub would send. */
  function closePull(fullName: string, number: number, merged: boolean) {
    const repo = repoOf(fullName);
    const pull = repo.pulls.find((p) => p.number === number);
    if (!pull) throw new HttpError(404, `no pull request #${number} in ${fullName}`);
    pull.state = "closed";
    pull.merged = merged;
    if (merged) {
      const head = repo.refs.get(pull.head);
      if (head) repo.refs.set(pull.base, head);
    }
    return pullRequestEventPayload({
      action: "closed",
      installationId: repo.installationId,
      repository: fullName,
      number,
      merged,
      headRef: pull.head,
      baseRef: pull.base,
      draft: pull.draft,
    });
  }

  function webhookRequest(payload: unknown, event = "pull_request") {
    const body = JSON.stringify(payload);
    return {
      body,
      headers: {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/stub",
        "x-github-event": event,
        "x-github-delivery": crypto.randomUUID(),
        "x-github-hook-installation-target-type": "integration",
        "x-hub-signature-256": signGitHubWebhookBody(webhookSecret, body),
      },
    };
  }

  // ---------------------------------------------------------------- authentication

  function verifyAppJwt(req: IncomingMessage) {
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
    if (!verify("sha256", Buffer.from(`${h}.${p}`), appKey, Buffer.from(s, "base64url"))) {
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
    if (String(iss) !== appId) throw new HttpError(401, "'Issuer' claim ('iss') must be the App's ID");
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
    jwts.push({ header, payload });
  }

  function installationToken(req: IncomingMessage): GitHubStubMintedToken {
    const value = /^(?:Bearer|token) (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const token = value ? tokens.get(value) : undefined;
    if (!token || token.expiresAt.getTime() <= Date.now()) throw new HttpError(401, "Bad credentials");
    if (!installations.has(token.installationId)) throw new HttpError(401, "Bad credentials");
    return token;
  }

  /** The repository a token may reach; GitHub hides what a token cannot see behind 404. */
  function repoFor(req: IncomingMessage, fullName: string, need: "read" | "contents" | "pulls"): StubRepo {
    const token = installationToken(req);
    const repo = repos.get(fullName);
    const visible =
      repo !== undefined &&
      repo.installationId === token.installationId &&
      (token.repositories === null || token.repositories.includes(fullName));
    if (!repo || !visible) throw new HttpError(404, "Not Found");
    if (installations.get(repo.installationId)?.suspended)
      throw new HttpError(403, "This installation has been suspended");
    const permission = need === "contents" ? "contents" : need === "pulls" ? "pull_requests" : null;
    if (permission && token.permissions[permission] !== "write") {
      throw new HttpError(403, "Resource not accessible by integration");
    }
    return repo;
  }

  // ---------------------------------------------------------------- routes

  function paged<T>(req: IncomingMessage, items: T[], path: string) {
    const query = new URL(req.url ?? "/", "http://stub").searchParams;
    const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
    const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      headers.link = `<${url}${path}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
    }
    return { slice, headers };
  }

  type Reply = { status: number; body?: unknown; headers?: Record<string, string>; raw?: string };

  function gitData(
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
        if (
          typeof path !== "string" ||
          path === "" ||
          path.startsWith("/") ||
          path.split("/").includes("..")
        ) {
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

  function pulls(repo: StubRepo, method: string, body: Record<string, unknown>, req: IncomingMessage): Reply {
    if (method === "GET") {
      const { slice, headers } = paged(
        req,
        repo.pulls.map((pull) => pullJson(repo, pull)),
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
    return { status: 201, body: pullJson(repo, pull) };
  }

  function mintToken(req: IncomingMessage, id: number, body: Record<string, unknown>): Reply {
    verifyAppJwt(req);
    const inst = installations.get(id);
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
      expiresAt: new Date(Date.now() + tokenTtlMs),
      permissions: { ...requested },
      repositories,
    };
    tokens.set(token.token, token);
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

  function oauthExchange(req: IncomingMessage, raw: string): Reply {
    let params: Record<string, unknown>;
    const type = req.headers["content-type"] ?? "";
    try {
      params = type.includes("json") ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      params = {};
    }
    let answer: Record<string, string>;
    if (params.client_id !== clientId || params.client_secret !== clientSecret) {
      answer = {
        error: "incorrect_client_credentials",
        error_description: "The client_id and/or client_secret passed are incorrect.",
      };
    } else {
      const ids = typeof params.code === "string" ? oauthCodes.get(params.code) : undefined;
      if (!ids) {
        answer = {
          error: "bad_verification_code",
          error_description: "The code passed is incorrect or expired.",
        };
      } else {
        oauthCodes.delete(params.code as string);
        const token = `ghu_${randomBytes(18).toString("base64url")}`;
        userTokens.set(token, ids);
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

  /** POSTs a signed delivery to `target`; the reply says what the receiver answered. */
  async function deliver(target: string, payload: unknown): Promise<Reply> {
    const request = webhookRequest(payload);
    const res = await fetch(target, { method: "POST", headers: request.headers, body: request.body });
    return { status: 200, body: { ...request, delivered: { status: res.status, body: await res.text() } } };
  }

  /**
   * The install page: "installs" the App on the installation named by `installation_id` (default
   * the newest) and sends the browser to the setup URL with a fresh OAuth code, as GitHub does
   * with "Request user authorization (OAuth) during installation" on.
   */
  function installPage(query: URLSearchParams): Reply {
    const chosen = query.get("installation_id") ?? String(Math.max(0, ...installations.keys()));
    const inst = installations.get(Number(chosen));
    if (!inst) throw new HttpError(404, "no installation to install: seed one first");
    const back = new URL(setupUrl);
    back.searchParams.set("installation_id", String(inst.id));
    back.searchParams.set("setup_action", "install");
    back.searchParams.set("code", addOAuthCode([inst.id]));
    const state = query.get("state");
    if (state !== null) back.searchParams.set("state", state);
    return { status: 302, headers: { location: back.toString() }, body: {} };
  }

  function control(
    method: string,
    path: string,
    body: Record<string, unknown>,
    query: URLSearchParams,
  ): Reply | Promise<Reply> {
    if (method === "POST" && path === "/__stub/installations") {
      const created = addInstallation(body as unknown as GitHubStubInstallationSeed);
      return { status: 201, body: { id: created.id, repositories: created.repositories } };
    }
    if (method === "POST" && path === "/__stub/oauth-codes") {
      const ids = Array.isArray(body.installation_ids) ? body.installation_ids.map(Number) : [];
      return { status: 201, body: { code: addOAuthCode(ids) } };
    }
    if (method === "POST" && path === "/__stub/failures") {
      const { repo, ...failure } = body as GitHubStubFailure & { repo?: string };
      setFailure(failure, repo === undefined ? {} : { repo });
      return { status: 204 };
    }
    if (method === "DELETE" && path === "/__stub/failures") {
      clearFailures(typeof body.repo === "string" ? { repo: body.repo } : {});
      return { status: 204 };
    }
    if (method === "POST" && path === "/__stub/tokens/expire") {
      for (const token of tokens.values()) token.expiresAt = new Date(0);
      return { status: 204 };
    }
    if (path.startsWith("/__stub/repos/")) {
      // The repository may come as two segments (acme/web) or one encoded (acme%2Fweb).
      const segments = path.slice("/__stub/repos/".length).split("/").map(decodeURIComponent);
      const joined = segments[0]?.includes("/") ?? false;
      const fullName = joined ? (segments[0] ?? "") : `${segments[0]}/${segments[1]}`;
      const tail = segments.slice(joined ? 1 : 2);
      if (method === "GET" && tail.length === 0) {
        const repo = repoOf(fullName);
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
        return { status: 200, body: filesAt(fullName, tail.slice(1).join("/")) };
      }
      if (method === "POST" && tail[0] === "pulls" && (tail[2] === "merge" || tail[2] === "close")) {
        const payload = closePull(fullName, Number(tail[1]), tail[2] === "merge");
        const target = query.get("deliver");
        return target ? deliver(target, payload) : { status: 200, body: webhookRequest(payload) };
      }
    }
    throw new HttpError(404, "no such control route");
  }

  function route(req: IncomingMessage, method: string, path: string, raw: string): Reply | Promise<Reply> {
    let body: Record<string, unknown> = {};
    if (raw && !path.startsWith("/login/oauth/")) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new HttpError(400, "Problems parsing JSON");
      }
    }
    const query = new URL(req.url ?? "/", "http://stub").searchParams;
    if (path.startsWith("/__stub/")) return control(method, path, body, query);
    if (method === "GET" && path === `/apps/${slug}/installations/new`) return installPage(query);
    if (method === "POST" && path === "/login/oauth/access_token") return oauthExchange(req, raw);
    let match = /^\/app\/installations\/(\d+)(\/access_tokens)?$/.exec(path);
    if (match) {
      const id = Number(match[1]);
      if (match[2] && method === "POST") return mintToken(req, id, body);
      if (!match[2] && method === "GET") {
        verifyAppJwt(req);
        const inst = installations.get(id);
        if (!inst) throw new HttpError(404, "Not Found");
        return { status: 200, body: installationJson(inst) };
      }
    }
    if (method === "GET" && path === "/installation/repositories") {
      const token = installationToken(req);
      const inst = installations.get(token.installationId);
      const names = (inst?.repositories ?? []).filter(
        (n) => token.repositories === null || token.repositories.includes(n),
      );
      const { slice, headers } = paged(
        req,
        names.map((n) => repoJson(repoOf(n))),
        path,
      );
      return { status: 200, body: { total_count: names.length, repositories: slice }, headers };
    }
    if (method === "GET" && path === "/user/installations") {
      const value = /^(?:Bearer|token) (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const ids = value ? userTokens.get(value) : undefined;
      if (!ids) throw new HttpError(401, "Bad credentials");
      const list = ids.flatMap((id) => {
        const inst = installations.get(id);
        return inst ? [installationJson(inst)] : [];
      });
      const { slice, headers } = paged(req, list, path);
      return { status: 200, body: { total_count: list.length, installations: slice }, headers };
    }
    match = /^\/repos\/([^/]+\/[^/]+?)(?:\/(git|pulls)(?:\/(.*))?)?$/.exec(path);
    if (match) {
      const fullName = decodeURIComponent(match[1] ?? "");
      const area = match[2];
      if (!area && method === "GET") return { status: 200, body: repoJson(repoFor(req, fullName, "read")) };
      if (area === "git") {
        const need = method === "GET" ? "read" : "contents";
        return gitData(repoFor(req, fullName, need), method, match[3] ?? "", body, req);
      }
      if (area === "pulls" && !match[3]) {
        return pulls(repoFor(req, fullName, method === "GET" ? "read" : "pulls"), method, body, req);
      }
    }
    throw new HttpError(404, "Not Found");
  }

  /** The failure to play for this request, if any; a failure with `times` counts down. */
  function failureFor(method: string, path: string): Reply | null {
    const repoName = /^\/repos\/([^/]+\/[^/]+?)(?:\/|$)/.exec(path)?.[1];
    for (const entry of failures) {
      if (entry.left <= 0) continue;
      if (entry.repo !== null && entry.repo !== repoName) continue;
      const { failure } = entry;
      if (failure.match && !`${method} ${path}`.includes(failure.match)) continue;
      if (failure.empty && !path.includes("/git/")) continue;
      entry.left -= 1;
      if (failure.rateLimit === "primary" || failure.rateLimit === true) {
        const reset = Math.floor(Date.now() / 1000) + 60;
        return {
          status: 403,
          body: { message: failure.message ?? "API rate limit exceeded for installation ID 1." },
          headers: {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": String(reset),
          },
        };
      }
      if (failure.rateLimit === "secondary") {
        return {
          status: 403,
          body: {
            message:
              failure.message ??
              "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          },
          headers: { "retry-after": "30", "x-ratelimit-remaining": "4000" },
        };
      }
      if (failure.empty) return { status: 409, body: { message: failure.message ?? EMPTY_MESSAGE } };
      const status = failure.status ?? 500;
      return {
        status,
        body: { message: failure.message ?? DEFAULT_MESSAGE[status] ?? "Error" },
        headers: status === 429 ? { "retry-after": "10" } : {},
      };
    }
    return null;
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void respond(req, res, Buffer.concat(chunks).toString("utf8"));
    });
  });

  /** Answers one request: a failure on command, or the route. */
  async function respond(req: IncomingMessage, res: ServerResponse, raw: string) {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://stub").pathname;
    let reply: Reply;
    try {
      reply =
        (!path.startsWith("/__stub/") && failureFor(method, path)) || (await route(req, method, path, raw));
    } catch (error) {
      if (error instanceof HttpError) {
        reply = {
          status: error.status,
          body: {
            message: error.message,
            documentation_url: "https://docs.github.com/rest",
            ...error.extra,
          },
          headers: error.headers,
        };
      } else {
        reply = { status: 500, body: { message: error instanceof Error ? error.message : String(error) } };
      }
    }
    if (!path.startsWith("/__stub/")) {
      requests.push({
        method,
        path,
        status: reply.status,
        userAgent: req.headers["user-agent"],
        apiVersion: req.headers["x-github-api-version"] as string | undefined,
        accept: req.headers.accept,
      });
    }
    if (reply.status === 204) {
      res.writeHead(204, reply.headers ?? {});
      res.end();
      return;
    }
    res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", ...reply.headers });
    res.end(reply.raw ?? JSON.stringify(reply.body ?? {}));
  }
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  // The run's lifetime: never what keeps the process from exiting.
  server.unref();
  server.on("connection", (socket) => socket.unref());
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  for (const seed of options.installations ?? []) addInstallation(seed);

  return {
    /** Both the API URL and the web URL (GITHUB_API_URL and GITHUB_WEB_URL). */
    url,
    appId,
    slug,
    clientId,
    clientSecret,
    webhookSecret,
    /** The App's key as GitHub downloads it (PKCS#1). */
    privateKeyPem,
    /** The same key as PKCS#8. */
    privateKeyPkcs8Pem,
    addInstallation,
    addOAuthCode,
    setFailure,
    clearFailures,
    /** Makes the stub verify App JWTs against another public key (a rotated or wrong key). */
    setAppPublicKey(pem: string) {
      appKey = createPublicKey(pem);
    },
    /** Marks every minted installation token expired. */
    expireTokens() {
      for (const token of tokens.values()) token.expiresAt = new Date(0);
    },
    state: {
      branches: (fullName: string) => Object.fromEntries(repoOf(fullName).refs) as Record<string, string>,
      files: filesAt,
      commit: commitOf,
      pulls: (fullName: string) => repoOf(fullName).pulls.map((pull) => ({ ...pull })),
      tokens: () => [...tokens.values()].map((token) => ({ ...token })),
      requests: () => [...requests],
      jwts: () => [...jwts],
      mergePull: (fullName: string, number: number) => closePull(fullName, number, true),
      closePull: (fullName: string, number: number) => closePull(fullName, number, false),
    },
    /** A delivery's body and headers (signed with webhookSecret) for `SELF.fetch` or fetch. */
    webhookRequest,
    /** POSTs a signed delivery to a URL. */
    deliverWebhook(target: string, payload: unknown, event = "pull_request") {
      const request = webhookRequest(payload, event);
      return fetch(target, { method: "POST", headers: request.headers, body: request.body });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type GitHubStub = Awaited<ReturnType<typeof startGitHubStub>>;

/**
 * The same JWT the client makes, from Node's crypto: for tests that need a token signed by a key
 * the stub does not trust.
 */
export function signAppJwt(appId: string, privateKeyPem: string, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const input = `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${b64url(JSON.stringify({ iat: now - 60, exp: now + 540, iss: appId }))}`;
  return `${input}.${b64url(sign("sha256", Buffer.from(input), privateKeyPem))}`;
}

// Standalone (Node >= 22.15):
//   node --import ./scripts/register-ts.mjs workers/test-support/github-stub-server.ts [--port 8790]
// starts a stub with the next-app fixture as acme/web (installation 1001) and prints the lines
// for .dev.vars that point `pnpm dev` at it. The App key is new on every start.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const portArg = process.argv.indexOf("--port");
  const stub = await startGitHubStub({
    port: portArg === -1 ? 0 : Number(process.argv[portArg + 1]),
    installations: [
      {
        id: 1001,
        account: { login: "acme" },
        repositories: { web: { folder: "packages/agent/test/fixtures/next-app" } },
      },
    ],
  });
  // The stub unrefs its server for test runs; standalone, this keeps the process alive.
  setInterval(() => {}, 1 << 30);
  const vars = {
    GITHUB_API_URL: stub.url,
    GITHUB_WEB_URL: stub.url,
    GITHUB_APP_ID: stub.appId,
    GITHUB_APP_SLUG: stub.slug,
    GITHUB_CLIENT_ID: stub.clientId,
    GITHUB_CLIENT_SECRET: stub.clientSecret,
    GITHUB_WEBHOOK_SECRET: stub.webhookSecret,
    GITHUB_APP_PRIVATE_KEY: stub.privateKeyPem,
  };
  console.error(`GitHub stub on ${stub.url}: installation 1001 (acme) with acme/web; .dev.vars lines:`);
  for (const [name, value] of Object.entries(vars)) console.log(`${name}=${JSON.stringify(value)}`);
}
