import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CRONS } from "../../src/scheduled/crons";
import { call, expectError, json, runCron, seedProject } from "../helpers";
import {
  connect,
  deliver,
  GITHUB,
  implement,
  implementOnce,
  installation,
  pushbunnyBranches,
  queued,
  ready,
  status,
  stubPost,
  stubRepo,
  webExperiment,
  withAgent,
} from "./helpers";

describe("the agent's failures", () => {
  it("refuses before creating anything: no LLM, no App, not connected, no repository, hidden repository, wrong status, a run under way", async () => {
    const { apiKey, key, inst, projectId } = await ready();
    await expectError(
      await implement(withAgent({ GEMINI_API_KEY: undefined }), apiKey, key),
      503,
      "SERVICE_UNAVAILABLE",
      /the agent needs GEMINI_API_KEY; implement by hand with the SDK \(see README\)/,
    );
    await expectError(
      await implement(withAgent({ GITHUB_APP_ID: "" }), apiKey, key),
      503,
      "SERVICE_UNAVAILABLE",
      /GITHUB_APP_ID/,
    );
    await expectError(
      await implement(withAgent(), apiKey, key, { repository: `${inst.login}/other` }),
      409,
      "CONFLICT",
      /cannot see .*\/other/,
    );

    const bare = await seedProject();
    const unconnected = await webExperiment(bare.apiKey, inst.repository);
    await expectError(
      await implement(withAgent(), bare.apiKey, unconnected.key),
      409,
      "CONFLICT",
      /not connected to GitHub/,
    );
    await connect(bare.apiKey, bare.projectId, await installation());
    const noRepo = await webExperiment(bare.apiKey, null);
    await expectError(
      await implement(withAgent(), bare.apiKey, noRepo.key),
      400,
      "BAD_REQUEST",
      /repository/,
    );

    const runs = await env.DB.prepare(
      "SELECT count(*) AS n FROM implementation_runs WHERE project_id IN (?, ?)",
    )
      .bind(projectId, bare.projectId)
      .first<{ n: number }>();
    expect(runs?.n).toBe(0);
    expect(queued.filter((b) => JSON.stringify(b).includes(projectId))).toEqual([]);

    await json(await implement(withAgent(), apiKey, key), 202);
    await expectError(
      await implement(withAgent(), apiKey, key),
      409,
      "CONFLICT",
      /is implementing|already queued/,
    );
    await json(await call(`/v1/web-experiments/${noRepo.key}/activate`, { key: bare.apiKey, body: {} }), 200);
    await expectError(
      await implement(withAgent(), bare.apiKey, noRepo.key, { repository: "x/y" }),
      409,
      "CONFLICT",
      /is active/,
    );
  });

  const failures: { name: string; failure: Record<string, unknown>; error: RegExp }[] = [
    { name: "403 (a missing permission)", failure: { status: 403 }, error: /lacks a permission/ },
    {
      name: "404 (the repository is gone)",
      failure: { status: 404 },
      error: /could not find the repository/,
    },
  ];
  for (const f of failures) {
    it(`GitHub ${f.name} fails the run and the experiment, with no branch left`, async () => {
      const { apiKey, key, inst } = await ready();
      await stubPost("/__stub/failures", { repo: inst.repository, ...f.failure });
      const { result } = await implementOnce(apiKey, key);
      expect(result.retryMessages).toEqual([]);
      const s = await status(apiKey, key);
      expect(s.status).toBe("failed");
      expect(s.run?.status).toBe("failed");
      expect(s.run?.error).toMatch(f.error);
      expect(s.reason).toMatch(f.error);
      await fetch(`${GITHUB}/__stub/failures`, {
        method: "DELETE",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ repo: inst.repository }),
      });
      expect(pushbunnyBranches((await stubRepo(inst.repository)).branches)).toEqual([]);
    });
  }

  it("GitHub 409 on an empty repository fails with what to do", async () => {
    const { apiKey, key, inst } = await ready({ seed: { empty: true } });
    await implementOnce(apiKey, key);
    const s = await status(apiKey, key);
    expect(s.status).toBe("failed");
    expect(s.run?.error).toMatch(/no commits yet/);
    expect((await stubRepo(inst.repository)).branches).toEqual({});
  });

  it("GitHub 401 (a bad App key) fails the run as the operator's to fix", async () => {
    const { apiKey, key } = await ready();
    const pair = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const der = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    const pem = `-----BEGIN PRIVATE KEY-----\n${btoa(String.fromCharCode(...der))}\n-----END PRIVATE KEY-----`;
    // The request lists repositories with the right key; the job mints its token with a wrong one.
    const started = await json<{ run_id: string }>(await implement(withAgent(), apiKey, key), 202);
    const { result } = await deliver(withAgent({ GITHUB_APP_PRIVATE_KEY: pem }), started.run_id);
    expect(result.retryMessages).toEqual([]);
    const s = await status(apiKey, key);
    expect(s.status).toBe("failed");
    expect(s.run?.error).toMatch(/GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY/);
  });

  it("a rate limit is retried with a delay, then fails after three attempts", async () => {
    const { apiKey, key, inst } = await ready();
    await stubPost("/__stub/failures", { repo: inst.repository, rateLimit: "primary" });
    const e = withAgent();
    const started = await json<{ run_id: string }>(await implement(e, apiKey, key), 202);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { body, result } = await deliver(e, started.run_id, attempt);
      const s = await status(apiKey, key);
      if (attempt < 3) {
        expect(result.retryMessages.map((m) => m.msgId)).toEqual([`m-${started.run_id}-${attempt}`]);
        expect(result.explicitAcks).toEqual([]);
        expect(s.status).toBe("implementing");
        expect(s.run?.status).toBe("queued");
        // The run is alive until its message is due: the heartbeat says when, and the sweep waits.
        // (at least 32 s: the job's own backoff; at most the 10-minute cap)
        const row = await env.DB.prepare("SELECT heartbeat_at FROM implementation_runs WHERE id = ?")
          .bind(started.run_id)
          .first<{ heartbeat_at: number }>();
        expect(row?.heartbeat_at).toBeGreaterThanOrEqual(Date.now() + 25_000);
        expect(row?.heartbeat_at).toBeLessThanOrEqual(Date.now() + 600_000);
        await runCron(CRONS.generationSweep, Date.now() + 15 * 60_000 + 1_000);
        expect((await status(apiKey, key)).run?.status).toBe("queued");
        queued.push(body);
      } else {
        expect(result.explicitAcks).toEqual([`m-${started.run_id}-3`]);
        expect(s.status).toBe("failed");
        expect(s.run?.error).toMatch(/rate limit.*gave up after 3 attempts/);
      }
    }
    expect(pushbunnyBranches((await stubRepo(inst.repository)).branches)).toEqual([]);
  });

  it("an LLM over its token budget, or writing outside the allowed paths, leaves no branch", async () => {
    for (const marker of ["[agent:over-budget]", "[agent:bad-path]"]) {
      const { apiKey, key, inst } = await ready({ marker });
      await implementOnce(apiKey, key);
      const s = await status(apiKey, key);
      expect(s.status, marker).toBe("failed");
      expect(s.run?.error).toMatch(
        marker === "[agent:over-budget]" ? /Budget exceeded: tokens/ : /Budget exceeded: tool calls/,
      );
      if (marker === "[agent:bad-path]")
        expect(JSON.stringify(s.log)).toMatch(/\.github\/workflows\/x\.yml refused/);
      const repo = await stubRepo(inst.repository);
      expect(pushbunnyBranches(repo.branches)).toEqual([]);
      expect(repo.pulls).toEqual([]);
    }
  });

  it("a message for a run another attempt holds (fresh heartbeat) comes back later instead of being dropped", async () => {
    const { apiKey, key, inst } = await ready();
    const e = withAgent();
    const started = await json<{ run_id: string }>(await implement(e, apiKey, key), 202);
    await env.DB.prepare("UPDATE implementation_runs SET status = 'running', heartbeat_at = ? WHERE id = ?")
      .bind(Date.now(), started.run_id)
      .run();
    const { body, result } = await deliver(e, started.run_id);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual([`m-${started.run_id}-1`]);
    expect((await status(apiKey, key)).run?.status).toBe("running");
    expect(pushbunnyBranches((await stubRepo(inst.repository)).branches)).toEqual([]);
    // The holder went quiet: the message, back, takes the run over and finishes it.
    await env.DB.prepare("UPDATE implementation_runs SET heartbeat_at = ? WHERE id = ?")
      .bind(Date.now() - 6 * 60_000, started.run_id)
      .run();
    queued.push(body);
    const again = await deliver(e, started.run_id, 2);
    expect(again.result.explicitAcks).toEqual([`m-${started.run_id}-2`]);
    expect((await status(apiKey, key)).status).toBe("pr_open");
  });

  it("a retry adopts the pull request an earlier attempt opened before it died, instead of opening another", async () => {
    const { apiKey, key, inst } = await ready();
    const e = withAgent();
    const started = await json<{ run_id: string }>(await implement(e, apiKey, key), 202);
    const { body } = await deliver(e, started.run_id);
    const [pull] = (await stubRepo(inst.repository)).pulls;
    expect(pull).toBeDefined();
    // As if the Worker died after GitHub opened the PR and before the run recorded it.
    await env.DB.prepare(
      "UPDATE implementation_runs SET status = 'running', phase = 'commit', heartbeat_at = ?, branch = NULL, pull_number = NULL, pull_url = NULL, finished_at = NULL WHERE id = ?",
    )
      .bind(Date.now() - 6 * 60_000, started.run_id)
      .run();
    await env.DB.prepare(
      "UPDATE web_experiments SET status = 'implementing', branch = NULL, pull_number = NULL, pull_url = NULL WHERE experiment_id = (SELECT experiment_id FROM implementation_runs WHERE id = ?)",
    )
      .bind(started.run_id)
      .run();
    queued.push(body);
    const again = await deliver(e, started.run_id, 2);
    expect(again.result.explicitAcks).toEqual([`m-${started.run_id}-2`]);
    const s = await status(apiKey, key);
    expect(s.status, JSON.stringify(s)).toBe("pr_open");
    expect(s.run).toMatchObject({ status: "succeeded", branch: pull?.head, has_diff: true });
    expect(s.run?.pull_url).toMatch(new RegExp(`/pull/${pull?.number}$`));
    expect((await stubRepo(inst.repository)).pulls).toHaveLength(1);
  });

  it("a finished run is not run again when its message comes back", async () => {
    const { apiKey, key, inst } = await ready();
    const e = withAgent();
    const started = await json<{ run_id: string }>(await implement(e, apiKey, key), 202);
    const { body } = await deliver(e, started.run_id);
    queued.push(body);
    const again = await deliver(e, started.run_id, 2);
    expect(again.result.explicitAcks).toEqual([`m-${started.run_id}-2`]);
    expect((await stubRepo(inst.repository)).pulls).toHaveLength(1);
  });
});
