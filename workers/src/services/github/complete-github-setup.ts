import {
  canAdministerAccount,
  exchangeOAuthCode,
  getInstallation,
  userInstallationIds,
} from "@pushbunny/agent";
import {
  findMembership,
  findProjectName,
  type GithubInstallationRow,
  listProjectsOfInstallation,
  upsertGithubInstallation,
} from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError, ForbiddenError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import { githubApp } from "./lib/config";
import { fromGitHubError } from "./lib/errors";
import { readSetupState, takeSetupState } from "./lib/setup-state";

/** Roles that may connect a project to GitHub: the same as GET /v1/github/authorize's "admin". */
const CONNECTING_ROLES = new Set(["owner", "admin"]);

export interface GitHubSetupInput {
  installationId?: string;
  setupAction?: string;
  state?: string;
  code?: string;
}

/**
 * GitHub's redirect after an installation (the App's setup URL). No key, so three proofs: the
 * browser is signed in to the dashboard as an admin of the state's project (the admin who asked
 * for the link, when a person asked: a leaked link finished by someone else links nothing); the
 * person's own OAuth token reaches the installation, so a stated installation_id is never taken
 * on its word; and that GitHub user administers the installation's account. An installation
 * connected to another project is refused.
 */
export async function completeGitHubSetup({
  ctx,
  input,
  session,
}: {
  ctx: AppContext;
  input: GitHubSetupInput;
  /** The dashboard's signed-in person, or null. */
  session: { userId: string } | null;
}): Promise<{ projectId: string; installation: GithubInstallationRow }> {
  const config = githubApp(ctx);
  if (input.setupAction === "update" && !input.state) {
    // GitHub sends people here after they change the App's repository access on github.com.
    throw new BadRequestError(
      "nothing to connect: the App's repository access was changed on GitHub, and PushBunny reads the repositories live (GET /v1/github); to connect a project, start with GET /v1/github/authorize",
    );
  }
  // Read, not spent, until the person is known: signing in and reloading the page must work.
  const pending = await readSetupState(ctx, input.state);
  const membership = session ? await findMembership(ctx.db, pending.projectId, session.userId) : null;
  const askedByAnother =
    session !== null && pending.actor.startsWith("user:") && pending.actor !== `user:${session.userId}`;
  if (!membership || !CONNECTING_ROLES.has(membership.role) || askedByAnother) {
    const name = (await findProjectName(ctx.db, pending.projectId)) ?? pending.projectId;
    throw new ForbiddenError(
      `sign in to the dashboard as an admin of ${name}${
        pending.actor.startsWith("user:") ? " (the admin who asked for the install link)" : ""
      } and open the install link again`,
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
  let administers: boolean;
  try {
    installation = await getInstallation(config, installationId, ctx.now());
  } catch (err) {
    throw fromGitHubError(err);
  }
  try {
    administers = await canAdministerAccount(config, userToken, {
      login: installation.accountLogin,
      type: installation.accountType,
    });
  } catch (err) {
    throw fromGitHubError(err, true);
  }
  if (!administers) {
    throw new ForbiddenError(
      installation.accountType === "Organization"
        ? `your GitHub account is not an admin of the organization ${installation.accountLogin}: an owner of ${installation.accountLogin} must connect it`
        : `installation ${installationId} is on ${installation.accountLogin}'s personal account, not yours: ${installation.accountLogin} must connect it`,
    );
  }
  const linked = await listProjectsOfInstallation(ctx.db, installationId);
  if (linked.some((projectId) => projectId !== state.projectId)) {
    throw new ConflictError(
      `installation ${installationId} (${installation.accountLogin}) is connected to another PushBunny project: disconnect it there first (DELETE /v1/github)`,
    );
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
  if (!row) {
    throw new ConflictError(
      `installation ${installationId} (${installation.accountLogin}) is connected to another PushBunny project: disconnect it there first (DELETE /v1/github)`,
    );
  }
  await recordAudit({
    ctx,
    projectId: state.projectId,
    actor: state.actor,
    input: {
      action: "github.connected",
      targetType: "github_installation",
      targetId: String(installationId),
      details: {
        account: installation.accountLogin,
        setup_action: input.setupAction ?? null,
        completed_by: session ? `user:${session.userId}` : null,
      },
    },
  });
  return { projectId: state.projectId, installation: row };
}
