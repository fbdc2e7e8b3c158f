import { describe, expect, it } from "vitest";
import {
  pullRequestEventPayload,
  signGitHubWebhookBody,
} from "../../../workers/test-support/github-stub-server";
import { parsePullRequestEvent, signGitHubWebhook, verifyGitHubSignature } from "../src";
import { acme, repoApi, stub, useGitHubStub } from "./github-setup";

useGitHubStub();

describe("webhooks", () => {
  const secret = "whsec-test";
  const body = JSON.stringify({ action: "closed", n: 1 });

  it("verifies X-Hub-Signature-256 over the raw body", async () => {
    const header = signGitHubWebhookBody(secret, body);
    expect(await signGitHubWebhook(secret, body)).toBe(header);
    expect(await verifyGitHubSignature(secret, body, header)).toBe(true);
    expect(await verifyGitHubSignature(secret, new TextEncoder().encode(body), header)).toBe(true);
    expect(
      await verifyGitHubSignature(secret, body, header.toUpperCase().replace("SHA256=", "sha256=")),
    ).toBe(true);
  });

  it.each([
    ["missing", null],
    ["empty", ""],
    ["another secret", signGitHubWebhookBody("other", body)],
    ["another body", signGitHubWebhookBody(secret, `${body} `)],
    ["sha1", `sha1=${"a".repeat(40)}`],
    ["too short", `sha256=${"a".repeat(62)}`],
    ["too long", `sha256=${"a".repeat(66)}`],
    ["not hex", `sha256=${"g".repeat(64)}`],
    ["no prefix", "a".repeat(64)],
  ])("refuses a signature that is %s", async (_, header) => {
    expect(await verifyGitHubSignature(secret, body, header)).toBe(false);
  });

  it("refuses everything when the secret is empty", async () => {
    expect(await verifyGitHubSignature("", body, signGitHubWebhookBody("", body))).toBe(false);
  });

  it("parses a pull_request event, as the stub delivers it after a merge", async () => {
    const api = await repoApi("acme/vite");
    const head = await api.getBranchHead("main");
    const blob = await api.createBlob("y");
    const tree = await api.createTree(head.treeSha, [{ path: "src/y.tsx", sha: blob.sha, mode: "100644" }]);
    const commit = await api.createCommit({ message: "y", treeSha: tree.sha, parentShas: [head.commitSha] });
    await api.createBranch("pushbunny/exp-y", commit.sha);
    const pull = await api.createPullRequest({
      title: "y",
      body: "",
      head: "pushbunny/exp-y",
      base: "main",
      draft: true,
    });
    const payload = stub.state.mergePull("acme/vite", pull.number);
    const delivery = stub.webhookRequest(payload);
    expect(
      await verifyGitHubSignature(stub.webhookSecret, delivery.body, delivery.headers["x-hub-signature-256"]),
    ).toBe(true);
    expect(parsePullRequestEvent(JSON.parse(delivery.body))).toEqual({
      action: "closed",
      installationId: acme,
      repository: "acme/vite",
      number: pull.number,
      merged: true,
      headRef: "pushbunny/exp-y",
      baseRef: "main",
    });
    expect(stub.state.branches("acme/vite").main).toBe(commit.sha);
  });

  const valid = pullRequestEventPayload({
    action: "opened",
    installationId: 7,
    repository: "o/r",
    number: 3,
    headRef: "h",
    baseRef: "b",
  });
  /** The valid payload with one field changed, or removed when `value` is undefined. */
  const variant = (path: string[], value?: unknown) => {
    const copy = structuredClone(valid);
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
    const last = path.at(-1) ?? "";
    if (value === undefined) delete node[last];
    else node[last] = value;
    return copy;
  };
  it.each([
    ["null", null],
    ["an array", []],
    ["a push event", { ref: "refs/heads/main", installation: { id: 1 }, repository: { full_name: "o/r" } }],
    ["no action", variant(["action"])],
    ["no installation", variant(["installation"])],
    ["a string installation id", variant(["installation", "id"], "7")],
    ["a repository without owner", variant(["repository", "full_name"], "r")],
    ["no head ref", variant(["pull_request", "head", "ref"])],
    ["a negative number", variant(["number"], -1)],
    [
      "no number anywhere",
      { ...variant(["pull_request"], { head: { ref: "h" }, base: { ref: "b" } }), number: undefined },
    ],
  ])("an unknown shape (%s) is null", (_, json) => {
    expect(parsePullRequestEvent(json)).toBeNull();
  });

  it("an opened event is not merged", () => {
    expect(parsePullRequestEvent(valid)).toMatchObject({ action: "opened", merged: false, number: 3 });
  });
});
