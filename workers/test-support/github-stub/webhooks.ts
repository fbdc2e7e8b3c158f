import { createHmac } from "node:crypto";
import type { Reply, StubContext } from "./types";

/** The `X-Hub-Signature-256` GitHub sends for a body. */
export function signGitHubWebhookBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** A `pull_request` event payload shaped as GitHub sends it (the fields the Worker reads, and some). */
export function pullRequestEventPayload(input: {
  action: string;
  installationId: number;
  repository: string;
  number: number;
  merged?: boolean;
  headRef: string;
  baseRef: string;
  draft?: boolean;
  /** The repository's default branch; default the base. */
  defaultBranch?: string;
}): Record<string, unknown> {
  const [owner = "", name = ""] = input.repository.split("/");
  const merged = input.merged ?? false;
  return {
    action: input.action,
    number: input.number,
    pull_request: {
      number: input.number,
      state: input.action === "closed" ? "closed" : "open",
      draft: input.draft ?? true,
      merged,
      merged_at: merged ? new Date().toISOString() : null,
      head: { ref: input.headRef, sha: "0".repeat(40) },
      base: { ref: input.baseRef, sha: "0".repeat(40) },
      html_url: `https://github.com/${input.repository}/pull/${input.number}`,
    },
    repository: {
      full_name: input.repository,
      name,
      owner: { login: owner },
      default_branch: input.defaultBranch ?? input.baseRef,
    },
    installation: { id: input.installationId },
    sender: { login: owner },
  };
}

export function webhookRequest(ctx: StubContext, payload: unknown, event = "pull_request") {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/stub",
      "x-github-event": event,
      "x-github-delivery": crypto.randomUUID(),
      "x-github-hook-installation-target-type": "integration",
      "x-hub-signature-256": signGitHubWebhookBody(ctx.webhookSecret, body),
    },
  };
}

/** POSTs a signed delivery to `target`; the reply says what the receiver answered. */
export async function deliver(ctx: StubContext, target: string, payload: unknown): Promise<Reply> {
  const request = webhookRequest(ctx, payload);
  const res = await fetch(target, { method: "POST", headers: request.headers, body: request.body });
  return { status: 200, body: { ...request, delivered: { status: res.status, body: await res.text() } } };
}
