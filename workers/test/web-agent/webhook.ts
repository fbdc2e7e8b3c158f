import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { call, expectError, json } from "../helpers";
import {
  implement,
  implementOnce,
  installation,
  ready,
  status,
  stubPost,
  stubRepo,
  withAgent,
} from "./helpers";

describe("the webhook", () => {
  async function prOpen() {
    const r = await ready();
    await implementOnce(r.apiKey, r.key);
    const repo = await stubRepo(r.inst.repository);
    const pull = repo.pulls[0];
    expect(pull, "the agent opened no PR").toBeDefined();
    return { ...r, number: pull?.number ?? 0, head: pull?.head ?? "" };
  }

  const sign = async (body: string, secret = env.GITHUB_WEBHOOK_SECRET ?? "") => {
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
    return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  };
  const closed = (p: {
    installation: number;
    repository: string;
    number: number;
    head: string;
    merged: boolean;
    base?: string;
  }) =>
    JSON.stringify({
      action: "closed",
      number: p.number,
      installation: { id: p.installation },
      repository: { full_name: p.repository, default_branch: "main" },
      pull_request: {
        number: p.number,
        merged: p.merged,
        head: { ref: p.head },
        base: { ref: p.base ?? "main" },
      },
    });
  const deliverHook = async (
    body: string,
    signature: string | null,
    event = "pull_request",
    delivery: string | null = crypto.randomUUID(),
  ) =>
    call("/github/webhook", {
      raw: body,
      headers: {
        "x-github-event": event,
        ...(delivery ? { "x-github-delivery": delivery } : {}),
        ...(signature ? { "x-hub-signature-256": signature } : {}),
      },
    });

  it("a bad or missing signature is 401 and changes nothing", async () => {
    const { apiKey, key, inst, number, head } = await prOpen();
    const body = closed({ installation: inst.id, repository: inst.repository, number, head, merged: true });
    await expectError(await deliverHook(body, await sign(body, "not-the-secret")), 401, "UNAUTHORIZED");
    await expectError(await deliverHook(body, null), 401, "UNAUTHORIZED");
    await expectError(await deliverHook(`${body} `, await sign(body)), 401, "UNAUTHORIZED");
    expect((await status(apiKey, key)).status).toBe("pr_open");
  });

  it("a PR event signed for another installation is ignored", async () => {
    const { apiKey, key, inst, number, head } = await prOpen();
    const other = await installation();
    const body = closed({ installation: other.id, repository: inst.repository, number, head, merged: true });
    expect(await json(await deliverHook(body, await sign(body)), 202)).toMatchObject({ outcome: "ignored" });
    expect((await status(apiKey, key)).status).toBe("pr_open");
  });

  it("closed without merging fails the experiment; other events are ignored; suspension is recorded", async () => {
    const { apiKey, key, inst, number, head, projectId } = await prOpen();
    const ping = JSON.stringify({ zen: "Keep it logically awesome." });
    expect(await json(await deliverHook(ping, await sign(ping), "ping"), 202)).toMatchObject({
      outcome: "ignored",
    });
    const body = closed({ installation: inst.id, repository: inst.repository, number, head, merged: false });
    expect(await json(await deliverHook(body, await sign(body)), 200)).toMatchObject({ outcome: "applied" });
    const s = await status(apiKey, key);
    expect(s.status).toBe("failed");
    expect(s.reason).toBe(`pull request #${number} was closed without merging`);
    await stubPost(`/__stub/installations/${inst.id}/suspend`);
    const suspend = JSON.stringify({ action: "suspend", installation: { id: inst.id } });
    expect(await json(await deliverHook(suspend, await sign(suspend), "installation"), 200)).toMatchObject({
      outcome: "applied",
    });
    const row = await env.DB.prepare("SELECT state FROM github_installations WHERE project_id = ?")
      .bind(projectId)
      .first<{ state: string }>();
    expect(row?.state).toBe("suspended");
    await expectError(await implement(withAgent(), apiKey, key), 409, "CONFLICT", /suspended/);
    // A late "unsuspend" while GitHub still holds it suspended: the state GitHub holds wins.
    const late = JSON.stringify({ action: "unsuspend", installation: { id: inst.id }, sender: { id: 1 } });
    await json(await deliverHook(late, await sign(late), "installation"), 200);
    const still = await env.DB.prepare("SELECT state FROM github_installations WHERE project_id = ?")
      .bind(projectId)
      .first<{ state: string }>();
    expect(still?.state).toBe("suspended");
    await stubPost(`/__stub/installations/${inst.id}/unsuspend`);
    const unsuspend = JSON.stringify({ action: "unsuspend", installation: { id: inst.id } });
    await json(await deliverHook(unsuspend, await sign(unsuspend), "installation"), 200);
    const back = await env.DB.prepare("SELECT state FROM github_installations WHERE project_id = ?")
      .bind(projectId)
      .first<{ state: string }>();
    expect(back?.state).toBe("active");
  });

  it("needs X-GitHub-Delivery (400), and the same body under a new delivery id is a duplicate", async () => {
    const inst = await installation();
    const body = JSON.stringify({
      action: "suspend",
      installation: { id: inst.id },
      nonce: crypto.randomUUID(),
    });
    await expectError(
      await deliverHook(body, await sign(body), "installation", null),
      400,
      "BAD_REQUEST",
      /X-GitHub-Delivery/,
    );
    expect(await json(await deliverHook(body, await sign(body), "installation"), 200)).toMatchObject({
      outcome: "applied",
    });
    expect(await json(await deliverHook(body, await sign(body), "installation"), 200)).toMatchObject({
      outcome: "duplicate",
    });
  });

  it("a PR merged into another branch than the experiment's base activates nothing", async () => {
    const { apiKey, key, inst, number, head } = await prOpen();
    const scratch = closed({
      installation: inst.id,
      repository: inst.repository,
      number,
      head,
      merged: true,
      base: "scratch",
    });
    expect(await json(await deliverHook(scratch, await sign(scratch)), 202)).toMatchObject({
      outcome: "ignored",
    });
    expect((await status(apiKey, key)).status).toBe("pr_open");
    const main = closed({ installation: inst.id, repository: inst.repository, number, head, merged: true });
    expect(await json(await deliverHook(main, await sign(main)), 200)).toMatchObject({ outcome: "applied" });
    expect((await status(apiKey, key)).status).toBe("active");
  });

  it("is off (404) until GITHUB_WEBHOOK_SECRET is set", async () => {
    const body = JSON.stringify({ zen: "off" });
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://pushbunny.test/github/webhook", {
        method: "POST",
        headers: { "x-github-event": "ping", "x-hub-signature-256": await sign(body) },
        body,
      }),
      withAgent({ GITHUB_WEBHOOK_SECRET: undefined }),
      ctx,
    );
    await waitOnExecutionContext(ctx);
    await expectError(res, 404, "NOT_FOUND", /GITHUB_WEBHOOK_SECRET/);
  });
});
