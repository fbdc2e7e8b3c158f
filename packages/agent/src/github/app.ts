import { createAppJwt } from "./app-jwt";
import type { GitHubCall } from "./errors";
import {
  baseUrl,
  type GitHubTransport,
  malformed,
  numberField,
  objectField,
  send,
  sendJson,
  sendPaged,
  stringField,
} from "./http";
import { repositoryInfo } from "./repo";
import { GitHubError, type RepositoryInfo } from "./types";

/** One GitHub App per deployment (ADR 0025); the base URLs differ on GitHub Enterprise and in tests. */
export interface GitHubAppConfig extends GitHubTransport {
  appId: string;
  /** The App's private key as GitHub downloads it (PKCS#1) or as PKCS#8. */
  privateKeyPem: string;
  slug: string;
  /** https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server. */
  apiUrl: string;
  /** https://github.com, or https://HOST on GitHub Enterprise Server. */
  webUrl: string;
  clientId?: string;
  clientSecret?: string;
}

export interface InstallationToken {
  token: string;
  expiresAt: Date;
}

export interface Installation {
  id: number;
  accountLogin: string;
  /** "User" or "Organization". */
  accountType: string;
  repositorySelection: "all" | "selected";
  suspended: boolean;
}

/** What an installation token may do: the agent writes one branch and opens one PR, nothing else. */
export const INSTALLATION_PERMISSIONS = {
  contents: "write",
  pull_requests: "write",
  metadata: "read",
} as const;

function installationPath(installationId: number): string {
  if (!Number.isSafeInteger(installationId) || installationId <= 0) {
    throw new GitHubError("invalid", `installation id ${installationId} is not a positive integer`);
  }
  return String(installationId);
}

/** The repository name GitHub's `repositories` narrowing takes: without the owner. */
function repositoryName(name: string): string {
  const short = name.includes("/") ? name.slice(name.indexOf("/") + 1) : name;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(short)) {
    throw new GitHubError("invalid", `"${name}" is not a repository name`);
  }
  return short;
}

/**
 * A one-hour installation token narrowed to contents:write, pull_requests:write and metadata:read,
 * and to `repositories` when given (names, with or without the owner). Never stored: mint per job.
 */
export async function mintInstallationToken(
  config: GitHubAppConfig,
  installationId: number,
  options: { repositories?: string[]; nowMs?: number } = {},
): Promise<InstallationToken> {
  const id = installationPath(installationId);
  const nowMs = options.nowMs ?? Date.now();
  const call: GitHubCall = {
    action: `mint a token for installation ${id}`,
    auth: "app",
    notFound: `installation ${id} does not exist for this App (it was uninstalled, or GITHUB_APP_ID names another App)${
      options.repositories?.length
        ? `, or the installation cannot see ${options.repositories.join(", ")}`
        : ""
    }`,
    now: nowMs,
  };
  const jwt = await createAppJwt(config, nowMs);
  const { body } = await sendJson(config, {
    url: `${baseUrl(config.apiUrl)}/app/installations/${id}/access_tokens`,
    method: "POST",
    token: jwt,
    body: {
      permissions: INSTALLATION_PERMISSIONS,
      // An empty list would be refused; no list means every repository of the installation.
      ...(options.repositories?.length ? { repositories: options.repositories.map(repositoryName) } : {}),
    },
    call,
  });
  const expiresAt = new Date(stringField(body, "expires_at", call));
  if (Number.isNaN(expiresAt.getTime())) throw malformed(call, '"expires_at" is not a time');
  return { token: stringField(body, "token", call), expiresAt };
}

/** The installation's account and state, read with the App's JWT. */
export async function getInstallation(
  config: GitHubAppConfig,
  installationId: number,
  nowMs = Date.now(),
): Promise<Installation> {
  const id = installationPath(installationId);
  const call: GitHubCall = {
    action: `read installation ${id}`,
    auth: "app",
    notFound: `installation ${id} does not exist for this App`,
    now: nowMs,
  };
  const { body } = await sendJson(config, {
    url: `${baseUrl(config.apiUrl)}/app/installations/${id}`,
    token: await createAppJwt(config, nowMs),
    call,
  });
  const account = objectField(body, "account", call);
  const selection = body.repository_selection;
  return {
    id: numberField(body, "id", call),
    accountLogin: stringField(account, "login", call),
    accountType: typeof account.type === "string" ? account.type : "User",
    repositorySelection: selection === "selected" ? "selected" : "all",
    suspended: typeof body.suspended_at === "string",
  };
}

/** Where a person installs the App; GitHub hands `state` back to the setup URL. */
export function installUrl(config: Pick<GitHubAppConfig, "webUrl" | "slug">, state: string): string {
  return `${baseUrl(config.webUrl)}/apps/${encodeURIComponent(config.slug)}/installations/new?state=${encodeURIComponent(state)}`;
}

/** Repositories an installation token can reach. */
export async function listInstallationRepositories(
  config: GitHubTransport & Pick<GitHubAppConfig, "apiUrl">,
  token: string,
): Promise<RepositoryInfo[]> {
  const call: GitHubCall = { action: "list the installation's repositories", auth: "installation" };
  const items = await sendPaged(
    config,
    { url: `${baseUrl(config.apiUrl)}/installation/repositories`, token, call },
    "repositories",
  );
  return items.map((item) => {
    if (!item || typeof item !== "object") throw malformed(call, "a repository that is not an object");
    return repositoryInfo(item as Record<string, unknown>, call);
  });
}

/**
 * The open pull request from `branch` of `fullName` (the same repository, not a fork), or null:
 * how a retried run finds the PR an earlier attempt opened before it died, instead of opening
 * a second one.
 */
export async function findOpenPullRequest(
  config: GitHubTransport & Pick<GitHubAppConfig, "apiUrl">,
  token: string,
  fullName: string,
  branch: string,
): Promise<{ pullNumber: number; pullUrl: string } | null> {
  const [owner, name] = fullName.split("/");
  if (!owner || !name || !/^[A-Za-z0-9._-]+$/.test(owner) || !/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new GitHubError("invalid", `"${fullName}" is not an owner/name repository`);
  }
  const call: GitHubCall = {
    action: `look for a pull request from ${branch}`,
    auth: "installation",
    repo: fullName,
  };
  const url = new URL(`${baseUrl(config.apiUrl)}/repos/${owner}/${name}/pulls`);
  url.searchParams.set("head", `${owner}:${branch}`);
  url.searchParams.set("state", "open");
  url.searchParams.set("per_page", "10");
  const response = await send(config, { url: url.toString(), token, call });
  let list: unknown;
  try {
    list = await response.json();
  } catch {
    throw malformed(call, "its answer is not JSON");
  }
  if (!Array.isArray(list)) throw malformed(call, "its answer is not a list");
  for (const item of list) {
    if (!item || typeof item !== "object") continue;
    const pull = item as Record<string, unknown>;
    const head = pull.head as { ref?: unknown } | undefined;
    if (head?.ref !== branch || pull.state !== "open") continue;
    return { pullNumber: numberField(pull, "number", call), pullUrl: stringField(pull, "html_url", call) };
  }
  return null;
}
