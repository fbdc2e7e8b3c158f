import type { GitHubAppConfig } from "@pushbunny/agent";
import type { AppContext } from "../../../context";
import { ServiceUnavailableError } from "../../../errors";

/** GitHub calls from a request or a job: generous enough for GitHub's slow git-data endpoints. */
const GITHUB_TIMEOUT_MS = 15_000;

const REQUIRED = [
  "GITHUB_APP_ID",
  "GITHUB_APP_SLUG",
  "GITHUB_APP_PRIVATE_KEY",
  "GITHUB_CLIENT_ID",
  "GITHUB_CLIENT_SECRET",
] as const;

const value = (v: string | undefined) => (v && v.trim() !== "" ? v.trim() : null);

/** The variables the deployment's GitHub App still needs; empty when it is configured. */
export function missingGitHubVariables(ctx: AppContext): string[] {
  return REQUIRED.filter((name) => value(ctx.env[name]) === null);
}

/**
 * The deployment's GitHub App, from the environment. Throws a 503 naming every missing
 * variable: a deployment without the App still serves everything else.
 */
export function githubApp(ctx: AppContext): GitHubAppConfig {
  const missing = missingGitHubVariables(ctx);
  if (missing.length > 0) {
    throw new ServiceUnavailableError(
      `GitHub is not configured on this deployment (not_configured): set ${missing.join(", ")} (wrangler secret put …); see "Connecting GitHub" in the README`,
      60,
    );
  }
  const env = ctx.env;
  return {
    appId: value(env.GITHUB_APP_ID) ?? "",
    slug: value(env.GITHUB_APP_SLUG) ?? "",
    privateKeyPem: value(env.GITHUB_APP_PRIVATE_KEY) ?? "",
    clientId: value(env.GITHUB_CLIENT_ID) ?? undefined,
    clientSecret: value(env.GITHUB_CLIENT_SECRET) ?? undefined,
    apiUrl: value(env.GITHUB_API_URL) ?? "https://api.github.com",
    webUrl: value(env.GITHUB_WEB_URL) ?? "https://github.com",
    timeoutMs: GITHUB_TIMEOUT_MS,
  };
}

/** The webhook secret, or null: webhooks are off until it is set. */
export function githubWebhookSecret(ctx: AppContext): string | null {
  return value(ctx.env.GITHUB_WEBHOOK_SECRET);
}
