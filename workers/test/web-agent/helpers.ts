// The shared stand-ins of the agent's suites: the GitHub stub's control routes, the dashboard
// setup, and a deployment with an LLM whose jobs queue the tests deliver by hand. One module, so
// every suite sees the same `queued` jobs.
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { QUEUES } from "../../src/queue/messages";
import { call, json, seedMember, seedProject } from "../helpers";

export const GITHUB = env.GITHUB_API_URL ?? "";
const FIXTURE = "packages/agent/test/fixtures/next-app";

export interface Installation {
  id: number;
  login: string;
  repository: string;
}

/** A GitHub account with the App installed on one repository seeded from the next-app fixture. */
export async function installation(
  seed: Record<string, unknown> = { folder: FIXTURE },
): Promise<Installation> {
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

export async function stubPost(path: string, body: unknown = {}) {
  const res = await fetch(`${GITHUB}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res.status === 204 ? null : ((await res.json()) as Record<string, unknown>);
}

export async function stubRepo(fullName: string) {
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
export async function oauthCode(
  installationIds: number[],
  user: { login?: string; memberships?: Record<string, { state: string; role: string }> } = {},
) {
  const out = await stubPost("/__stub/oauth-codes", { installation_ids: installationIds, ...user });
  return String(out?.code);
}

export async function authorize(apiKey: string) {
  const body = await json<{ install_url: string; expires_at: string }>(
    await call("/v1/github/authorize", { key: apiKey }),
    200,
  );
  return new URL(body.install_url).searchParams.get("state") ?? "";
}

/** The dashboard's session cookie of a person with this role in the project. */
export async function dashboardCookie(
  projectId: string,
  role: "owner" | "admin" | "member" | "viewer" = "admin",
) {
  const member = await seedMember(projectId, role);
  return { ...member, cookie: `__Host-pb_session=${member.refreshToken}` };
}

// Each setup from its own address: the route's per-address limit (30 a minute) is not under test.
const anyAddress = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join(".")}`;

// Not through `call`: a browser's redirect must be seen, not followed.
export function setup(query: Record<string, string>, accept = "application/json", cookie?: string) {
  return exports.default.fetch(`http://pushbunny.test/github/setup?${new URLSearchParams(query)}`, {
    headers: { accept, "cf-connecting-ip": anyAddress(), ...(cookie ? { cookie } : {}) },
    redirect: "manual",
  });
}

/** authorize → install on GitHub → setup, signed in to the dashboard as an admin, with a code. */
export async function connect(apiKey: string, projectId: string, inst: Installation) {
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

export async function webExperiment(apiKey: string, repository: string | null, marker = "[agent:ok]") {
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
export const queued: unknown[] = [];
const captured = {
  send: async (body: unknown) => {
    queued.push(body);
  },
  sendBatch: async (messages: { body: unknown }[]) => {
    for (const m of messages) queued.push(m.body);
  },
} as unknown as Queue<unknown>;

export function withAgent(overrides: Partial<Env> = {}): Env {
  return {
    ...(env as unknown as Env),
    GEMINI_API_KEY: "test-gemini-key",
    GEMINI_BASE_URL: env.GEMINI_STUB_URL,
    GEMINI_MODEL: "gemini-test",
    JOBS_QUEUE: captured,
    ...overrides,
  };
}

export async function callWith(e: Env, path: string, init: { key: string; body?: unknown; method?: string }) {
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

export async function implement(e: Env, apiKey: string, key: string, body: unknown = {}) {
  return callWith(e, `/v1/web-experiments/${key}/implement`, { key: apiKey, body });
}

/** Delivers the queued job of this run as attempt `attempts`; the queue's verdict. */
export async function deliver(e: Env, runId: string, attempts = 1) {
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

export const status = async (apiKey: string, key: string) =>
  json<Status>(await call(`/v1/web-experiments/${key}/status`, { key: apiKey }), 200);

/** A connected project, a web experiment on its stub repository, ready to implement. */
export async function ready(opts: { seed?: Record<string, unknown>; marker?: string } = {}) {
  const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
  const inst = await installation(opts.seed);
  await connect(apiKey, projectId, inst);
  const exp = await webExperiment(apiKey, inst.repository, opts.marker);
  return { apiKey, projectId, inst, key: exp.key, experimentId: exp.experiment_id };
}

/** Implements and delivers the job once; the run id and the queue's verdict. */
export async function implementOnce(apiKey: string, key: string, e = withAgent()) {
  const started = await json<{ run_id: string; status_url: string }>(await implement(e, apiKey, key), 202);
  const { result } = await deliver(e, started.run_id);
  return { runId: started.run_id, result };
}

export const pushbunnyBranches = (branches: Record<string, string>) =>
  Object.keys(branches).filter((b) => b.startsWith("pushbunny/"));
