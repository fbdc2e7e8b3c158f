import { GitHubError, type GitHubRepoApi } from "../github/types";
import type { FileChange } from "./diff";
import type { ExperimentSpec } from "./experiment";
import type { ExperimentLayout } from "./layout";

/** The pull request an earlier attempt of the same run opened from `branch`, or null. */
export type FindPullRequest = (branch: string) => Promise<{ pullNumber: number; pullUrl: string } | null>;

export interface PullRequestText {
  title: string;
  body: string;
}

/** The draft pull request's title and description: what runs, how to preview, what to set up. */
export function pullRequestText(input: {
  experiment: ExperimentSpec;
  layout: ExperimentLayout;
  targetPath: string;
  changes: readonly FileChange[];
  summary: string;
}): PullRequestText {
  const { experiment, layout } = input;
  const preview = (key: string) =>
    experiment.previewUrl ? `${experiment.previewUrl.replace(/#.*$/, "")}#seg-${key}` : `\`#seg-${key}\``;
  const metrics = [experiment.primaryMetric, ...experiment.secondaryMetrics];
  const body = [
    `PushBunny web experiment **${experiment.key}**.`,
    "",
    `**Hypothesis:** ${experiment.hypothesis}`,
    "",
    input.summary ? `${input.summary}\n` : null,
    "### Segments",
    "| Segment | Traffic | What it shows | Preview |",
    "| --- | --- | --- | --- |",
    ...experiment.segments.map(
      (segment, i) =>
        `| \`${segment.key}\` ${segment.name}${i === 0 ? " (control)" : ""} | ${segment.trafficPercent}% | ${segment.description.replace(/\|/g, "\\|").replace(/\n/g, " ")} | ${preview(segment.key)} |`,
    ),
    "",
    experiment.previewUrl
      ? "Each preview link shows its segment on the preview deployment without an assignment; changing the `#seg-` part of the address switches live."
      : "Add `#seg-<segment>` to the page's address to preview a segment without an assignment; changing it switches live.",
    "",
    "### Metrics tracked",
    ...metrics.map((metric, i) => `- \`${metric}\`${i === 0 ? " (primary)" : ""}`),
    "",
    "### Files",
    ...input.changes.map((change) => `- \`${change.path}\`${change.previous === null ? " (new)" : ""}`),
    "",
    "### Before merging",
    `1. Install the SDK: \`npm install @pushbunny/sdk\` (this pull request does not touch package.json or lockfiles).`,
    `2. Set \`${layout.envVar}\` to the project's public PushBunny key wherever the app is built (preview and production).`,
    "",
    "### Activation",
    "Merging this pull request lets PushBunny activate the experiment: it starts assigning visitors to the segments at the traffic shown above. You can also activate it by hand in PushBunny. Until it is active, everyone sees the control.",
    "",
    `_Opened as a draft by the PushBunny agent; the switch is \`${layout.switchComponent.path}\`._`,
  ]
    .filter((line): line is string => line !== null)
    .join("\n");
  return { title: `PushBunny experiment: ${experiment.key}`, body };
}

/**
 * One commit on a new branch, then a draft pull request. The branch is created last, so any
 * failure before it leaves nothing behind; a failed pull request deletes the branch again. Log
 * failures are swallowed here, so neither a stray branch nor a "failed" run with a live pull
 * request can come from one.
 */
export async function commitAndOpenPullRequest(input: {
  repo: GitHubRepoApi;
  base: { branch: string; commitSha: string; treeSha: string };
  branch: string;
  changes: readonly FileChange[];
  pr: PullRequestText;
  log: (message: string) => Promise<void>;
  /** See RunInput.findPullRequest: lets a retry replace its own earlier, pull-request-less branch. */
  findPullRequest?: FindPullRequest;
}): Promise<{ pullNumber: number; pullUrl: string; commitSha: string | null; adopted: boolean }> {
  const { repo, base, branch } = input;
  // The log is a heartbeat, not part of the change: its failure never decides what is on GitHub.
  const log = (message: string) => input.log(message).catch(() => undefined);
  const entries = [];
  for (const change of input.changes) {
    const blob = await repo.createBlob(change.content);
    entries.push({ path: change.path, sha: blob.sha, mode: "100644" as const });
  }
  const tree = await repo.createTree(base.treeSha, entries);
  const commit = await repo.createCommit({
    message: `${input.pr.title}\n\nWritten by the PushBunny agent.`,
    treeSha: tree.sha,
    parentShas: [base.commitSha],
  });
  await log(`commit ${commit.sha.slice(0, 7)} with ${entries.length} files`);
  try {
    await repo.createBranch(branch, commit.sha);
  } catch (err) {
    // The branch name is the run's own: an earlier attempt of this run made it and stopped before
    // or during its pull request. Adopt that pull request, or replace the bare branch.
    if (!(input.findPullRequest && err instanceof GitHubError && err.code === "conflict")) throw err;
    const existing = await input.findPullRequest(branch);
    if (existing) {
      await log(`branch ${branch} exists with draft pull request #${existing.pullNumber}; adopting it`);
      return { ...existing, commitSha: null, adopted: true };
    }
    await repo.deleteBranch(branch);
    await repo.createBranch(branch, commit.sha);
    await log(`branch ${branch} from an earlier attempt had no pull request; replaced`);
  }
  await log(`branch ${branch} created`);
  try {
    const pull = await repo.createPullRequest({
      title: input.pr.title,
      body: input.pr.body,
      head: branch,
      base: base.branch,
      draft: true,
    });
    return { pullNumber: pull.number, pullUrl: pull.htmlUrl, commitSha: commit.sha, adopted: false };
  } catch (err) {
    // A branch without its pull request would be found by nobody; take it away again.
    await repo.deleteBranch(branch).catch(() => undefined);
    await log(`pull request failed; branch ${branch} deleted`);
    throw err;
  }
}
