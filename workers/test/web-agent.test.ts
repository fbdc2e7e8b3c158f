import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { createDb, upsertGithubInstallation } from "@pushbunny/db";
import { describe, expect, it } from "vitest";
import type { Env } from "../src/env";
import worker from "../src/index";
import { QUEUES } from "../src/queue/messages";
import { CRONS } from "../src/scheduled/crons";
import { asMember, call, eventually, expectError, json, runCron, seedMember, seedProject } from "./helpers";

/**
 * The GitHub agent end to end: connecting a project to the GitHub App, implementing a web
 * experiment as a draft pull request, the merge webhook activating it, and every way it fails.
 * GitHub is the local stub (workers/test-support/github-stub-server.ts, driven through its
 * /__stub/ control routes); the model is the scripted Gemini stub (workers/test-gemini/
 * agent-scenarios.ts). The Worker gets an LLM only through `withAgent` (an env override, like a
 * deployment with GEMINI_API_KEY set), and the jobs it queues are delivered here by hand, so a
 * test sees each attempt's ack or retry.
 */

const GITHUB = env.GITHUB_API_URL ?? "";
const FIXTURE = "packages/agent/test/fixtures/next-app";

interface Installation {
  id: number;
  login: string;
  repository: string;
}

/** A GitHub account with the App installed on one repository seeded from the next-app fixture. */
async function installation(seed: Record<string, unknown> = { folder: FIXTURE }): Promise<Installation> {
  const login = `acme-${crypto.randomUUID().slice(0, 8)}`;
  const res = await fetch(`${GITHUB}/__stub/installations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ account: { login, type: "Organization" }, repositories: { web: seed } }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const { id } = (await res.json()) as { id: number };
  return { id, login, repository: `${login}/web` };
}

async function stubPost(path: string, body: unknown = {}) {
  const res = await fetch(`${GITHUB}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res.status === 204 ? null : ((await res.json()) as Record<string, unknown>);
}

async function stubRepo(fullName: string) {
  const res = await fetch(`${GITHUB}/__stub/repos/${encodeURIComponent(fullName)}`);
  return (await res.json()) as {
    default_branch: string;
    branches: Record<string, string>;
    pulls: { number: number; draft: boolean; head: string; base: string; state: string; merged: boolean }[];
  };
}

/**
 * A code GitHub would hand the setup URL for a person who can reach these installations; by
 * default an active admin of their organizations (the stub's default), else as `user` says.
 */
async function oauthCode(
  installationIds: number[],
  user: { login?: string; memberships?: Record<string, { state: string; role: string }> } = {},
) {
  const out = await stubPost("/__stub/oauth-codes", { installation_ids: installationIds, ...user });
  return String(out?.code);
}

async function authorize(apiKey: string) {
  const body = await json<{ install_url: string; expires_at: string }>(
    await call("/v1/github/authorize", { key: apiKey }),
    200,
  );
  return new URL(body.install_url).searchParams.get("state") ?? "";
}

/** The dashboard's session cookie of a person with this role in the project. */
async function dashboardCookie(projectId: string, role: "owner" | "admin" | "member" | "viewer" = "admin") {
  const member = await seedMember(projectId, role);
  return { ...member, cookie: `__Host-pb_session=${member.refreshToken}` };
}

// Each setup from its own address: the route's per-address limit (30 a minute) is not under test.
const anyAddress = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join(".")}`;

// Not through `call`: a browser's redirect must be seen, not followed.
function setup(query: Record<string, string>, accept = "application/json", cookie?: string) {
  return exports.default.fetch(`http://pushbunny.test/github/setup?${new URLSearchParams(query)}`, {
    headers: { accept, "cf-connecting-ip": anyAddress(), ...(cookie ? { cookie } : {}) },
    redirect: "manual",
  });
}

/** authorize → install on GitHub → setup, signed in to the dashboard as an admin, with a code. */
async function connect(apiKey: string, projectId: string, inst: Installation) {
  const state = await authorize(apiKey);
  const code = await oauthCode([inst.id]);
  const { cookie } = await dashboardCookie(projectId);
  return json(
    await setup(
      { installation_id: String(inst.id), setup_action: "install", state, code },
      undefined,
      cookie,
    ),
    200,
  );
}

const segments = [
  { key: "control", name: "Today's pricing", traffic_percent: 50, description: "The page as it is" },
  { key: "annual", name: "Annual first", traffic_percent: 50, description: "Show the annual plan first" },
];

async function webExperiment(apiKey: string, repository: string | null, marker = "[agent:ok]") {
  const key = `pricing-${crypto.randomUUID().slice(0, 6)}`;
  const body = await json<{ key: string; experiment_id: string; status: string }>(
    await call("/v1/web-experiments", {
      key: apiKey,
      body: {
        key,
        hypothesis: `Showing the annual plan first gets more sign-ups ${marker}`,
        target_type: "page",
        target: "/pricing",
        segments,
        primary_metric: "signup",
        secondary_metrics: ["plan_click"],
        preview_url: "https://staging.example.com/pricing",
        ...(repository ? { repository } : {}),
      },
    }),
    201,
  );
  return body;
}

// The deployment as if GEMINI_API_KEY were set, with the jobs queue captured so tests deliver it.
const queued: unknown[] = [];
const captured = {
  send: async (body: unknown) => {
    queued.push(body);
  },
  sendBatch: async (messages: { body: unknown }[]) => {
    for (const m of messages) queued.push(m.body);
  },
} as unknown as Queue<unknown>;

function withAgent(overrides: Partial<Env> = {}): Env {
  return {
    ...(env as unknown as Env),
    GEMINI_API_KEY: "test-gemini-key",
    GEMINI_BASE_URL: env.GEMINI_STUB_URL,
    GEMINI_MODEL: "gemini-test",
    JOBS_QUEUE: captured,
    ...overrides,
  };
}

async function callWith(e: Env, path: string, init: { key: string; body?: unknown; method?: string }) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://pushbunny.test${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { authorization: `Bearer ${init.key}`, "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
    e,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

async function implement(e: Env, apiKey: string, key: string, body: unknown = {}) {
  return callWith(e, `/v1/web-experiments/${key}/implement`, { key: apiKey, body });
}

/** Delivers the queued job of this run as attempt `attempts`; the queue's verdict. */
async function deliver(e: Env, runId: string, attempts = 1) {
  const index = queued.findIndex((b) => (b as { runId?: string }).runId === runId);
  expect(index, `no job queued for ${runId}`).toBeGreaterThanOrEqual(0);
  const [body] = queued.splice(index, 1);
  const batch = createMessageBatch(QUEUES.jobs, [
    { id: `m-${runId}-${attempts}`, timestamp: new Date(), attempts, body },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, e, ctx);
  await waitOnExecutionContext(ctx);
  const result = await getQueueResult(batch, ctx);
  return { body, result };
}

interface Status {
  status: string;
  phase: string;
  reason: string | null;
  log: { phase: string; message: string }[];
  run: {
    id: string;
    status: string;
    error: string | null;
    branch: string | null;
    pull_url: string | null;
    files: string[];
    has_diff: boolean;
  } | null;
}

const status = async (apiKey: string, key: string) =>
  json<Status>(await call(`/v1/web-experiments/${key}/status`, { key: apiKey }), 200);

/** A connected project, a web experiment on its stub repository, ready to implement. */
async function ready(opts: { seed?: Record<string, unknown>; marker?: string } = {}) {
  const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
  const inst = await installation(opts.seed);
  await connect(apiKey, projectId, inst);
  const exp = await webExperiment(apiKey, inst.repository, opts.marker);
  return { apiKey, projectId, inst, key: exp.key, experimentId: exp.experiment_id };
}

/** Implements and delivers the job once; the run id and the queue's verdict. */
async function implementOnce(apiKey: string, key: string, e = withAgent()) {
  const started = await json<{ run_id: string; status_url: string }>(await implement(e, apiKey, key), 202);
  const { result } = await deliver(e, started.run_id);
  return { runId: started.run_id, result };
}

const pushbunnyBranches = (branches: Record<string, string>) =>
  Object.keys(branches).filter((b) => b.startsWith("pushbunny/"));

describe("connecting GitHub", () => {
  it("authorize → setup links the installation the person can reach; the status lists its repositories", async () => {
    const { apiKey, projectId } = await seedProject();
    const inst = await installation();
    expect(await json(await call("/v1/github", { key: apiKey }), 200)).toMatchObject({ connected: false });

    const connected = await connect(apiKey, projectId, inst);
    expect(connected).toMatchObject({ connected: true, project_id: projectId, installation_id: inst.id });
    const status = await json<{
      connected: boolean;
      account_login: string;
      state: string;
      repositories: { full_name: string; default_branch: string }[];
    }>(await call("/v1/github", { key: apiKey }), 200);
    expect(status).toMatchObject({
      connected: true,
      account_login: inst.login,
      account_type: "Organization",
      state: "active",
    });
    expect(status.repositories).toEqual([
      { full_name: inst.repository, default_branch: "main", private: true },
    ]);
    const row = await env.DB.prepare(
      "SELECT installation_id, connected_by FROM github_installations WHERE project_id = ?",
    )
      .bind(projectId)
      .first<{ installation_id: number; connected_by: string }>();
    expect(row?.installation_id).toBe(inst.id);
    expect(row?.connected_by).toMatch(/^api_key:/);
    const audit = await env.DB.prepare(
      "SELECT action FROM audit_log WHERE project_id = ? AND action LIKE 'github.%'",
    )
      .bind(projectId)
      .all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toEqual(["github.connected"]);
  });

  it("refuses a stated installation_id the person cannot reach, and a state used twice", async () => {
    const { apiKey, projectId } = await seedProject();
    const mine = await installation();
    const theirs = await installation();
    const state = await authorize(apiKey);
    const code = await oauthCode([mine.id]);
    const { cookie } = await dashboardCookie(projectId);
    await expectError(
      await setup(
        { installation_id: String(theirs.id), setup_action: "install", state, code },
        undefined,
        cookie,
      ),
      403,
      "FORBIDDEN",
      new RegExp(`installation ${theirs.id} is not one your GitHub account can reach`),
    );
    // The state was spent by the refused attempt: it works once.
    await expectError(
      await setup(
        {
          installation_id: String(mine.id),
          setup_action: "install",
          state,
          code: await oauthCode([mine.id]),
        },
        undefined,
        cookie,
      ),
      400,
      "BAD_REQUEST",
      /unknown, used or expired setup state/,
    );
    await expectError(
      await setup({ installation_id: String(mine.id), state: "made-up" }),
      400,
      "BAD_REQUEST",
    );
    const row = await env.DB.prepare("SELECT 1 FROM github_installations WHERE project_id = ?")
      .bind(projectId)
      .first();
    expect(row).toBeNull();
  });

  it("a bad OAuth code is the caller's 400; a browser gets a page, a success redirects to the dashboard", async () => {
    const { apiKey, projectId } = await seedProject();
    const inst = await installation();
    const { cookie } = await dashboardCookie(projectId, "owner");
    const bad = await setup(
      { installation_id: String(inst.id), state: await authorize(apiKey), code: "nope" },
      undefined,
      cookie,
    );
    await expectError(bad, 400, "BAD_REQUEST", /GitHub refused the OAuth code/);
    const page = await setup({ installation_id: String(inst.id), state: "unknown" }, "text/html");
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/GitHub was not connected/);
    const ok = await setup(
      {
        installation_id: String(inst.id),
        setup_action: "install",
        state: await authorize(apiKey),
        code: await oauthCode([inst.id]),
      },
      "text/html,application/xhtml+xml",
      cookie,
    );
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe(`/app/p/${projectId}/settings?github=connected`);
  });

  it("setup needs the dashboard signed in as an admin of the project (the one who asked, when a person asked); refusals store nothing and spend nothing", async () => {
    const { apiKey, projectId } = await seedProject();
    const inst = await installation();
    const state = await authorize(apiKey);
    const query = () => ({ installation_id: String(inst.id), setup_action: "install", state });
    const refused = /sign in to the dashboard as an admin of .+ and open the install link again/;

    await expectError(
      await setup({ ...query(), code: await oauthCode([inst.id]) }),
      403,
      "FORBIDDEN",
      refused,
    );
    const page = await setup({ ...query(), code: await oauthCode([inst.id]) }, "text/html");
    expect(page.status).toBe(403);
    expect(await page.text()).toMatch(/sign in to the dashboard as an admin of/);
    const member = await dashboardCookie(projectId, "member");
    await expectError(
      await setup({ ...query(), code: await oauthCode([inst.id]) }, undefined, member.cookie),
      403,
      "FORBIDDEN",
      refused,
    );
    const elsewhere = await seedProject();
    const otherAdmin = await dashboardCookie(elsewhere.projectId, "owner");
    await expectError(
      await setup({ ...query(), code: await oauthCode([inst.id]) }, undefined, otherAdmin.cookie),
      403,
      "FORBIDDEN",
      refused,
    );
    await expectError(
      await setup(
        { ...query(), code: await oauthCode([inst.id]) },
        undefined,
        "__Host-pb_session=pbr_forged",
      ),
      403,
      "FORBIDDEN",
    );
    const stored = () =>
      env.DB.prepare("SELECT 1 FROM github_installations WHERE project_id = ?").bind(projectId).first();
    expect(await stored()).toBeNull();

    // Signed in as an admin, the same link still works: the refusals did not spend it.
    const admin = await dashboardCookie(projectId);
    await json(await setup({ ...query(), code: await oauthCode([inst.id]) }, undefined, admin.cookie), 200);
    expect(await stored()).not.toBeNull();

    // A link a person asked for is theirs: another admin of the project cannot finish it.
    const asker = await dashboardCookie(projectId);
    const mine = await json<{ install_url: string }>(
      await call("/v1/github/authorize", { headers: asMember(asker.accessToken, projectId) }),
      200,
    );
    const personal = new URL(mine.install_url).searchParams.get("state") ?? "";
    const again = () => ({ installation_id: String(inst.id), state: personal });
    await expectError(
      await setup({ ...again(), code: await oauthCode([inst.id]) }, undefined, admin.cookie),
      403,
      "FORBIDDEN",
      /the admin who asked for the install link/,
    );
    await json(await setup({ ...again(), code: await oauthCode([inst.id]) }, undefined, asker.cookie), 200);
  });

  it("the GitHub user must administer the installation's account: an active org admin, or the personal account's owner", async () => {
    const { apiKey, projectId } = await seedProject();
    const { cookie } = await dashboardCookie(projectId);
    const org = await installation();
    const attempt = async (inst: Installation, user: Parameters<typeof oauthCode>[1]) =>
      setup(
        {
          installation_id: String(inst.id),
          setup_action: "install",
          state: await authorize(apiKey),
          code: await oauthCode([inst.id], user),
        },
        undefined,
        cookie,
      );
    for (const memberships of [
      {},
      { [org.login]: { state: "active", role: "member" } },
      { [org.login]: { state: "pending", role: "admin" } },
    ]) {
      await expectError(
        await attempt(org, { login: "someone", memberships }),
        403,
        "FORBIDDEN",
        new RegExp(`not an admin of the organization ${org.login}`),
      );
    }
    const login = `solo-${crypto.randomUUID().slice(0, 8)}`;
    const res = await fetch(`${GITHUB}/__stub/installations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        account: { login, type: "User" },
        repositories: { site: { files: { "a.txt": "a" } } },
      }),
    });
    const personal: Installation = {
      id: ((await res.json()) as { id: number }).id,
      login,
      repository: `${login}/site`,
    };
    await expectError(
      await attempt(personal, { login: "mallory", memberships: {} }),
      403,
      "FORBIDDEN",
      new RegExp(`${login}'s personal account, not yours`),
    );
    expect(
      await env.DB.prepare("SELECT 1 FROM github_installations WHERE project_id = ?").bind(projectId).first(),
    ).toBeNull();
    expect(await json(await attempt(personal, { login: login.toUpperCase() }), 200)).toMatchObject({
      installation_id: personal.id,
    });
    expect(
      await json(
        await attempt(org, {
          login: "boss",
          memberships: { [org.login]: { state: "active", role: "admin" } },
        }),
        200,
      ),
    ).toMatchObject({ installation_id: org.id });
  });

  it("an installation connected to another project is refused (409); the same project may connect it again", async () => {
    const first = await seedProject();
    const second = await seedProject();
    const inst = await installation();
    await connect(first.apiKey, first.projectId, inst);
    const { cookie } = await dashboardCookie(second.projectId);
    await expectError(
      await setup(
        {
          installation_id: String(inst.id),
          setup_action: "install",
          state: await authorize(second.apiKey),
          code: await oauthCode([inst.id]),
        },
        undefined,
        cookie,
      ),
      409,
      "CONFLICT",
      /connected to another PushBunny project/,
    );
    expect(
      await env.DB.prepare("SELECT 1 FROM github_installations WHERE project_id = ?")
        .bind(second.projectId)
        .first(),
    ).toBeNull();
    await connect(first.apiKey, first.projectId, inst);
  });

  it("GET /v1/github reuses the repository list for a minute instead of minting a token each call", async () => {
    const { apiKey, projectId } = await seedProject();
    const inst = await installation();
    await connect(apiKey, projectId, inst);
    const first = await json<{ repositories: unknown[] }>(await call("/v1/github", { key: apiKey }), 200);
    expect(first.repositories).toHaveLength(1);
    // GitHub now refuses the App any token for it: only a cached list can still answer.
    await stubPost(`/__stub/installations/${inst.id}/suspend`);
    const second = await json<{ repositories: unknown[] }>(await call("/v1/github", { key: apiKey }), 200);
    expect(second.repositories).toEqual(first.repositories);
    await stubPost(`/__stub/installations/${inst.id}/unsuspend`);
  });

  it("only admins authorize and disconnect; disconnecting keeps the App installed", async () => {
    const { apiKey, projectId } = await seedProject();
    const inst = await installation();
    await connect(apiKey, projectId, inst);
    const { keyWithScopes } = await import("./helpers");
    const reader = await keyWithScopes(projectId, "read");
    await expectError(await call("/v1/github/authorize", { key: reader }), 403, "FORBIDDEN");
    await expectError(await call("/v1/github", { key: reader, method: "DELETE" }), 403, "FORBIDDEN");
    const out = await json<{ note: string }>(
      await call("/v1/github", { key: apiKey, method: "DELETE" }),
      200,
    );
    expect(out.note).toMatch(/still installed/);
    expect(await json(await call("/v1/github", { key: apiKey }), 200)).toMatchObject({ connected: false });
    await expectError(await call("/v1/github", { key: apiKey, method: "DELETE" }), 404, "NOT_FOUND");
  });

  it("says which variables are missing when the App is not configured", async () => {
    const { apiKey } = await seedProject();
    const res = await callWith(
      withAgent({ GITHUB_APP_PRIVATE_KEY: "", GITHUB_CLIENT_SECRET: undefined }),
      "/v1/github/authorize",
      {
        key: apiKey,
      },
    );
    await expectError(
      res,
      503,
      "SERVICE_UNAVAILABLE",
      /not_configured.*GITHUB_APP_PRIVATE_KEY, GITHUB_CLIENT_SECRET/,
    );
  });
});

describe("the agent, end to end", () => {
  it("implements as a draft PR, activates on merge, serves, finishes and proposes the next test", async () => {
    const { apiKey, inst, key, experimentId } = await ready();
    const e = withAgent();
    const before = await stubRepo(inst.repository);

    const started = await json<{ run_id: string; status_url: string; status: string }>(
      await implement(e, apiKey, key),
      202,
    );
    expect(started.status_url).toBe(`/v1/web-experiments/${key}/status`);
    const queuedStatus = await status(apiKey, key);
    expect(queuedStatus.status).toBe("implementing");
    expect(queuedStatus.run).toMatchObject({ id: started.run_id, status: "queued" });
    // The request never runs the agent: nothing reached GitHub's git data yet.
    expect(pushbunnyBranches((await stubRepo(inst.repository)).branches)).toEqual([]);

    const { result } = await deliver(e, started.run_id);
    expect(result.explicitAcks).toEqual([`m-${started.run_id}-1`]);
    const done = await status(apiKey, key);
    expect(done.status, JSON.stringify(done)).toBe("pr_open");
    const branch = `pushbunny/${key}-${started.run_id.slice(4, 10)}`;
    expect(done.run).toMatchObject({ status: "succeeded", branch, has_diff: true });
    expect(done.log.map((l) => l.phase)).toEqual(
      expect.arrayContaining(["plan", "read", "write", "commit", "done"]),
    );
    expect(JSON.stringify(done.log)).not.toMatch(/ghs_|token/i);

    const repo = await stubRepo(inst.repository);
    expect(repo.branches.main).toBe(before.branches.main);
    expect(pushbunnyBranches(repo.branches)).toEqual([branch]);
    expect(repo.pulls).toEqual([
      expect.objectContaining({ draft: true, head: branch, base: "main", state: "open" }),
    ]);
    const files = await (
      await fetch(
        `${GITHUB}/__stub/repos/${encodeURIComponent(inst.repository)}/files/${encodeURIComponent(branch)}`,
      )
    ).json();
    for (const path of done.run?.files ?? []) expect(Object.keys(files as object)).toContain(path);

    const diff = await call(`/v1/web-experiments/${key}/diff`, { key: apiKey });
    expect(diff.status).toBe(200);
    const diffText = await diff.text();
    expect(diffText).toMatch(/^\+\+\+ b\/src\/app\/\(marketing\)\/pricing\/page\.tsx$/m);
    for (const path of done.run?.files ?? []) expect(diffText).toContain(`+++ b/${path}`);

    // GitHub merges the PR and signs the webhook for the App's installation.
    const delivery = (await stubPost(
      `/__stub/repos/${encodeURIComponent(inst.repository)}/pulls/${repo.pulls[0]?.number}/merge`,
    )) as { body: string; headers: Record<string, string> };
    const hook = await call("/github/webhook", { raw: delivery.body, headers: delivery.headers });
    expect(await json(hook, 200)).toMatchObject({ outcome: "applied" });
    const replay = await call("/github/webhook", { raw: delivery.body, headers: delivery.headers });
    expect(await json(replay, 200)).toMatchObject({ outcome: "duplicate" });
    const active = await json<{ status: string; activated_at: string | null }>(
      await call(`/v1/web-experiments/${key}`, { key: apiKey }),
      200,
    );
    expect(active).toMatchObject({ status: "active" });
    expect(active.activated_at).not.toBeNull();

    // The SDK's runtime calls: exposures and metric events, counted in the results.
    const tokens: { segment: string; tracking_token: string }[] = [];
    for (let i = 0; i < 40; i++) {
      tokens.push(
        await json(
          await call("/v1/web/exposures", {
            key: apiKey,
            body: { experiment: key, anonymous_id: `anon-${i}` },
          }),
          200,
        ),
      );
    }
    const events = tokens
      .filter((_, i) => i % 3 === 0)
      .map((t) => ({ tracking_token: t.tracking_token, event: "signup", timestamp: Date.now() }));
    const recorded = await json<{ recorded: number }>(
      await call("/v1/web/events", { key: apiKey, body: { events } }),
      200,
    );
    expect(recorded.recorded).toBe(events.length);
    await eventually(async () => {
      const results = await json<{ segments: { exposures: number; primary: { conversions: number } }[] }>(
        await call(`/v1/web-experiments/${key}/results`, { key: apiKey }),
        200,
      );
      expect(results.segments.reduce((n, s) => n + s.exposures, 0)).toBe(40);
      expect(results.segments.reduce((n, s) => n + s.primary.conversions, 0)).toBe(events.length);
    });

    const finished = await json<{ experiment: { status: string }; analysis: { experiment_id?: string } }>(
      await call(`/v1/web-experiments/${key}/finish`, { key: apiKey, body: {} }),
      200,
    );
    expect(finished.experiment.status).toBe("finished");
    const proposal = await callWith(e, `/v1/experiments/${experimentId}/iterate`, { key: apiKey, body: {} });
    expect(proposal.status, await proposal.clone().text()).toBe(201);
  });
});

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

describe("the sweep", () => {
  it("fails a run whose heartbeat went quiet for 15 minutes, and its experiment", async () => {
    const { apiKey, key } = await ready();
    const started = await json<{ run_id: string }>(await implement(withAgent(), apiKey, key), 202);
    await runCron(CRONS.generationSweep, Date.now() + 5 * 60_000);
    expect((await status(apiKey, key)).run?.status).toBe("queued");
    await runCron(CRONS.generationSweep, Date.now() + 16 * 60_000);
    const s = await status(apiKey, key);
    expect(s.status).toBe("failed");
    expect(s.run).toMatchObject({ id: started.run_id, status: "failed" });
    expect(s.reason).toMatch(/the implementation stopped/);
    // The job arriving late does nothing.
    const late = await deliver(withAgent(), started.run_id);
    expect(late.result.explicitAcks).toHaveLength(1);
    expect((await status(apiKey, key)).run?.status).toBe("failed");
  });
});

describe("one installation, one project", () => {
  it("two setups finishing at once cannot link one installation to two projects", async () => {
    const db = createDb(env.DB);
    const [a, b] = [await seedProject(), await seedProject()];
    const installationId = 900_000 + Math.floor(Math.random() * 99_999);
    const link = (projectId: string) =>
      upsertGithubInstallation(db, {
        projectId,
        installationId,
        accountLogin: "race-co",
        accountType: "Organization",
        repositorySelection: "all",
        connectedBy: "user:usr_test",
        now: Date.now(),
      });
    const [first, second] = await Promise.all([link(a.projectId), link(b.projectId)]);
    expect([first, second].filter((r) => r !== null)).toHaveLength(1);
    const holders = await env.DB.prepare(
      "SELECT project_id FROM github_installations WHERE installation_id = ?",
    )
      .bind(installationId)
      .all<{ project_id: string }>();
    expect(holders.results).toHaveLength(1);
    // The holder may link it again (a reinstall), and the other still may not.
    const holder = first ? a.projectId : b.projectId;
    const other = first ? b.projectId : a.projectId;
    expect((await link(holder))?.installationId).toBe(installationId);
    expect(await link(other)).toBeNull();
  });
});
