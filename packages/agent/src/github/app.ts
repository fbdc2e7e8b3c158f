import { base64ToBytes, base64UrlFromBytes, base64UrlFromString } from "./base64";
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

// DER prefix of a PKCS#8 PrivateKeyInfo for rsaEncryption: version 0 and the algorithm
// identifier; the PKCS#1 key follows as an OCTET STRING.
const PKCS8_RSA_HEADER = [
  0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

/** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo: WebCrypto imports only the latter. */
export function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array {
  const octetString = [0x04, ...derLength(pkcs1.length)];
  const innerLength = PKCS8_RSA_HEADER.length + octetString.length + pkcs1.length;
  const sequence = [0x30, ...derLength(innerLength)];
  const out = new Uint8Array(sequence.length + innerLength);
  out.set(sequence, 0);
  out.set(PKCS8_RSA_HEADER, sequence.length);
  out.set(octetString, sequence.length + PKCS8_RSA_HEADER.length);
  out.set(pkcs1, sequence.length + PKCS8_RSA_HEADER.length + octetString.length);
  return out;
}

function badKey(reason: string): GitHubError {
  return new GitHubError(
    "unauthorized",
    `GITHUB_APP_PRIVATE_KEY ${reason}: paste the whole .pem file GitHub generated for the App ("-----BEGIN RSA PRIVATE KEY-----" … "-----END RSA PRIVATE KEY-----")`,
  );
}

/** Imports the App's key for RS256 signing; GitHub's download is PKCS#1, WebCrypto wants PKCS#8. */
export async function importAppKey(pem: string): Promise<CryptoKey> {
  // Secrets pasted through one-line forms often carry "\n" literally.
  const text = pem.replace(/\\n/g, "\n").trim();
  const match = /^-----BEGIN (RSA )?PRIVATE KEY-----([\s\S]+?)-----END (RSA )?PRIVATE KEY-----$/.exec(text);
  if (!match) {
    if (/BEGIN (ENCRYPTED |EC |OPENSSH )?PRIVATE KEY/.test(text)) {
      throw badKey("is not an unencrypted RSA private key");
    }
    throw badKey("is not a PEM private key");
  }
  if ((match[1] ?? "") !== (match[3] ?? "")) throw badKey("has mismatched BEGIN/END lines");
  let der: Uint8Array;
  try {
    der = base64ToBytes((match[2] ?? "").replace(/\s+/g, ""));
  } catch {
    throw badKey("is not valid base64 between its BEGIN and END lines");
  }
  if (der.length < 64 || der[0] !== 0x30) throw badKey("does not hold a DER key");
  const pkcs8 = match[1] ? pkcs1ToPkcs8(der) : der;
  try {
    return await crypto.subtle.importKey(
      "pkcs8",
      pkcs8,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
  } catch {
    throw badKey("could not be read as an RSA private key");
  }
}

/**
 * The App's JWT (RS256) for the /app endpoints: issued a minute in the past against clock drift,
 * valid 9 minutes (GitHub refuses more than 10).
 */
export async function createAppJwt(
  config: Pick<GitHubAppConfig, "appId" | "privateKeyPem">,
  nowMs: number,
): Promise<string> {
  if (!/^\S+$/.test(config.appId)) throw badAppId();
  const key = await importAppKey(config.privateKeyPem);
  const now = Math.floor(nowMs / 1000);
  const header = base64UrlFromString(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = base64UrlFromString(
    JSON.stringify({ iat: now - 60, exp: now + 9 * 60, iss: config.appId }),
  );
  const input = `${header}.${payload}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(input));
  return `${input}.${base64UrlFromBytes(new Uint8Array(signature))}`;
}

function badAppId(): GitHubError {
  return new GitHubError(
    "unauthorized",
    "GITHUB_APP_ID is empty: set it to the App ID on the App's settings page",
  );
}

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

/**
 * Trades the `code` GitHub adds to the setup callback for a user token. GitHub answers a bad code
 * with 200 and `{ error }`, which is reported as unauthorized.
 */
export async function exchangeOAuthCode(config: GitHubAppConfig, code: string): Promise<string> {
  const call: GitHubCall = { action: "exchange the OAuth code for a user token", auth: "oauth" };
  if (!config.clientId || !config.clientSecret) {
    throw new GitHubError(
      "invalid",
      "GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are not set: copy them from the App's settings page",
    );
  }
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(code)) {
    throw new GitHubError("unauthorized", "the OAuth code is not one GitHub issues");
  }
  const { body } = await sendJson(config, {
    url: `${baseUrl(config.webUrl)}/login/oauth/access_token`,
    method: "POST",
    token: null,
    headers: { accept: "application/json" },
    body: { client_id: config.clientId, client_secret: config.clientSecret, code },
    call,
  });
  if (body.error === "incorrect_client_credentials") {
    throw new GitHubError(
      "unauthorized",
      "GitHub refused GITHUB_CLIENT_ID/GITHUB_CLIENT_SECRET (incorrect_client_credentials): copy the Client ID and a current client secret from the App's settings page",
      200,
    );
  }
  if (typeof body.error === "string") {
    const description = typeof body.error_description === "string" ? `: ${body.error_description}` : "";
    throw new GitHubError(
      "unauthorized",
      `GitHub refused the OAuth code (${body.error}${description}); start the installation again`,
      200,
    );
  }
  return stringField(body, "access_token", call);
}

/** Installations of this App the user can reach: the only ones a setup callback may link. */
export async function userInstallationIds(config: GitHubAppConfig, userToken: string): Promise<number[]> {
  const call: GitHubCall = { action: "list the user's installations", auth: "user" };
  const items = await sendPaged(
    config,
    { url: `${baseUrl(config.apiUrl)}/user/installations`, token: userToken, call },
    "installations",
  );
  return items.map((item) => {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id !== "number") throw malformed(call, "an installation without an id");
    return id;
  });
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

/** The login of the person a user token belongs to. */
export async function getUserLogin(config: GitHubAppConfig, userToken: string): Promise<string> {
  const call: GitHubCall = { action: "read the signed-in GitHub user", auth: "user" };
  const { body } = await sendJson(config, { url: `${baseUrl(config.apiUrl)}/user`, token: userToken, call });
  return stringField(body, "login", call);
}

export interface OrgMembership {
  /** "active" or "pending" (invited, not yet accepted). */
  state: string;
  /** "admin" or "member". */
  role: string;
}

/**
 * The user's membership of an organization, read with their own token; null when they are not a
 * member (GitHub answers 404). A 403 means the App may not read memberships: the operator's to fix.
 */
export async function getOrgMembership(
  config: GitHubAppConfig,
  userToken: string,
  org: string,
): Promise<OrgMembership | null> {
  if (!/^[A-Za-z0-9-]{1,100}$/.test(org)) {
    throw new GitHubError("invalid", `"${org}" is not a GitHub organization login`);
  }
  const call: GitHubCall = {
    action: `read your membership of ${org}`,
    auth: "user",
    notFound: `you are not a member of ${org}`,
  };
  try {
    const { body } = await sendJson(config, {
      url: `${baseUrl(config.apiUrl)}/user/memberships/orgs/${encodeURIComponent(org)}`,
      token: userToken,
      call,
    });
    return { state: stringField(body, "state", call), role: stringField(body, "role", call) };
  } catch (err) {
    if (err instanceof GitHubError && err.code === "not_found") return null;
    if (err instanceof GitHubError && err.code === "forbidden") {
      throw new GitHubError(
        "forbidden",
        `GitHub would not show your membership of ${org}: give the App the "Members" organization permission (read-only) in its settings and have ${org} accept the new permission, then install again`,
        err.status,
      );
    }
    throw err;
  }
}

/**
 * Whether the user may administer the account an installation is on: for a personal account,
 * it is theirs; for an organization, they are an active admin of it.
 */
export async function canAdministerAccount(
  config: GitHubAppConfig,
  userToken: string,
  account: { login: string; type: string },
): Promise<boolean> {
  if (account.type === "Organization") {
    const membership = await getOrgMembership(config, userToken, account.login);
    return membership?.state === "active" && membership.role === "admin";
  }
  const login = await getUserLogin(config, userToken);
  return login.toLowerCase() === account.login.toLowerCase();
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
