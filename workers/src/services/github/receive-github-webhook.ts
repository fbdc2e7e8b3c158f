import { parsePullRequestEvent, verifyGitHubSignature } from "@pushbunny/agent";
import { type GithubInstallationState, setGithubInstallationState } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, NotFoundError, UnauthorizedError } from "../../errors";
import { applyPullRequestClosed } from "../web-experiments/webhook-merge";
import { githubWebhookSecret } from "./lib/config";

/** GitHub retries a delivery by hand only ("Redeliver"); a day covers that and any replay. */
const DELIVERY_TTL_SECONDS = 86_400;

export type GitHubWebhookOutcome =
  | { outcome: "applied"; detail: string }
  | { outcome: "duplicate"; detail: string }
  | { outcome: "ignored"; detail: string };

const INSTALLATION_STATES: Record<string, GithubInstallationState> = {
  deleted: "removed",
  suspend: "suspended",
  unsuspend: "active",
};

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
  const deliveryKey =
    input.deliveryId && /^[A-Za-z0-9-]{1,100}$/.test(input.deliveryId)
      ? `github:delivery:${input.deliveryId}`
      : null;
  if (deliveryKey && (await ctx.kv.get(deliveryKey)) !== null) {
    return { outcome: "duplicate", detail: `delivery ${input.deliveryId} was applied already` };
  }
  let body: unknown;
  try {
    body = JSON.parse(input.payload);
  } catch {
    throw new BadRequestError("the body is not JSON: set the App's webhook content type to application/json");
  }
  const outcome = await apply(ctx, input.event ?? "", body);
  if (deliveryKey && outcome.outcome === "applied") {
    await ctx.kv.put(deliveryKey, "1", { expirationTtl: DELIVERY_TTL_SECONDS });
  }
  return outcome;
}

async function apply(ctx: AppContext, event: string, body: unknown): Promise<GitHubWebhookOutcome> {
  if (event === "installation") {
    const b = body as { action?: unknown; installation?: { id?: unknown } };
    const state = typeof b.action === "string" ? INSTALLATION_STATES[b.action] : undefined;
    const id = b.installation?.id;
    if (!state || typeof id !== "number" || !Number.isSafeInteger(id)) {
      return { outcome: "ignored", detail: `installation ${String(b.action)} changes nothing here` };
    }
    const projects = await setGithubInstallationState(ctx.db, id, state, ctx.now());
    return { outcome: "applied", detail: `installation ${id} is ${state} for ${projects.length} project(s)` };
  }
  if (event === "pull_request") {
    const pr = parsePullRequestEvent(body);
    if (!pr) throw new BadRequestError("not a pull_request payload GitHub sends");
    if (pr.action !== "closed")
      return { outcome: "ignored", detail: `pull_request ${pr.action} changes nothing` };
    const changed = await applyPullRequestClosed({ ctx, input: pr });
    return changed > 0
      ? { outcome: "applied", detail: `${changed} web experiment(s) ${pr.merged ? "activated" : "failed"}` }
      : { outcome: "ignored", detail: `no web experiment waits on ${pr.repository}#${pr.number}` };
  }
  return { outcome: "ignored", detail: `${event || "an event without X-GitHub-Event"} is not used` };
}
