import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { newId, sha256Hex } from "@pushbunny/core";
import { createDb, ensureProject, insertApiKey } from "@pushbunny/db";
import { expect } from "vitest";
import worker from "../src/index";
import { buildContext } from "../src/infra/build-context";
import { issueSession } from "../src/services/auth/lib/sessions";

export const db = createDb(env.DB);

/** A fresh project with its own API key; every test seeds its own so files never collide. */
export async function seedProject(opts: { defaultLocale?: string; challengerCount?: number } = {}) {
  const projectId = newId("prj");
  const now = Date.now();
  await ensureProject(db, { id: projectId, name: `test ${projectId}`, now });
  if (opts.defaultLocale || opts.challengerCount !== undefined) {
    await env.DB.prepare("UPDATE projects SET default_locale = ?, challenger_count = ? WHERE id = ?")
      .bind(opts.defaultLocale ?? "en-US", opts.challengerCount ?? 3, projectId)
      .run();
  }
  return { projectId, apiKey: await keyWithScopes(projectId) };
}

/** Another key for a project (all three scopes and live mode unless given), stored as the API stores them. */
export async function keyWithScopes(projectId: string, scopes?: string, mode?: string) {
  const apiKey = `pb_test_${newId("key").slice(4)}`;
  await insertApiKey(db, {
    id: newId("key"),
    projectId,
    name: scopes ? "scoped" : "test",
    prefix: apiKey.slice(0, 12),
    digest: await sha256Hex(apiKey),
    now: Date.now(),
    scopes,
    mode,
  });
  return apiKey;
}

/** Calls the Worker like a client would. */
export function call(
  path: string,
  init: {
    method?: string;
    key?: string | null;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  let body: string | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  return exports.default.fetch(`http://pushbunny.test${path}`, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
}

/** Asserts the status (showing the body on failure) and returns the JSON. */
export async function json<T = Record<string, unknown>>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** Asserts the error envelope exactly (message may be matched by a RegExp). */
export async function expectError(res: Response, status: number, code: string, message?: string | RegExp) {
  const body = await json<{ error: { code: string; message: string; requestId: string; issues: unknown[] } }>(
    res,
    status,
  );
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toMatch(/^req_|^[A-Za-z0-9._:-]{8,64}$/);
  expect(Array.isArray(body.error.issues)).toBe(true);
  if (message instanceof RegExp) expect(body.error.message).toMatch(message);
  else if (message !== undefined) expect(body.error.message).toBe(message);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  return body.error;
}

export interface MessageBody {
  text: string;
  variant_id: string;
  experiment_id: string;
  tracking_token: string;
  locale: string;
}

export async function message(key: string, body: Record<string, unknown>) {
  return json<MessageBody>(await call("/v1/message", { key, body }), 200);
}

/** Waits until the queue consumers have caught up with a condition. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  while (Date.now() - started < timeoutMs) {
    try {
      return await check();
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw lastError;
}

export async function variantsOf(experimentId: string) {
  const { results } = await env.DB.prepare(
    "SELECT id, text, source, status FROM variants WHERE experiment_id = ? ORDER BY created_at, id",
  )
    .bind(experimentId)
    .all<{ id: string; text: string; source: string; status: string }>();
  return results;
}

/** Fires a Cron Trigger the way the runtime does, with the clock at `now`. */
export async function runCron(cron: string, now = Date.now()) {
  const ctx = createExecutionContext();
  const realNow = Date.now;
  Date.now = () => now;
  try {
    await worker.scheduled(createScheduledController({ cron, scheduledTime: now }), env, ctx);
    await waitOnExecutionContext(ctx);
  } finally {
    Date.now = realNow;
  }
}

/** An experiment with the control and `extra` manual arms, no LLM generation. */
export async function experimentWithArms(
  intent: string,
  extra: string[],
  baseExample = "Your cart misses you",
) {
  const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
  const m = await message(apiKey, { intent_id: intent, base_example: baseExample });
  for (const text of extra) {
    await json(
      await call(`/v1/experiments/${m.experiment_id}/variants`, { key: apiKey, body: { text } }),
      201,
    );
  }
  const variants = (await variantsOf(m.experiment_id)).filter((v) => v.source !== "holdout");
  return { apiKey, projectId, experimentId: m.experiment_id, variants };
}

/**
 * A person with a role in a project, signed in: the access token works as a Bearer with
 * `X-Project-Id: projectId`. Creates the user, the membership and a session directly.
 */
export async function seedMember(projectId: string, role: "owner" | "admin" | "member" | "viewer") {
  const userId = newId("usr");
  const email = `${userId}@example.com`;
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO users (id, email, name, email_verified_at, created_at, updated_at) VALUES (?, ?, '', ?, ?, ?)",
    ).bind(userId, email, now, now, now),
    env.DB.prepare(
      "INSERT INTO project_members (project_id, user_id, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    ).bind(projectId, userId, role, now, now),
  ]);
  const ctx = buildContext(env, () => {});
  const session = await issueSession({ ctx, input: { userId, email, method: "password" } });
  return { userId, email, ...session };
}

/** Headers for a person's session acting on a project. */
export const asMember = (accessToken: string, projectId: string) => ({
  authorization: `Bearer ${accessToken}`,
  "x-project-id": projectId,
});
