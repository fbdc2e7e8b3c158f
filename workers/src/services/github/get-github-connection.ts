import { listInstallationRepositories, mintInstallationToken, type RepositoryInfo } from "@pushbunny/agent";
import { findGithubInstallation, type GithubInstallationRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { githubApp } from "./lib/config";
import { fromGitHubError } from "./lib/errors";

/** The status page lists this many repositories; the implement route checks the one it uses. */
export const LISTED_REPOSITORIES = 100;

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
    const { token } = await mintInstallationToken(config, installation.installationId, { nowMs: ctx.now() });
    const all = await listInstallationRepositories(config, token);
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
