import type { GitHubAppConfig } from "./app";
import type { GitHubCall } from "./errors";
import { baseUrl, malformed, sendJson, sendPaged, stringField } from "./http";
import { GitHubError } from "./types";

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
