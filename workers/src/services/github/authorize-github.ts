import { installUrl } from "@pushbunny/agent";
import type { AppContext } from "../../context";
import { githubApp } from "./lib/config";
import { issueSetupState } from "./lib/setup-state";

export interface GitHubAuthorization {
  installUrl: string;
  expiresAt: number;
}

/**
 * The link an admin opens to install the deployment's App on their account and connect it to
 * this project. Its state is single use, bound to the project and the admin, and expires in 10
 * minutes; GitHub hands it back to GET /github/setup.
 */
export async function authorizeGitHub({
  ctx,
  projectId,
  actor,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
}): Promise<GitHubAuthorization> {
  const config = githubApp(ctx);
  const { state, expiresAt } = await issueSetupState(ctx, { projectId, actor });
  return { installUrl: installUrl(config, state), expiresAt };
}
