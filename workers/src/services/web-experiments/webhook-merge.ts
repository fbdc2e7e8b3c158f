import type { PullRequestEvent } from "@pushbunny/agent";
import { findWebExperimentsByPull } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { AppError } from "../../errors";
import { activateWebExperiment } from "./activate-web-experiment";
import { failWebExperiment } from "./fail-web-experiment";

/** How the history and the audit log name GitHub's webhook. */
export const GITHUB_ACTOR = "github";

/**
 * A closed pull request: merged into the experiment's base branch (or, without one, the
 * repository's default branch) → the web experiment it implements becomes active; a merge into
 * any other branch (a PR retargeted to a scratch branch) activates nothing, since the code is not
 * live; closed
 * without merging → failed with the reason. The experiment is found through the installation
 * GitHub signed the event for (a project connected to it), the repository, the PR number and
 * our branch name; a PR of another installation, or a PR that is not ours, finds nothing.
 * Returns how many experiments changed.
 */
export async function applyPullRequestClosed({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: PullRequestEvent & {
    /** The repository's default branch from the payload (`repository.default_branch`). */
    defaultBranch: string | null;
  };
}): Promise<number> {
  const candidates = await findWebExperimentsByPull(ctx.db, {
    installationId: input.installationId,
    repository: input.repository,
    pullNumber: input.number,
  });
  let changed = 0;
  for (const experiment of candidates) {
    if (experiment.status !== "pr_open" || experiment.branch !== input.headRef) continue;
    const base = experiment.baseBranch ?? input.defaultBranch;
    if (input.merged && (base === null || input.baseRef !== base)) {
      ctx.logger.info("pull request merged into another branch than the experiment's base", {
        experimentId: experiment.experimentId,
        baseRef: input.baseRef,
      });
      continue;
    }
    const ref = { experimentId: experiment.experimentId };
    try {
      if (input.merged) {
        await activateWebExperiment({
          ctx,
          projectId: experiment.projectId,
          actor: GITHUB_ACTOR,
          input: { ...ref, reason: `pull request #${input.number} was merged` },
        });
      } else {
        await failWebExperiment({
          ctx,
          projectId: experiment.projectId,
          actor: GITHUB_ACTOR,
          input: { ...ref, reason: `pull request #${input.number} was closed without merging` },
        });
      }
      changed++;
    } catch (err) {
      // A race with a change by hand (activated, finished) leaves that change in place.
      if (!(err instanceof AppError) || err.status !== 409) throw err;
      ctx.logger.info("pull request event lost a race", { experimentId: experiment.experimentId });
    }
  }
  return changed;
}
