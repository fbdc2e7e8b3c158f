import {
  type RunPhase as AgentPhase,
  type ChangedFile,
  createRepoApi,
  findOpenPullRequest,
  GitHubError,
  mintInstallationToken,
  type RunOutcome,
  repoSnapshot,
  runImplementation,
} from "@pushbunny/agent";
import {
  claimImplementationRun,
  findGithubInstallation,
  findImplementationRun,
  findWebExperimentById,
  finishImplementationRun,
  type ImplementationRunRow,
  type RunLogEntry,
  type RunPhase,
  requeueImplementationRun,
  setImplementationRunDiff,
  updateImplementationRunProgress,
  type WebExperimentRow,
} from "@pushbunny/db";
import { createGeminiAgentModel } from "@pushbunny/llm";
import type { AppContext } from "../../context";
import { AppError } from "../../errors";
import { retryDelaySeconds } from "../../queue/messages";
import { githubApp } from "../github/lib/config";
import { failWebExperiment } from "./fail-web-experiment";
import { markPrOpen } from "./mark-pr-open";

/** Attempts a run gets when GitHub or the LLM fail in a way worth retrying (limits, 5xx, network). */
export const MAX_RUN_ATTEMPTS = 3;
/** A running run whose heartbeat is older than this may be taken over by a redelivered job. */
export const RUN_STALE_MS = 5 * 60_000;
/** Model calls of the agent: thinking models answer a long prompt slowly. */
const AGENT_LLM_TIMEOUT_MS = 120_000;
/**
 * A primary rate limit can last an hour; the wait is capped here, well under the sweep's 15
 * minutes (STALE_RUN_MS), since the requeued run's heartbeat is set to when it resumes.
 */
export const MAX_RETRY_DELAY_SECONDS = 600;
/** The shortest wait before a duplicate message looks again at a run another attempt holds. */
const MIN_HELD_DELAY_SECONDS = 30;
/** Who the history names for the job's transitions. */
export const AGENT_ACTOR = "agent";

export type RunJobOutcome = { kind: "ack" } | { kind: "retry"; delaySeconds: number };

const PHASES: Record<AgentPhase, RunPhase> = {
  plan: "plan",
  read: "read",
  write: "write",
  diff: "write",
  commit: "commit",
};

/** `pushbunny/<key>-<first 6 characters of the run id's random part>`: one branch per run. */
export const runBranch = (key: string, runId: string) =>
  `pushbunny/${key}-${runId.replace(/^run_/, "").slice(0, 6)}`;

/**
 * One attempt of an implementation run (the `web_implement` job). Idempotent: a finished run, or
 * one another attempt is working on (fresh heartbeat), is acknowledged untouched. Mints an
 * installation token narrowed to the repository (never stored or logged), runs the agent with
 * the phase log as its heartbeat and the diff stored before the commit, then records the PR
 * (experiment pr_open) or the failure (experiment failed). Retryable failures come back as a
 * retry with a delay, up to MAX_RUN_ATTEMPTS attempts.
 */
export async function runImplementationJob({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { projectId: string; runId: string };
}): Promise<RunJobOutcome> {
  const existing = await findImplementationRun(ctx.db, input.projectId, input.runId);
  if (!existing || existing.status === "succeeded" || existing.status === "failed") return { kind: "ack" };
  const run = await claimImplementationRun(ctx.db, {
    projectId: input.projectId,
    id: input.runId,
    now: ctx.now(),
    staleBefore: ctx.now() - RUN_STALE_MS,
  });
  if (!run) return heldElsewhere(ctx, input);
  const log: RunLogEntry[] = [...run.log];
  const fail = (error: string) => finishFailed(ctx, run, log, error, null);

  const experiment = await findWebExperimentById(ctx.db, run.projectId, run.experimentId);
  if (!experiment) return fail("the web experiment was deleted");
  if (experiment.status !== "implementing") {
    return fail(`the web experiment is ${experiment.status} now, not implementing`);
  }
  if (!experiment.repository) return fail("the web experiment names no repository");
  const installation = await findGithubInstallation(ctx.db, run.projectId);
  if (installation?.state !== "active") {
    return fail("the project is no longer connected to an active GitHub installation");
  }
  const apiKey = ctx.config.gemini.apiKey;
  if (!apiKey) return fail("GEMINI_API_KEY is no longer set on this deployment");
  let config: ReturnType<typeof githubApp>;
  try {
    config = githubApp(ctx);
  } catch (err) {
    return fail(err instanceof Error ? err.message : "GitHub is not configured");
  }

  const append = async (phase: RunPhase, message: string) => {
    log.push({ at: ctx.now(), phase, message: message.slice(0, 1_000) });
    await updateImplementationRunProgress(ctx.db, {
      projectId: run.projectId,
      id: run.id,
      now: ctx.now(),
      phase,
      log,
    });
  };
  await append("plan", `attempt ${run.attempts} of ${MAX_RUN_ATTEMPTS} started`);

  // A token the App cannot mint fails before the agent starts: no usage to report.
  let outcome: RunOutcome | { ok: false; error: string; retryable: boolean; usage: null };
  // GitHub's own wait when it said how long (a rate limit on the token mint), capped.
  let githubWaitSeconds = 0;
  try {
    const { token } = await mintInstallationToken(config, installation.installationId, {
      repositories: [experiment.repository],
      nowMs: ctx.now(),
    });
    const repo = createRepoApi({
      apiUrl: config.apiUrl,
      token,
      fullName: experiment.repository,
      timeoutMs: 15_000,
    });
    const model = createGeminiAgentModel({
      apiKey,
      model: ctx.config.gemini.model,
      baseUrl: ctx.config.gemini.baseUrl,
      timeoutMs: Math.max(ctx.config.llmTimeoutMs, AGENT_LLM_TIMEOUT_MS),
    });
    const repository = experiment.repository;
    outcome = await runImplementation({
      repo,
      model,
      experiment: specOf(experiment),
      branch: runBranch(experiment.key, run.id),
      // The branch is the run's own: a PR from it is an earlier attempt's (which died before
      // recording it), adopted rather than opened twice; a bare branch is replaced.
      findPullRequest: (branch) =>
        findOpenPullRequest({ apiUrl: config.apiUrl, timeoutMs: 15_000 }, token, repository, branch),
      baseBranch: experiment.baseBranch,
      sdk: { baseUrl: ctx.config.auth.publicUrl ?? "http://localhost:8787" },
      now: ctx.now,
      log: (phase, message) => append(PHASES[phase] ?? "write", message),
      onDiff: async (diff, files) => {
        await setImplementationRunDiff(ctx.db, {
          projectId: run.projectId,
          id: run.id,
          now: ctx.now(),
          diff,
          files: files.map((f: ChangedFile) => f.path),
        });
      },
      snapshot: (treeSha) => repoSnapshot(repo, treeSha),
    });
  } catch (err) {
    // Only the token mint throws here (runImplementation never does); D1 trouble is rethrown.
    if (!(err instanceof GitHubError)) throw err;
    outcome = { ok: false, error: err.message, retryable: err.retryable, usage: null };
    githubWaitSeconds = Math.min(err.retryAfterSeconds ?? 0, MAX_RETRY_DELAY_SECONDS);
  }

  if (outcome.ok) {
    await append("done", `draft pull request #${outcome.pullNumber} opened from ${outcome.branch}`);
    await finishImplementationRun(ctx.db, {
      projectId: run.projectId,
      id: run.id,
      now: ctx.now(),
      status: "succeeded",
      phase: "done",
      log,
      usage: usageOf(outcome.usage),
      branch: outcome.branch,
      pullNumber: outcome.pullNumber,
      pullUrl: outcome.pullUrl,
      // An adopted PR brings no diff: the earlier attempt stored its own before committing.
      diff: outcome.adopted ? run.diff : outcome.diff,
      files: outcome.adopted ? run.files : outcome.files.map((f) => f.path),
    });
    try {
      await markPrOpen({
        ctx,
        projectId: run.projectId,
        actor: AGENT_ACTOR,
        input: {
          experimentId: run.experimentId,
          branch: outcome.branch,
          pullNumber: outcome.pullNumber,
          pullUrl: outcome.pullUrl,
          reason: `draft pull request #${outcome.pullNumber} is open`,
        },
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.logger.warn("pull request opened for an experiment that moved on", {
        runId: run.id,
        error: err.message,
      });
    }
    return { kind: "ack" };
  }
  if (outcome.retryable && run.attempts < MAX_RUN_ATTEMPTS) {
    const delaySeconds = Math.min(
      Math.max(retryDelaySeconds(run.attempts + 4), githubWaitSeconds),
      MAX_RETRY_DELAY_SECONDS,
    );
    log.push({
      at: ctx.now(),
      phase: "queued",
      message: `attempt ${run.attempts} failed (${outcome.error}); retrying in ${delaySeconds} s`,
    });
    await requeueImplementationRun(ctx.db, {
      projectId: run.projectId,
      id: run.id,
      now: ctx.now(),
      resumeAt: ctx.now() + delaySeconds * 1000,
      log,
    });
    return { kind: "retry", delaySeconds };
  }
  const suffix = outcome.retryable ? ` (gave up after ${run.attempts} attempts)` : "";
  return finishFailed(
    ctx,
    run,
    log,
    `${outcome.error}${suffix}`,
    outcome.usage ? usageOf(outcome.usage) : null,
  );
}

/**
 * The claim failed: the run finished (ack), or another attempt holds it with a fresh heartbeat.
 * That message may be a redelivery whose holder then dies, so it is not dropped: it comes back
 * when the heartbeat would have gone stale, and takes the run over then or finds it finished.
 */
async function heldElsewhere(
  ctx: AppContext,
  input: { projectId: string; runId: string },
): Promise<RunJobOutcome> {
  const now = await findImplementationRun(ctx.db, input.projectId, input.runId);
  if (!now || (now.status !== "queued" && now.status !== "running")) return { kind: "ack" };
  const staleInMs = (now.heartbeatAt ?? ctx.now()) + RUN_STALE_MS - ctx.now();
  const delaySeconds = Math.min(
    Math.max(Math.ceil(staleInMs / 1000), MIN_HELD_DELAY_SECONDS),
    MAX_RETRY_DELAY_SECONDS,
  );
  return { kind: "retry", delaySeconds };
}

async function finishFailed(
  ctx: AppContext,
  run: ImplementationRunRow,
  log: RunLogEntry[],
  error: string,
  usage: ReturnType<typeof usageOf> | null,
): Promise<RunJobOutcome> {
  log.push({ at: ctx.now(), phase: lastPhase(log), message: `failed: ${error}`.slice(0, 1_000) });
  const ended = await finishImplementationRun(ctx.db, {
    projectId: run.projectId,
    id: run.id,
    now: ctx.now(),
    status: "failed",
    error,
    log,
    ...(usage ? { usage } : {}),
  });
  if (ended) await failExperiment(ctx, run.projectId, run.experimentId, error);
  return { kind: "ack" };
}

/** implementing → failed; an experiment that moved on (deleted, failed by hand) stays as it is. */
export async function failExperiment(
  ctx: AppContext,
  projectId: string,
  experimentId: string,
  reason: string,
) {
  try {
    await failWebExperiment({ ctx, projectId, actor: AGENT_ACTOR, input: { experimentId, reason } });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
  }
}

const lastPhase = (log: RunLogEntry[]): RunPhase => log.at(-1)?.phase ?? "queued";

function usageOf(u: {
  toolCalls: number;
  filesRead: number;
  bytesWritten: number;
  tokens: number;
  wallMs: number;
}) {
  return {
    toolCalls: u.toolCalls,
    filesRead: u.filesRead,
    bytesWritten: u.bytesWritten,
    tokens: u.tokens,
    wallMs: u.wallMs,
  };
}

function specOf(e: WebExperimentRow) {
  return {
    key: e.key,
    hypothesis: e.hypothesis,
    targetType: e.targetType,
    target: e.target,
    segments: e.segments.map((s) => ({
      key: s.key,
      name: s.name,
      trafficPercent: s.trafficPercent,
      description: s.description,
    })),
    primaryMetric: e.primaryMetric,
    secondaryMetrics: e.secondaryMetrics,
    previewUrl: e.previewUrl,
  };
}
