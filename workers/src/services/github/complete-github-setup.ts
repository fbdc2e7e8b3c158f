import { exchangeOAuthCode, getInstallation, userInstallationIds } from "@pushbunny/agent";
import { type GithubInstallationRow, upsertGithubInstallation } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError, ForbiddenError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import { githubApp } from "./lib/config";
import { fromGitHubError } from "./lib/errors";
import { takeSetupState } from "./lib/setup-state";

export interface GitHubSetupInput {
  installationId?: string;
  setupAction?: string;
  state?: string;
  code?: string;
}

/**
 * GitHub's redirect after an installation (the App's setup URL). No key: the single-use state
 * names the project and the admin who started, and the installation is linked only when the
 * person's own OAuth token can reach it, so a stated installation_id is never taken on its word.
 */
export async function completeGitHubSetup({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: GitHubSetupInput;
}): Promise<{ projectId: string; installation: GithubInstallationRow }> {
  const config = githubApp(ctx);
  if (input.setupAction === "update" && !input.state) {
    // GitHub sends people here after they change the App's repository access on github.com.
    throw new BadRequestError(
      "nothing to connect: the App's repository access was changed on GitHub, and PushBunny reads the repositories live (GET /v1/github); to connect a project, start with GET /v1/github/authorize",
    );
  }
  const state = await takeSetupState(ctx, input.state);
  if (input.setupAction === "request") {
    throw new ConflictError(
      "the installation was requested, not made: an owner of the GitHub organization must approve it; then start again with GET /v1/github/authorize",
    );
  }
  const installationId = Number(input.installationId);
  if (!input.installationId || !/^\d{1,15}$/.test(input.installationId) || installationId <= 0) {
    throw new BadRequestError("installation_id: GitHub's redirect carries the installation's numeric id");
  }
  if (!input.code) {
    throw new BadRequestError(
      'GitHub sent no code: turn on "Request user authorization (OAuth) during installation" in the App\'s settings, then start again',
    );
  }
  let userToken: string;
  let reachable: number[];
  try {
    userToken = await exchangeOAuthCode(config, input.code);
    reachable = await userInstallationIds(config, userToken);
  } catch (err) {
    throw fromGitHubError(err, true);
  }
  if (!reachable.includes(installationId)) {
    throw new ForbiddenError(
      `installation ${installationId} is not one your GitHub account can reach: install the App from the link GET /v1/github/authorize gives`,
    );
  }
  let installation: Awaited<ReturnType<typeof getInstallation>>;
  try {
    installation = await getInstallation(config, installationId, ctx.now());
  } catch (err) {
    throw fromGitHubError(err);
  }
  const row = await upsertGithubInstallation(ctx.db, {
    projectId: state.projectId,
    installationId,
    accountLogin: installation.accountLogin,
    accountType: installation.accountType,
    repositorySelection: installation.repositorySelection,
    connectedBy: state.actor,
    state: installation.suspended ? "suspended" : "active",
    now: ctx.now(),
  });
  await recordAudit({
    ctx,
    projectId: state.projectId,
    actor: state.actor,
    input: {
      action: "github.connected",
      targetType: "github_installation",
      targetId: String(installationId),
      details: { account: installation.accountLogin, setup_action: input.setupAction ?? null },
    },
  });
  return { projectId: state.projectId, installation: row };
}
