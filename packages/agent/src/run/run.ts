import { describeStyle } from "../describe-style";
import { detectFramework, type FrameworkDetection } from "../framework";
import type { GitHubRepoApi } from "../github/types";
import { importBindings, resolveImport } from "../imports";
import { checkReadPath, checkWritePath, DEFAULT_WRITE_POLICY } from "../path-policy";
import { RepoIndex, type RepoSnapshot } from "../snapshot";
import { detectStyle } from "../style";
import { findTargetFiles, type TargetCandidate } from "../targets";
import { BudgetMeter, type Budgets, type Usage } from "./budgets";
import { reactSwitchSource, sdkModuleSource, vueSwitchSource } from "./codegen";
import { commitAndOpenPullRequest, type FindPullRequest, pullRequestText } from "./commit";
import { capDiff, unifiedDiffOf } from "./diff";
import { type ExperimentSpec, experimentProblems } from "./experiment";
import { checkBranch, describeFailure, RunError } from "./failure";
import { importSpecifier, planLayout } from "./layout";
import type { AgentModel, Turn } from "./model";
import { chooseTarget, writeLoop } from "./model-loop";
import { planPrompt, writePrompt } from "./prompt";
import { WriteSession } from "./session";
import { snapshotFromApi, unsupportedAt } from "./snapshot";

export type RunPhase = "plan" | "read" | "write" | "diff" | "commit";

/** A file the run changed or added. */
export interface ChangedFile {
  path: string;
  change: "added" | "modified";
  bytes: number;
}

export interface RunInput {
  repo: GitHubRepoApi;
  model: AgentModel;
  experiment: ExperimentSpec;
  /** The new branch, `pushbunny/<key>-<suffix>`; never the base or default branch. */
  branch: string;
  /** The branch to start from and open the pull request against; default: the repository's default branch. */
  baseBranch?: string | null;
  sdk: { baseUrl: string };
  budgets?: Partial<Budgets>;
  now(): number;
  /** The phase log; every call is also a heartbeat. */
  log(phase: RunPhase, message: string): Promise<void>;
  /** Receives the diff before anything is written to GitHub. */
  onDiff(diff: string, files: ChangedFile[]): Promise<void>;
  /** How a tree is read; default: one listing and blob reads through `repo`. */
  snapshot?: (treeSha: string) => Promise<RepoSnapshot>;
  /**
   * For retries (the branch name is deterministic per run): the open pull request from `branch`
   * that an earlier attempt opened, or null. When one exists the run adopts it before planning
   * and writes nothing (outcome `adopted: true`, empty diff: keep the stored one); when only the
   * bare branch exists, the commit phase replaces it. Without it, an existing branch fails the run.
   */
  findPullRequest?: FindPullRequest;
}

export type RunOutcome =
  | {
      ok: true;
      branch: string;
      pullNumber: number;
      pullUrl: string;
      diff: string;
      files: ChangedFile[];
      usage: Usage;
      /** "unknown" when an earlier attempt's pull request was adopted without planning. */
      framework: FrameworkDetection["framework"];
      /** True when the pull request was an earlier attempt's (findPullRequest); diff and files are then empty. */
      adopted: boolean;
    }
  | { ok: false; error: string; retryable: boolean; usage: Usage; diff: string | null };

const MAX_CANDIDATES = 12;
const NEIGHBOURS = 6;
const byteLength = (text: string) => new TextEncoder().encode(text).byteLength;

/**
 * Implements a web experiment in a GitHub repository: plan (framework, target), read (the target,
 * its neighbours, the style), write (the model's tool loop under budgets and the path policy),
 * diff, then one commit on a new branch and a draft pull request. Never throws: every failure is
 * an outcome with a readable error and whether a retry may help.
 */
export async function runImplementation(input: RunInput): Promise<RunOutcome> {
  const meter = new BudgetMeter(input.now, input.budgets);
  let diff: string | null = null;
  let phase: RunPhase = "plan";
  const tracked: RunInput = {
    ...input,
    log: (at, message) => {
      phase = at;
      return input.log(at, message);
    },
  };
  try {
    const result = await run(tracked, meter, (value) => {
      diff = value;
    });
    return { ok: true, ...result, usage: meter.snapshot() };
  } catch (err) {
    const { error, retryable } = describeFailure(err);
    await input.log(phase, `failed: ${error}`).catch(() => undefined);
    return { ok: false, error, retryable, usage: meter.snapshot(), diff };
  }
}

async function run(input: RunInput, meter: BudgetMeter, setDiff: (diff: string) => void) {
  const { repo, experiment } = input;
  const log = (phase: RunPhase, message: string) => input.log(phase, message);

  // Plan.
  const problems = experimentProblems(experiment);
  if (problems.length > 0)
    throw new RunError(`The experiment cannot be implemented: ${problems.join("; ")}.`);
  const info = await repo.getRepository();
  const baseBranch = input.baseBranch?.trim() || info.defaultBranch;
  checkBranch(input.branch, baseBranch, info.defaultBranch);
  if (input.findPullRequest) {
    const existing = await input.findPullRequest(input.branch);
    if (existing) {
      await log(
        "plan",
        `draft pull request #${existing.pullNumber} from ${input.branch} exists; adopting it`,
      );
      return {
        branch: input.branch,
        ...existing,
        diff: "",
        files: [],
        framework: "unknown" as const,
        adopted: true,
      };
    }
  }
  const head = await repo.getBranchHead(baseBranch);
  await log("plan", `${info.fullName}@${baseBranch} ${head.commitSha.slice(0, 7)}`);
  const snapshot = input.snapshot
    ? await input.snapshot(head.treeSha)
    : await snapshotFromApi(repo, head.treeSha);
  const detection = await detectFramework(snapshot);
  if (detection.framework === "unknown") {
    const seen = detection.candidates[0];
    throw new RunError(
      `No supported framework was detected (Next.js, React with Vite or Create React App, Vue with Vite or Vue CLI)${
        seen ? `; closest: ${seen.framework} with ${seen.evidence.join(", ")}` : ""
      }${detection.warnings.length > 0 ? `. ${detection.warnings.join(" ")}` : ""}. The agent does not guess.`,
    );
  }
  await log("plan", `framework ${detection.framework}${detection.appRoot ? ` in ${detection.appRoot}` : ""}`);
  const candidates = (
    await findTargetFiles(
      snapshot,
      detection,
      experiment.targetType === "page"
        ? { kind: "page", route: experiment.target }
        : { kind: "component", name: experiment.target },
    )
  ).filter(
    (c) => c.role !== "style" && c.role !== "route-definition" && checkWritePath(c.path, detection).ok,
  );
  if (candidates.length === 0)
    throw new RunError(
      `No file renders the ${experiment.targetType} "${experiment.target}" in ${detection.framework}.`,
    );
  const shortlist = candidates.slice(0, MAX_CANDIDATES);
  const turns: Turn[] = [{ role: "user", text: planPrompt(experiment, detection, shortlist) }];
  const targetPath = await chooseTarget(input.model, meter, turns, shortlist);
  await log("plan", `target ${targetPath}`);

  // Read: the target, the files it imports, then the next best candidates, within the budget.
  const index = new RepoIndex(snapshot, Number.POSITIVE_INFINITY);
  const read = new Map<string, string>();
  const readCounted = async (path: string) => {
    // The model rewrites whole files, and the policy caps a written file at 100 KB; hidden and
    // secret files never reach the model.
    if (read.has(path) || !index.hasFile(path) || !checkReadPath(path, index.size(path)).ok) return;
    if (unsupportedAt(path, snapshot.unsupported) !== null) return;
    meter.spend("filesRead", 1);
    const text = await snapshot.read(path);
    if (text !== null && byteLength(text) <= DEFAULT_WRITE_POLICY.maxFileBytes) read.set(path, text);
  };
  await readCounted(targetPath);
  const targetText = read.get(targetPath);
  if (targetText === undefined)
    throw new RunError(
      `${targetPath} could not be read as text, or is over 100 KB: too large to rewrite safely.`,
    );
  const related = importBindings(targetText)
    .map((binding) => resolveImport(index, targetPath, binding.specifier, detection.importAliases))
    .filter((path): path is string => path !== null);
  const others = shortlist.map((c: TargetCandidate) => c.path);
  for (const path of [...new Set([...related, ...others])].slice(0, NEIGHBOURS)) {
    if (!meter.fits("filesRead", 1)) break;
    await readCounted(path);
  }
  const files = [...read].map(([path, content]) => ({ path, content }));
  const style = detectStyle(files, {
    aliases: detection.importAliases,
    dependencies: detection.dependencies,
  });
  await log(
    "read",
    `${files.length} files read; ${style.typescript ? "TypeScript" : "JavaScript"}, ${style.indent.kind} indent, ${style.quotes} quotes`,
  );

  // Write: PushBunny's files first, then the model's tool loop.
  const layout = await planLayout(index, detection, style, experiment, targetPath);
  const session = new WriteSession(index, detection, layout, targetPath, meter);
  for (const [path, content] of read) session.seed(path, content);
  if (!layout.sdkModule.reuse)
    session.generated.set(layout.sdkModule.path, sdkModuleSource(layout, style, input.sdk.baseUrl));
  const switchInput = {
    layout,
    style,
    experiment,
    aliases: detection.importAliases,
    useClient: detection.framework === "next-app",
  };
  session.generated.set(
    layout.switchComponent.path,
    layout.flavour === "vue" ? vueSwitchSource(switchInput) : reactSwitchSource(switchInput),
  );
  const switchImport = importSpecifier(
    targetPath,
    layout.switchComponent.path,
    detection.importAliases,
    style.importAlias,
  );
  turns.push({
    role: "user",
    text: writePrompt({
      experiment,
      layout,
      targetPath,
      switchImport,
      files,
      generated: [...session.generated].map(([path, content]) => ({ path, content })),
      styleText: describeStyle(style),
      folder: session.folder,
      clientSegments: switchInput.useClient,
    }),
  });
  await log("write", `writing ${layout.segments.length} segments beside ${layout.switchComponent.path}`);
  await writeLoop(input, meter, session, turns);

  // Diff, stored before anything reaches GitHub. Every path passed the policy when it was
  // written; checking the final set again keeps that true whatever changes above.
  const changes = await session.changes();
  for (const change of changes) {
    const check = session.checkChange(change);
    if (!check.ok) throw new RunError(`${change.path} was refused at commit time: ${check.reason}`);
  }
  const diff = capDiff(unifiedDiffOf(changes));
  setDiff(diff);
  const changed: ChangedFile[] = changes.map((c) => ({
    path: c.path,
    change: c.previous === null ? "added" : "modified",
    bytes: byteLength(c.content),
  }));
  await input.onDiff(diff, changed);
  await log("diff", `${changed.length} files, ${diff.split("\n").length} diff lines`);

  // Commit. From here a failing log (the heartbeat) must not fail the run: it could leave a
  // branch behind, or report a failure while the draft pull request is live.
  meter.check();
  const commitLog = (message: string) => log("commit", message).catch(() => undefined);
  // The model's summary is prose for reviewers; capped so a runaway answer cannot flood the PR.
  const summary = session.summary.trim().slice(0, 2_000);
  const pr = pullRequestText({ experiment, layout, targetPath, changes, summary });
  const pull = await commitAndOpenPullRequest({
    repo,
    base: { branch: baseBranch, commitSha: head.commitSha, treeSha: head.treeSha },
    branch: input.branch,
    changes,
    pr,
    log: commitLog,
    ...(input.findPullRequest ? { findPullRequest: input.findPullRequest } : {}),
  });
  await commitLog(`draft pull request #${pull.pullNumber} ${pull.pullUrl}`);
  return {
    branch: input.branch,
    pullNumber: pull.pullNumber,
    pullUrl: pull.pullUrl,
    diff: pull.adopted ? "" : diff,
    files: pull.adopted ? [] : changed,
    framework: detection.framework,
    adopted: pull.adopted,
  };
}
