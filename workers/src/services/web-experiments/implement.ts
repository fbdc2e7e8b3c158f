import { listInstallationRepositories, mintInstallationToken, type RepositoryInfo } from "@pushbunny/agent";
import { randomHex } from "@pushbunny/core";
import {
  findGithubInstallation,
  findOpenImplementationRun,
  finishImplementationRun,
  insertImplementationRun,
  updateWebExperimentRow,
} from "@pushbunny/db";
import type { AppContext } from "../../context";
import { AppError, BadRequestError, ConflictError, ServiceUnavailableError } from "../../errors";
import type { WebImplementJob } from "../../queue/messages";
import { spendQuota } from "../../ratelimit/quotas";
import { githubApp } from "../github/lib/config";
import { fromGitHubError } from "../github/lib/errors";
import { failWebExperiment } from "./fail-web-experiment";
import { mustWebExperiment } from "./lib/lookup";
import { markImplementing } from "./mark-implementing";

export const REPOSITORY_PATTERN = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;
const BRANCH_PATTERN = /^(?!\/)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)[A-Za-z0-9._/-]{1,200}(?<!\/)$/;

export interface ImplementInput {
  key: string;
  /** `owner/name`; default: the experiment's repository. */
  repository?: string | null;
  /** Default: the experiment's base branch, else the repository's default branch. */
  baseBranch?: string | null;
}

/** A new run id: `run_` and 20 hex digits (the branch takes the first 6 as its suffix). */
export const newRunId = () => `run_${randomHex(10)}`;

/**
 * Queues the agent for a web experiment: it will open a draft pull request in the project's
 * connected repository. Everything that would make the run fail at once is refused here, before
 * anything is created: an unknown experiment, no LLM, no GitHub App, no connection, no repository, a repository the
 * installation cannot see, a status other than draft or failed, a run already under way. The
 * request never runs the agent; the `web_implement` job does.
 */
export async function implementWebExperiment({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: ImplementInput;
}): Promise<{ runId: string; key: string; repository: string }> {
  const experiment = await mustWebExperiment(ctx, projectId, { key: input.key });
  if (!ctx.config.gemini.apiKey) {
    throw new ServiceUnavailableError(
      "the agent is not configured (not_configured): the agent needs GEMINI_API_KEY; implement by hand with the SDK (see README)",
      60,
    );
  }
  const config = githubApp(ctx);
  if (!ctx.config.auth.publicUrl) {
    throw new ServiceUnavailableError(
      "the agent is not configured (not_configured): set PUBLIC_URL, the URL the generated code points the SDK at",
      60,
    );
  }
  const installation = await findGithubInstallation(ctx.db, projectId);
  if (!installation) {
    throw new ConflictError(
      "this project is not connected to GitHub: connect it with GET /v1/github/authorize, or implement by hand with the SDK",
    );
  }
  if (installation.state !== "active") {
    throw new ConflictError(
      `the project's GitHub installation is ${installation.state}: ${installation.state === "suspended" ? "unsuspend it on GitHub" : "install the App again with GET /v1/github/authorize"}`,
    );
  }
  const wanted = input.repository?.trim() || experiment.repository;
  if (!wanted) {
    throw new BadRequestError(
      "repository: name the repository (owner/name) to open the pull request in, here or on the experiment",
    );
  }
  if (!REPOSITORY_PATTERN.test(wanted)) throw new BadRequestError("repository: must be owner/name");
  const baseBranch = input.baseBranch?.trim() || experiment.baseBranch || null;
  if (baseBranch !== null && !BRANCH_PATTERN.test(baseBranch)) {
    throw new BadRequestError("base_branch: not a branch name");
  }
  if (experiment.status !== "draft" && experiment.status !== "failed") {
    throw new ConflictError(
      `web experiment '${experiment.key}' is ${experiment.status}: only a draft or failed experiment can be implemented`,
    );
  }
  const open = await findOpenImplementationRun(ctx.db, projectId, experiment.experimentId);
  if (open) {
    throw new ConflictError(
      `run ${open.id} is already ${open.status} for web experiment '${experiment.key}'`,
    );
  }
  const repository = await visibleRepository(ctx, config, installation.installationId, wanted);
  await spendQuota(ctx, projectId, "generation");

  const now = ctx.now();
  const runId = newRunId();
  if (repository.fullName !== experiment.repository || baseBranch !== experiment.baseBranch) {
    await updateWebExperimentRow(ctx.db, {
      projectId,
      experimentId: experiment.experimentId,
      from: ["draft", "failed"],
      set: { repository: repository.fullName, baseBranch },
      now,
    });
  }
  await insertImplementationRun(ctx.db, {
    id: runId,
    projectId,
    experimentId: experiment.experimentId,
    requestedBy: actor,
    log: [
      {
        at: now,
        phase: "queued",
        message: `queued for ${repository.fullName}@${baseBranch ?? repository.defaultBranch} by ${actor}`,
      },
    ],
    now,
  });
  try {
    await markImplementing({
      ctx,
      projectId,
      actor,
      input: { experimentId: experiment.experimentId, reason: `run ${runId} queued` },
    });
  } catch (err) {
    // A racing request won the experiment: this run never starts.
    await finishImplementationRun(ctx.db, {
      projectId,
      id: runId,
      now: ctx.now(),
      status: "failed",
      error: err instanceof Error ? err.message : "the experiment changed meanwhile",
    });
    throw err;
  }
  try {
    await ctx.queues.jobs.send({ kind: "web_implement", projectId, runId } satisfies WebImplementJob);
  } catch (err) {
    const reason = "the implementation could not be queued; try again";
    await finishImplementationRun(ctx.db, {
      projectId,
      id: runId,
      now: ctx.now(),
      status: "failed",
      error: reason,
    });
    await failWebExperiment({
      ctx,
      projectId,
      actor,
      input: { experimentId: experiment.experimentId, reason },
    });
    throw new ServiceUnavailableError(reason, 5, { cause: err });
  }
  return { runId, key: experiment.key, repository: repository.fullName };
}

/** The repository as the installation sees it (canonical name, default branch), or a 409. */
async function visibleRepository(
  ctx: AppContext,
  config: ReturnType<typeof githubApp>,
  installationId: number,
  fullName: string,
): Promise<RepositoryInfo> {
  let repositories: RepositoryInfo[];
  try {
    const { token } = await mintInstallationToken(config, installationId, { nowMs: ctx.now() });
    repositories = await listInstallationRepositories(config, token);
  } catch (err) {
    const mapped = fromGitHubError(err);
    throw mapped instanceof AppError ? mapped : err;
  }
  const found = repositories.find((r) => r.fullName.toLowerCase() === fullName.toLowerCase());
  if (!found) {
    throw new ConflictError(
      `the App's installation cannot see ${fullName}: add the repository to the installation on GitHub (Settings → Applications → Configure)`,
    );
  }
  return found;
}
