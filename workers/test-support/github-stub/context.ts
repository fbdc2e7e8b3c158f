import { generateKeyPairSync, randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTree, filesOfFolder, flatten, put } from "./git-objects";
import { HttpError } from "./http";
import type {
  GitHubStubInstallationSeed,
  GitHubStubOptions,
  GitHubStubPull,
  GitHubStubUser,
  StubContext,
  StubInstallation,
  StubRepo,
} from "./types";
import { pullRequestEventPayload } from "./webhooks";

/** Permissions the stub's App holds; a token may ask for these or fewer. */
export const APP_PERMISSIONS: Record<string, string> = {
  contents: "write",
  pull_requests: "write",
  metadata: "read",
};
export const LEVEL: Record<string, number> = { read: 1, write: 2 };

/** Relative seed folders are read from the repository root, wherever the process started. */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A fresh stub's state with a new App key pair; the private halves go back to the test API. */
export function createContext(options: GitHubStubOptions) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ctx: StubContext = {
    appId: options.appId ?? "424242",
    slug: options.slug ?? "pushbunny-test",
    clientId: options.clientId ?? "Iv1.stubclient",
    clientSecret: options.clientSecret ?? "stub-client-secret",
    webhookSecret: options.webhookSecret ?? "stub-webhook-secret-0123456789",
    tokenTtlMs: options.tokenTtlMs ?? 60 * 60 * 1000,
    setupUrl: options.setupUrl ?? "http://localhost:8787/github/setup",
    appKey: publicKey,
    url: "",
    installations: new Map(),
    repos: new Map(),
    tokens: new Map(),
    userTokens: new Map(),
    oauthCodes: new Map(),
    failures: [],
    requests: [],
    jwts: [],
    nextInstallationId: 1001,
  };
  return {
    ctx,
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    privateKeyPkcs8Pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

export function addInstallation(
  ctx: StubContext,
  seed: GitHubStubInstallationSeed,
): { id: number; repositories: string[] } {
  const id = seed.id ?? ctx.nextInstallationId++;
  if (ctx.installations.has(id)) throw new HttpError(422, `installation ${id} exists already`);
  const names: string[] = [];
  for (const [name, repoSeed] of Object.entries(seed.repositories ?? {})) {
    const fullName = `${seed.account.login}/${name}`;
    if (ctx.repos.has(fullName)) throw new HttpError(422, `repository ${fullName} exists already`);
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
    ctx.repos.set(fullName, repo);
    names.push(fullName);
  }
  ctx.installations.set(id, {
    id,
    login: seed.account.login,
    accountType: seed.account.type ?? "Organization",
    selection: seed.repositorySelection ?? "selected",
    suspended: seed.suspended ?? false,
    repositories: names,
  });
  ctx.nextInstallationId = Math.max(ctx.nextInstallationId, id + 1);
  return { id, repositories: names };
}

/**
 * A code the setup callback can exchange for a user token that sees these installations. The
 * user is by default the one who installed them: the owner of a personal account among them
 * (else "stub-admin") and an active admin of every organization among them.
 */
export function addOAuthCode(
  ctx: StubContext,
  installationIds: number[],
  user: Partial<Omit<GitHubStubUser, "installationIds">> = {},
): string {
  const installs = installationIds.flatMap((id) => ctx.installations.get(id) ?? []);
  const memberships: GitHubStubUser["memberships"] = {};
  for (const inst of installs) {
    if (inst.accountType === "Organization") memberships[inst.login] = { state: "active", role: "admin" };
  }
  const code = randomBytes(10).toString("hex");
  ctx.oauthCodes.set(code, {
    login: user.login ?? installs.find((i) => i.accountType === "User")?.login ?? "stub-admin",
    installationIds,
    memberships: user.memberships ?? memberships,
  });
  return code;
}

export const repoOf = (ctx: StubContext, fullName: string) => {
  const repo = ctx.repos.get(fullName);
  if (!repo) throw new HttpError(404, `no repository ${fullName} in the stub`);
  return repo;
};

export const installationJson = (ctx: StubContext, inst: StubInstallation) => ({
  id: inst.id,
  app_id: Number(ctx.appId),
  app_slug: ctx.slug,
  account: { login: inst.login, type: inst.accountType },
  repository_selection: inst.selection,
  permissions: APP_PERMISSIONS,
  events: ["pull_request"],
  suspended_at: inst.suspended ? new Date(0).toISOString() : null,
});
export const repoJson = (ctx: StubContext, repo: StubRepo) => {
  const [owner = "", name = ""] = repo.fullName.split("/");
  return {
    full_name: repo.fullName,
    name,
    owner: { login: owner },
    private: repo.private,
    default_branch: repo.defaultBranch,
    html_url: `${ctx.url}/${repo.fullName}`,
  };
};
export const pullJson = (ctx: StubContext, repo: StubRepo, pull: GitHubStubPull) => ({
  number: pull.number,
  html_url: `${ctx.url}/${repo.fullName}/pull/${pull.number}`,
  title: pull.title,
  body: pull.body,
  state: pull.state,
  draft: pull.draft,
  merged: pull.merged,
  merged_at: pull.merged ? new Date().toISOString() : null,
  head: { ref: pull.head, sha: pull.headSha },
  base: { ref: pull.base, sha: repo.refs.get(pull.base) ?? null },
});

export function filesAt(ctx: StubContext, fullName: string, branch: string): Record<string, string> {
  const repo = repoOf(ctx, fullName);
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

export function commitOf(ctx: StubContext, fullName: string, sha: string) {
  const object = repoOf(ctx, fullName).objects.get(sha);
  return object?.type === "commit"
    ? { tree: object.tree, parents: [...object.parents], message: object.message }
    : null;
}

/** Ends a pull request as a person would, returning the webhook payload GitHub would send. */
export function closePull(ctx: StubContext, fullName: string, number: number, merged: boolean) {
  const repo = repoOf(ctx, fullName);
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
    defaultBranch: repo.defaultBranch,
  });
}
