// Route-class rate limits: the operation table, the `N/unit` form and the RATE_LIMIT_* variables,
// the project limits API, the IETF headers, and the per-key / per-IP / per-project separation.
import { env } from "cloudflare:workers";
import { newId, sha256Hex } from "@pushbunny/core";
import { insertApiKey } from "@pushbunny/db";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";
import type { Principal } from "../src/access/principal";
import { ConfigError, type Env, loadConfig } from "../src/env";
import { AppError } from "../src/errors";
import type { OperationAccess } from "../src/http/middleware/auth";
import type { AppEnv } from "../src/http/types";
import { buildContext } from "../src/infra/build-context";
import { classOf, OPERATION_CLASSES } from "../src/ratelimit/classes";
import { exactLimiter } from "../src/ratelimit/exact";
import { FLOOD_CEILINGS } from "../src/ratelimit/flood";
import { addressBucket, budgetKey, resetRouteLimitState, routeLimits } from "../src/ratelimit/route-limits";
import {
  checkProjectLimits,
  DEFAULT_LIMITS,
  deploymentLimits,
  effectiveLimits,
  LIMIT_NAMES,
  type Limit,
  parseLimit,
} from "../src/ratelimit/rules";
import { loadOperations } from "./hardening/openapi-walk";
import { call, db, expectError, json, seedMember, seedProject } from "./helpers";

const limitsOf = (projectId: string) => `/v1/projects/${projectId}/limits`;

async function setLimits(projectId: string, key: string, body: Record<string, unknown>) {
  return json<{ limits: Record<string, string>; overrides: Record<string, string> }>(
    await call(limitsOf(projectId), { method: "PUT", key, body }),
    200,
  );
}

/** A second key on the project, with the given scopes. */
async function extraKey(projectId: string, scopes = "message,read,admin") {
  const apiKey = `pb_test_${newId("key").slice(4)}`;
  await insertApiKey(db, {
    id: newId("key"),
    projectId,
    name: "extra",
    prefix: apiKey.slice(0, 12),
    digest: await sha256Hex(apiKey),
    now: Date.now(),
    scopes,
  });
  return apiKey;
}

const sendMessage = (key: string, ip?: string) =>
  call("/v1/message", {
    key,
    body: { intent_id: "limits", base_example: "Hello" },
    headers: ip ? { "cf-connecting-ip": ip } : {},
  });

describe("operation classes", () => {
  it("names a class for every operation in /v1/openapi.json, and nothing else", async () => {
    const { operations } = await loadOperations();
    const ids = operations.map((op) => op.operationId);
    expect(ids.filter((id) => !(id in OPERATION_CLASSES))).toEqual([]);
    expect(Object.keys(OPERATION_CLASSES).filter((id) => !ids.includes(id))).toEqual([]);
    // Public /v1 operations are limited per client IP by the middleware; the public routes
    // outside /v1 carry their own limits (or none: health, the service index).
    // POST /v1/metrics is keyless and counted by its own per-address, per-variant and per-token
    // limits (no project is known before its body is read).
    const ownLimitsInV1 = new Set(["recordMetric"]);
    for (const op of operations.filter((o) => o.public)) {
      const limited =
        OPERATION_CLASSES[op.operationId] !== "own" && OPERATION_CLASSES[op.operationId] !== "none";
      expect([op.operationId, limited]).toEqual([
        op.operationId,
        op.path.startsWith("/v1/") && !ownLimitsInV1.has(op.operationId),
      ]);
    }
  });

  it("limits an operation missing from the table by what it may do", () => {
    expect(classOf("someNewRead", "read", "/v1/things")).toBe("analytics");
    expect(classOf("someNewWrite", "write", "/v1/things")).toBe("management");
    expect(classOf("someNewAuth", null, "/v1/auth/things")).toBe("auth");
  });

  it("declares the flood-ceiling bindings in wrangler.toml as FLOOD_CEILINGS says", () => {
    for (const { binding, limit } of Object.values(FLOOD_CEILINGS)) {
      const block = new RegExp(
        `\\[\\[ratelimits\\]\\]\\s*name = "${binding}"\\s*namespace_id = "\\d+"\\s*simple = \\{ limit = ${limit}, period = 60 \\}`,
      );
      expect(wranglerToml, binding).toMatch(block);
    }
  });
});

describe("the N/unit form and the RATE_LIMIT_* variables", () => {
  it.each([
    ["100/hour", 100, 3_600_000, "100/hour"],
    ["6000/minute", 6000, 60_000, "6000/minute"],
    [" 50 / Hours ", 50, 3_600_000, "50/hour"],
    ["1/second", 1, 1_000, "1/second"],
    ["10000000/day", 10_000_000, 86_400_000, "10000000/day"],
  ])("parses %j", (raw, limit, windowMs, text) => {
    expect(parseLimit(raw)).toEqual({ limit, windowMs, text });
  });

  it.each([
    ["0/hour"],
    ["100"],
    ["100/week"],
    ["-1/minute"],
    ["1.5/hour"],
    ["100 per hour"],
    ["10000001/day"],
    [""],
  ])("refuses %j with the accepted form", (raw) => {
    expect(parseLimit(raw)).toMatch(/^expected 'N\/second', 'N\/minute', 'N\/hour' or 'N\/day'/);
  });

  it("fails configuration loudly on a bad variable, naming it", () => {
    const bad = { ...env, RATE_LIMIT_ANALYTICS: "200 per hour", RATE_LIMIT_AUTH: "5/fortnight" } as Env;
    expect(() => loadConfig(bad)).toThrow(ConfigError);
    expect(() => loadConfig(bad)).toThrow(
      /RATE_LIMIT_ANALYTICS: expected 'N\/second'.*got "200 per hour".*RATE_LIMIT_AUTH: expected/,
    );
  });

  it("takes the seed's variables as the deployment's defaults", async () => {
    const config = loadConfig({
      ...env,
      RATE_LIMIT_SUBSCRIPTION: "100/hour",
      RATE_LIMIT_NOTIFICATION: "50/hour",
      RATE_LIMIT_ANALYTICS: "200/hour",
    } as Env);
    expect(config.rateLimits).toMatchObject({
      subscription: "100/hour",
      notification: "50/hour",
      analytics: "200/hour",
    });
  });
});

describe("what a project may set", () => {
  // The built-in defaults: generation 100/hour, analysis 60/hour; message at most 120000/minute,
  // notification at most 20000/hour.
  const deployment = deploymentLimits({});

  it.each([
    ["generation", "20/hour"],
    ["generation", "100/hour"],
    ["analysis", "1/hour"],
    ["message", "120000/minute"],
    ["message", "2000/second"],
    ["message", "120000/hour"],
    ["message", "120000/day"],
    ["notification", "20000/hour"],
    ["notification", "20000/day"],
    ["notification", "5/second"],
  ])("accepts %s %j", (name, value) => {
    expect(checkProjectLimits({ [name]: value }, deployment)).toEqual({ limits: { [name]: value } });
  });

  it.each([
    // Quotas keep the deployment's window and may only lower its count.
    [
      "generation",
      "101/hour",
      /lower this quota but not raise it or change its window: expected 'N\/hour' with N from 1 to 100 \(the deployment's 100\/hour\)/,
    ],
    ["generation", "2400/day", /change its window: expected 'N\/hour'/],
    ["generation", "5/minute", /change its window: expected 'N\/hour'/],
    ["analysis", "1/day", /with N from 1 to 60 \(the deployment's 60\/hour\)/],
    // A longer window may not hold a bigger burst than the maximum's count...
    ["notification", "480000/day", /^at most 20000\/hour: .*over a longer window N at most 20000/],
    ["message", "7200000/hour", /^at most 120000\/minute/],
    ["message", "120001/hour", /^at most 120000\/minute/],
    // ...and a shorter one no higher a rate.
    ["message", "2001/second", /^at most 120000\/minute: over a shorter window at most the same rate/],
    ["notification", "6/second", /^at most 20000\/hour/],
  ])("refuses %s %j, naming the field and the allowed form", (name, value, message) => {
    const checked = checkProjectLimits({ [name]: value }, deployment);
    expect(checked).toEqual({ issues: [{ path: name, message: expect.stringMatching(message) }] });
  });

  it("ignores stored overrides that no longer fit: the deployment's value applies", () => {
    const table = effectiveLimits(deployment, {
      generation: "2400/day",
      analysis: "500/hour",
      notification: "480000/day",
      message: "10/minute",
      analytics: "7/hour",
    });
    expect(table.generation.text).toBe("100/hour");
    expect(table.analysis.text).toBe("60/hour");
    expect(table.notification.text).toBe(deployment.notification.text);
    expect(table.message.text).toBe("10/minute");
    expect(table.analytics.text).toBe("7/hour");
  });
});

describe("client addresses", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:ffff::1", "2001:db8:1:2::/64"],
    ["2001:DB8::1", "2001:db8:0:0::/64"],
    ["2001:db8:1:2::", "2001:db8:1:2::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::ffff:192.0.2.7", "192.0.2.7"],
    ["unknown", "unknown"],
  ])("counts %s as %s", (ip, bucket) => {
    expect(addressBucket(ip)).toBe(bucket);
  });
});

describe("GET and PUT /v1/projects/{project_id}/limits", () => {
  it("shows every class and quota; a change applies at once, is audited, and {} resets", async () => {
    const { projectId, apiKey } = await seedProject();
    const before = await json<Record<string, Record<string, string>>>(
      await call(limitsOf(projectId), { key: apiKey }),
      200,
    );
    expect(Object.keys(before.limits ?? {}).sort()).toEqual([...LIMIT_NAMES].sort());
    expect(before.overrides).toEqual({});
    // The test deployment sets every RATE_LIMIT_* (vitest.config.ts).
    expect(before.defaults?.message).toBe("1000000/minute");
    expect(before.limits).toEqual(before.defaults);

    const changed = await setLimits(projectId, apiKey, {
      message: "6000/minute",
      notification: "50 / hours",
      generation: "20/hour",
      analytics: null,
    });
    expect(changed.overrides).toEqual({
      message: "6000/minute",
      notification: "50/hour",
      generation: "20/hour",
    });
    expect(changed.limits).toMatchObject({
      message: "6000/minute",
      notification: "50/hour",
      analytics: "1000000/minute",
    });
    const { results } = await env.DB.prepare(
      "SELECT action, actor, details FROM audit_log WHERE project_id = ? AND action = 'project.limits_updated'",
    )
      .bind(projectId)
      .all<{ action: string; actor: string; details: string }>();
    expect(results).toHaveLength(1);
    expect(results[0]?.actor).toMatch(/^api_key:pb_test_/);
    expect(JSON.parse(results[0]?.details ?? "{}")).toEqual({
      from: {},
      to: { message: "6000/minute", notification: "50/hour", generation: "20/hour" },
    });
    const stored = await env.DB.prepare("SELECT limits FROM projects WHERE id = ?")
      .bind(projectId)
      .first<{ limits: string }>();
    expect(JSON.parse(stored?.limits ?? "null")).toEqual(changed.overrides);

    // The same values again change nothing and log nothing.
    await setLimits(projectId, apiKey, {
      message: "6000/minute",
      notification: "50/hour",
      generation: "20/hour",
    });
    const count = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE project_id = ? AND action = 'project.limits_updated'",
    )
      .bind(projectId)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);

    const reset = await setLimits(projectId, apiKey, {});
    expect(reset.overrides).toEqual({});
    const row = await env.DB.prepare("SELECT limits FROM projects WHERE id = ?")
      .bind(projectId)
      .first<{ limits: string | null }>();
    expect(row?.limits).toBeNull();
  });

  it.each([
    [{ message: "lots" }, "message", /expected 'N\/second', 'N\/minute', 'N\/hour' or 'N\/day'.*got "lots"/],
    [{ message: "0/minute" }, "message", /from 1 to 10,000,000/],
    [{ events: "5/fortnight" }, "events", /expected 'N\/second'/],
    [{ management: "100000/second" }, "management", /at most 1000000\/minute/],
    [
      { generation: "2000000/hour" },
      "generation",
      /^generation: a project may lower this quota but not raise it or change its window: expected 'N\/hour' with N from 1 to 1000000 \(the deployment's 1000000\/hour\)$/,
    ],
    [{ generation: "2400/day" }, "generation", /generation: .*expected 'N\/hour'/],
    [{ analysis: "5/minute" }, "analysis", /analysis: .*expected 'N\/hour'/],
    [{ notification: "48000000/day" }, "notification", /N from 1 to 10,000,000/],
    [
      { notification: "2000000/day" },
      "notification",
      /notification: at most 1000000\/hour: .*longer window N at most 1000000/,
    ],
    [{ message: 6000 }, "message", /expected string/],
    [{ messages: "10/minute" }, "", /messages/],
  ])("refuses %j with a 400 naming the field", async (body, field, message) => {
    const { projectId, apiKey } = await seedProject();
    const error = await expectError(
      await call(limitsOf(projectId), { method: "PUT", key: apiKey, body }),
      400,
      "BAD_REQUEST",
      message,
    );
    if (field) expect(error.issues).toEqual([expect.objectContaining({ path: field })]);
    const row = await env.DB.prepare("SELECT limits FROM projects WHERE id = ?")
      .bind(projectId)
      .first<{ limits: string | null }>();
    expect(row?.limits).toBeNull();
  });

  it("lets readers see the limits and only admins change them", async () => {
    const { projectId } = await seedProject();
    const readKey = await extraKey(projectId, "read");
    await json(await call(limitsOf(projectId), { key: readKey }), 200);
    await expectError(
      await call(limitsOf(projectId), { method: "PUT", key: readKey, body: { message: "10/minute" } }),
      403,
      "FORBIDDEN",
    );
    const viewer = await seedMember(projectId, "viewer");
    await expectError(
      await call(limitsOf(projectId), {
        method: "PUT",
        headers: { authorization: `Bearer ${viewer.accessToken}` },
        body: { message: "10/minute" },
      }),
      403,
      "FORBIDDEN",
    );
    const admin = await seedMember(projectId, "admin");
    const res = await call(limitsOf(projectId), {
      method: "PUT",
      headers: { authorization: `Bearer ${admin.accessToken}` },
      body: { message: "10/minute" },
    });
    expect((await json<{ limits: { message: string } }>(res, 200)).limits.message).toBe("10/minute");
  });
});

describe("headers and 429s", () => {
  it("counts a class exactly: RateLimit-Policy and RateLimit on each answer, then 429 with Retry-After", async () => {
    const { projectId, apiKey } = await seedProject();
    await setLimits(projectId, apiKey, { analytics: "3/minute" });
    for (const left of [2, 1, 0]) {
      const res = await call("/v1/experiments", { key: apiKey });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(res.headers.get("ratelimit-policy")).toBe('"analytics";q=3;w=60');
      expect(res.headers.get("ratelimit")).toMatch(new RegExp(`^"analytics";r=${left};t=(60|[1-5]\\d|\\d)$`));
    }
    const refused = await call("/v1/experiments", { key: apiKey });
    await expectError(
      refused.clone(),
      429,
      "RATE_LIMITED",
      /^rate limit reached for this API key: analytics requests are limited to 3\/minute; retry in \d+ s$/,
    );
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit-policy")).toBe('"analytics";q=3;w=60');
    expect(refused.headers.get("ratelimit")).toMatch(/^"analytics";r=0;t=\d+$/);
    // CORS lets browsers read them.
    const cors = await call("/v1/experiments", {
      key: apiKey,
      headers: { origin: "https://app.example.com" },
    });
    expect(cors.headers.get("access-control-expose-headers")).toMatch(/RateLimit-Policy/);
    // Another class of the same project is untouched.
    expect(
      (await call("/v1/message", { key: apiKey, body: { intent_id: "x", base_example: "Hi" } })).status,
    ).toBe(200);
  });

  it("leaves the headers off hot-class answers on a large budget with plenty left", async () => {
    const { projectId, apiKey } = await seedProject({ challengerCount: 0 });
    const roomy = await sendMessage(apiKey);
    expect(roomy.status, await roomy.clone().text()).toBe(200);
    expect(roomy.headers.get("ratelimit-policy")).toBeNull();
    await setLimits(projectId, apiKey, { message: "1001/minute" });
    const large = await sendMessage(apiKey);
    expect(large.headers.get("ratelimit-policy")).toBeNull();
    await setLimits(projectId, apiKey, { message: "1000/minute" });
    const small = await sendMessage(apiKey);
    expect(small.headers.get("ratelimit-policy")).toBe('"message";q=1000;w=60');
  });

  it("spends the message budget: policy and what is left on each answer, 429 past the limit", async () => {
    const { projectId, apiKey } = await seedProject({ challengerCount: 0 });
    await setLimits(projectId, apiKey, { message: "5/minute" });
    for (const left of [4, 3, 2, 1, 0]) {
      const res = await sendMessage(apiKey);
      expect(res.status, await res.clone().text()).toBe(200);
      expect(res.headers.get("ratelimit-policy")).toBe('"message";q=5;w=60');
      expect(res.headers.get("ratelimit")).toMatch(new RegExp(`^"message";r=${left};t=\\d+$`));
    }
    const refused = await sendMessage(apiKey);
    await expectError(
      refused.clone(),
      429,
      "RATE_LIMITED",
      /for this API key: message requests are limited to 5\/minute/,
    );
    expect(refused.headers.get("ratelimit")).toMatch(/^"message";r=0;t=\d+$/);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("never serves past the limit under concurrency, across many requests at once", async () => {
    const { projectId, apiKey } = await seedProject({ challengerCount: 0 });
    await setLimits(projectId, apiKey, { message: "40/minute" });
    const statuses = await Promise.all(
      Array.from({ length: 80 }, () => sendMessage(apiKey).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
  });

  it("separates keys and client IPs: two keys and two addresses do not share a budget", async () => {
    const { projectId, apiKey: keyA } = await seedProject({ challengerCount: 0 });
    const keyB = await extraKey(projectId);
    await setLimits(projectId, keyA, { message: "3/minute" });
    for (let i = 0; i < 3; i++) expect((await sendMessage(keyA, "192.0.2.1")).status).toBe(200);
    // Key A is spent, from any address.
    await expectError(await sendMessage(keyA, "192.0.2.9"), 429, "RATE_LIMITED", /for this API key/);
    // Key B from a fresh address has its own budget…
    for (let i = 0; i < 3; i++) expect((await sendMessage(keyB, "192.0.2.2")).status).toBe(200);
    // …but address 1 is spent whichever key it uses.
    const keyC = await extraKey(projectId);
    await expectError(await sendMessage(keyC, "192.0.2.1"), 429, "RATE_LIMITED", /from this address/);
    expect((await sendMessage(keyC, "192.0.2.3")).status).toBe(200);
  });

  it("keeps projects apart under load: one project's flood never 429s another", async () => {
    const flooded = await seedProject({ challengerCount: 0 });
    const quiet = await seedProject({ challengerCount: 0 });
    await setLimits(flooded.projectId, flooded.apiKey, { message: "10/minute", analytics: "2/minute" });
    const ip = "198.51.100.7";
    const [floodStatuses, quietStatuses] = await Promise.all([
      Promise.all(Array.from({ length: 60 }, () => sendMessage(flooded.apiKey, ip).then((r) => r.status))),
      Promise.all(Array.from({ length: 30 }, () => sendMessage(quiet.apiKey, ip).then((r) => r.status))),
    ]);
    expect(floodStatuses.filter((s) => s === 429).length).toBe(50);
    expect(quietStatuses.every((s) => s === 200)).toBe(true);
    for (let i = 0; i < 3; i++) await call("/v1/experiments", { key: flooded.apiKey });
    expect((await call("/v1/experiments", { key: flooded.apiKey })).status).toBe(429);
    expect((await call("/v1/experiments", { key: quiet.apiKey })).status).toBe(200);
  });

  it("limits a person per project, by session, like a key", async () => {
    const { projectId, apiKey } = await seedProject();
    await setLimits(projectId, apiKey, { management: "2/minute" });
    const member = await seedMember(projectId, "member");
    const headers = {
      authorization: `Bearer ${member.accessToken}`,
      "x-project-id": projectId,
      "cf-connecting-ip": "203.0.113.5",
    };
    const body = { intent_id: "person", base_example: "Hi" };
    await json(await call("/v1/message", { headers, body }), 200);
    const [exp] = (
      await json<{ experiments: { experiment_id: string }[] }>(
        await call("/v1/experiments", { headers }),
        200,
      )
    ).experiments;
    const set = (verb: "pause" | "resume") =>
      call(`/v1/experiments/${exp?.experiment_id}/${verb}`, { method: "POST", headers, body: {} });
    expect((await set("pause")).status).toBe(200);
    expect((await set("resume")).status).toBe(200);
    await expectError(
      await set("pause"),
      429,
      "RATE_LIMITED",
      /for your account: management requests are limited to 2\/minute/,
    );
    // The project's key is another caller with its own budget.
    const byKey = await call(`/v1/experiments/${exp?.experiment_id}/pause`, {
      method: "POST",
      key: apiKey,
      body: {},
    });
    expect(byKey.status, await byKey.clone().text()).toBe(200);
  });

  it("sends the auth class's headers on the public sign-in routes", async () => {
    const res = await call("/v1/auth/login", {
      body: { email: "nobody@example.com", password: "wrong password here" },
      headers: { "cf-connecting-ip": "203.0.113.77" },
    });
    expect(res.headers.get("ratelimit-policy")).toBe('"auth";q=1000000;w=3600');
    expect(res.headers.get("ratelimit")).toMatch(/^"auth";r=999999;t=\d+$/);
  });
});

/** The middleware on a small app, so a test can give it its own configuration and bindings. */
function limitedApp(opts: {
  operation: OperationAccess;
  rateLimits?: Record<string, string>;
  bindings?: Partial<Env>;
  principal?: Principal;
  projectId?: string;
}) {
  const app = new Hono<AppEnv>();
  app.onError((err, c) =>
    err instanceof AppError
      ? c.json({ code: err.code, message: err.message }, err.status, err.headers)
      : c.json({ code: "INTERNAL", message: String(err) }, 500),
  );
  const rateLimits = opts.rateLimits ?? {};
  app.use("*", async (c, next) => {
    const base = buildContext(env, () => {});
    c.set("ctx", { ...base, config: { ...base.config, rateLimits }, env: { ...env, ...opts.bindings } });
    c.set("operation", opts.operation);
    if (opts.principal) c.set("principal", opts.principal);
    if (opts.projectId)
      c.set("owner", { projectId: opts.projectId, defaultLocale: "en-US", challengerCount: 0 });
    await next();
  });
  app.use("*", routeLimits);
  app.all("*", (c) => c.json({ ok: true }, 200));
  return app;
}

describe("the middleware with its own configuration", () => {
  it("limits the public sign-in routes per client IP", async () => {
    const app = limitedApp({
      operation: { operationId: "login", public: true, access: null, projectSegment: -1 },
      rateLimits: { auth: "2/minute" },
    });
    const from = (ip: string) =>
      app.request("/v1/auth/login", { method: "POST", headers: { "cf-connecting-ip": ip } }, env);
    const ip = `203.0.113.${Math.floor(Math.random() * 200)}`;
    expect((await from(ip)).status).toBe(200);
    expect((await from(ip)).status).toBe(200);
    const refused = await from(ip);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      code: "RATE_LIMITED",
      message: /from this address: auth requests are limited to 2\/minute/,
    });
    expect(refused.headers.get("ratelimit-policy")).toBe('"auth";q=2;w=60');
    expect((await from("2001:db8::1")).status).toBe(200);
  });

  it("answers 429 with the burst policy when the flood-ceiling binding says no", async () => {
    const consulted: string[] = [];
    const refusing: RateLimit = {
      limit: async ({ key }) => {
        consulted.push(key);
        return { success: false };
      },
    };
    const projectId = newId("prj");
    const app = limitedApp({
      operation: { operationId: "getMessage", public: false, access: "message", projectSegment: -1 },
      bindings: { RL_MESSAGE: refusing },
      principal: {
        kind: "api_key",
        keyId: newId("key"),
        prefix: "pb_test_abcd",
        projectId,
        scopes: ["message"],
      },
      projectId,
    });
    const refused = await app.request("/v1/message", { method: "POST" }, env);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ message: /burst ceiling of about 120000\/minute/ });
    expect(refused.headers.get("ratelimit-policy")).toBe('"message-burst";q=120000;w=60');
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    // Refused locally until the minute ends: the binding is not asked again.
    expect((await app.request("/v1/message", { method: "POST" }, env)).status).toBe(429);
    expect(consulted).toHaveLength(1);
  });

  it("counts each window apart: a new window neither reuses nor resets another's count", async () => {
    const projectId = newId("prj");
    const keyId = newId("key");
    const principal: Principal = {
      kind: "api_key",
      keyId,
      prefix: "pb_test_wind",
      projectId,
      scopes: ["read"],
    };
    const withLimit = (analytics: string) =>
      limitedApp({
        operation: { operationId: "listExperiments", public: false, access: "read", projectSegment: -1 },
        rateLimits: { analytics },
        principal,
        projectId,
      });
    const get = (app: ReturnType<typeof limitedApp>) =>
      app.request("/v1/experiments", { headers: { "cf-connecting-ip": "198.51.100.23" } }, env);
    const perMinute = withLimit("2/minute");
    expect((await get(perMinute)).status).toBe(200);
    expect((await get(perMinute)).status).toBe(200);
    expect((await get(perMinute)).status).toBe(429);

    // An hour-long budget starts its own count (it used to read the minute's 2 as its own).
    const perHour = withLimit("3/hour");
    for (let i = 0; i < 3; i++) expect((await get(perHour)).status).toBe(200);
    expect((await get(perHour)).status).toBe(429);

    // And the minute's count survives the hour's writes, even for an isolate that forgot its leases.
    resetRouteLimitState();
    expect((await get(perMinute)).status).toBe(429);
    const counters = exactLimiter(env);
    const bucket = `${projectId}:k:${keyId}`;
    const minute = parseLimit("2/minute") as Limit;
    const hour = parseLimit("3/hour") as Limit;
    expect(budgetKey("analytics", minute, bucket)).toBe(`rl:analytics:60000:${bucket}`);
    expect(await counters.peek(budgetKey("analytics", minute, bucket), minute)).toMatchObject({
      remaining: 0,
    });
    expect(await counters.peek(budgetKey("analytics", hour, bucket), hour)).toMatchObject({ remaining: 0 });
    expect((await counters.peek(`rl:analytics:${bucket}`, hour)).remaining).toBe(3);
  });

  it("lets requests through when the counters are unavailable", async () => {
    const broken = {
      idFromName: () => {
        throw new Error("counter down");
      },
    } as unknown as Env["RATE_LIMITS"];
    const projectId = newId("prj");
    const app = limitedApp({
      operation: { operationId: "listExperiments", public: false, access: "read", projectSegment: -1 },
      rateLimits: { analytics: "1/minute" },
      bindings: { RATE_LIMITS: broken },
      principal: {
        kind: "api_key",
        keyId: newId("key"),
        prefix: "pb_test_abcd",
        projectId,
        scopes: ["read"],
      },
    });
    for (let i = 0; i < 3; i++) expect((await app.request("/v1/experiments", {}, env)).status).toBe(200);
  });

  it("uses the documented defaults when no variable is set", async () => {
    const app = limitedApp({
      operation: { operationId: "getStats", public: false, access: "read", projectSegment: -1 },
      principal: {
        kind: "api_key",
        keyId: newId("key"),
        prefix: "pb_test_abcd",
        projectId: "prj_x",
        scopes: ["read"],
      },
    });
    const res = await app.request("/v1/stats", {}, env);
    expect(res.headers.get("ratelimit-policy")).toBe(
      `"analytics";q=${DEFAULT_LIMITS.analytics.split("/")[0]};w=60`,
    );
  });
});
