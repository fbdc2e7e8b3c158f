import { GitHubError, getInstallation, parsePullRequestEvent, verifyGitHubSignature } from "@pushbunny/agent";
import { sha256Hex } from "@pushbunny/core";
import { type GithubInstallationState, setGithubInstallationState } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, NotFoundError, UnauthorizedError } from "../../errors";
import { applyPullRequestClosed } from "../web-experiments/webhook-merge";
import { githubApp, githubWebhookSecret } from "./lib/config";
import { fromGitHubError } from "./lib/errors";

/** GitHub retries a delivery by hand only ("Redeliver"); a day covers that and any replay. */
const DELIVERY_TTL_SECONDS = 86_400;

export type GitHubWebhookOutcome =
  | { outcome: "applied"; detail: string }
  | { outcome: "duplicate"; detail: string }
  | { outcome: "ignored"; detail: string };

/** Installation actions that change what PushBunny may do with it. */
const INSTALLATION_ACTIONS = new Set(["deleted", "suspend", "unsuspend"]);

/**
 * One delivery of the App's webhook. The signature over the raw bytes is checked before anything
 * is parsed; each X-GitHub-Delivery is applied once. Installation events change the state of the
 * projects connected to that installation; a closed pull request activates (merged) or fails
 * (closed unmerged) the web experiment that opened it, found through the installation that sent
 * the event, never through the repository name alone.
 */
export async function receiveGitHubWebhook({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { payload: string; signature: string | null; event: string | null; deliveryId: string | null };
}): Promise<GitHubWebhookOutcome> {
  const secret = githubWebhookSecret(ctx);
  if (!secret) {
    throw new NotFoundError(
      "GitHub webhooks are not set up here: set GITHUB_WEBHOOK_SECRET to the App's webhook secret",
    );
  }
  if (!(await verifyGitHubSignature(secret, input.payload, input.signature))) {
    throw new UnauthorizedError(
      "X-Hub-Signature-256 is missing or does not match the body: check GITHUB_WEBHOOK_SECRET against the App's webhook secret",
    );
  }
  if (!input.deliveryId || !/^[A-Za-z0-9-]{1,100}$/.test(input.deliveryId)) {
    throw new BadRequestError("X-GitHub-Delivery is missing or not a delivery id GitHub sends");
  }
  // A replay under a new delivery id still carries the same bytes: both are remembered.
  const keys = [
    `github:delivery:${input.deliveryId}`,
    `github:delivery-body:${await sha256Hex(input.payload)}`,
  ];
  for (const key of keys) {
    if ((await ctx.kv.get(key)) !== null) {
      return { outcome: "duplicate", detail: `delivery ${input.deliveryId} was applied already` };
    }
  }
  let body: unknown;
  try {
    body = JSON.parse(input.payload);
  } catch {
    throw new BadRequestError("the body is not JSON: set the App's webhook content type to application/json");
  }
  const outcome = await apply(ctx, input.event ?? "", body);
  if (outcome.outcome === "applied") {
    for (const key of keys) await ctx.kv.put(key, "1", { expirationTtl: DELIVERY_TTL_SECONDS });
  }
  return outcome;
}

async function apply(ctx: AppContext, event: string, body: unknown): Promise<GitHubWebhookOutcome> {
  if (event === "installation") {
    const b = body as { action?: unknown; installation?: { id?: unknown } };
    const id = b.installation?.id;
    if (
      typeof b.action !== "string" ||
      !INSTALLATION_ACTIONS.has(b.action) ||
      typeof id !== "number" ||
      !Number.isSafeInteger(id) ||
      id <= 0
    ) {
      return { outcome: "ignored", detail: `installation ${String(b.action)} changes nothing here` };
    }
    const state = await currentInstallationState(ctx, id);
    const projects = await setGithubInstallationState(ctx.db, id, state, ctx.now());
    return { outcome: "applied", detail: `installation ${id} is ${state} for ${projects.length} project(s)` };
  }
  if (event === "pull_request") {
    const pr = parsePullRequestEvent(body);
    if (!pr) throw new BadRequestError("not a pull_request payload GitHub sends");
    if (pr.action !== "closed")
      return { outcome: "ignored", detail: `pull_request ${pr.action} changes nothing` };
    const repository = (body as { repository?: { default_branch?: unknown } }).repository;
    const defaultBranch = typeof repository?.default_branch === "string" ? repository.default_branch : null;
    const changed = await applyPullRequestClosed({ ctx, input: { ...pr, defaultBranch } });
    return changed > 0
      ? { outcome: "applied", detail: `${changed} web experiment(s) ${pr.merged ? "activated" : "failed"}` }
      : { outcome: "ignored", detail: `no web experiment waits on ${pr.repository}#${pr.number}` };
  }
  return { outcome: "ignored", detail: `${event || "an event without X-GitHub-Event"} is not used` };
}

/**
 * The installation's state as GitHub holds it now, not as the event's action says: deliveries
 * arrive out of order (a late "unsuspend" after a "suspend"), and the newest truth is GitHub's.
 */
async function currentInstallationState(ctx: AppContext, id: number): Promise<GithubInstallationState> {
  try {
    const installation = await getInstallation(githubApp(ctx), id, ctx.now());
    return installation.suspended ? "suspended" : "active";
  } catch (err) {
    if (err instanceof GitHubError && err.code === "not_found") return "removed";
    throw fromGitHubError(err);
  }
}
