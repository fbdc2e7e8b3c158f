import { listInstallationRepositories, mintInstallationToken, type RepositoryInfo } from "@pushbunny/agent";
import { findGithubInstallation, type GithubInstallationRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { githubApp } from "./lib/config";
import { fromGitHubError } from "./lib/errors";

/** The status page lists this many repositories; the implement route checks the one it uses. */
export const LISTED_REPOSITORIES = 100;
/** How long an isolate reuses an installation's repository list. */
export const REPOSITORY_CACHE_MS = 60_000;

/**
 * Repository lists by installation id. Each read mints a token and pages GitHub's listing, all on
 * the deployment's one App rate limit: a client polling GET /v1/github must not spend it.
 */
const repositoryCache = new Map<number, { at: number; repositories: RepositoryInfo[] }>();
const CACHE_ENTRIES = 1_000;

export type GitHubConnection =
  | { connected: false }
  | {
      connected: true;
      installation: GithubInstallationRow;
      repositories: RepositoryInfo[];
      /** More than LISTED_REPOSITORIES can be reached. */
      truncated: boolean;
    };

/**
 * The project's GitHub connection and the repositories its installation reaches, read live
 * with a fresh installation token (never stored). A suspended or removed installation lists none.
 */
export async function getGitHubConnection({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<GitHubConnection> {
  const config = githubApp(ctx);
  const installation = await findGithubInstallation(ctx.db, projectId);
  if (!installation) return { connected: false };
  if (installation.state !== "active")
    return { connected: true, installation, repositories: [], truncated: false };
  try {
    const all = await cachedRepositories(ctx, config, installation.installationId);
    return {
      connected: true,
      installation,
      repositories: all.slice(0, LISTED_REPOSITORIES),
      truncated: all.length > LISTED_REPOSITORIES,
    };
  } catch (err) {
    throw fromGitHubError(err);
  }
}

async function cachedRepositories(
  ctx: AppContext,
  config: ReturnType<typeof githubApp>,
  installationId: number,
): Promise<RepositoryInfo[]> {
  const hit = repositoryCache.get(installationId);
  if (hit && ctx.now() - hit.at < REPOSITORY_CACHE_MS && hit.at <= ctx.now()) return hit.repositories;
  const { token } = await mintInstallationToken(config, installationId, { nowMs: ctx.now() });
  const repositories = await listInstallationRepositories(config, token);
  if (repositoryCache.size >= CACHE_ENTRIES) repositoryCache.clear();
  repositoryCache.set(installationId, { at: ctx.now(), repositories });
  return repositories;
}
