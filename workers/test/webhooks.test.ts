import { env } from "cloudflare:workers";
import { signReceipt } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import type { AppContext } from "../src/context";
import type { Env } from "../src/env";
import { buildContext } from "../src/infra/build-context";
import type { WebhookDeliverJob } from "../src/queue/messages";
import { MAX_ATTEMPTS, RETRY_DELAYS_MS } from "../src/services/webhooks/attempt-delivery";
import { deliverWebhooks } from "../src/services/webhooks/deliver-webhooks";
import { emitWebhookEvents } from "../src/services/webhooks/emit";
import { destinationProblems } from "../src/services/webhooks/lib/destination";
import { pruneWebhookHistoryNow } from "../src/services/webhooks/prune-history";
import { sweepWebhookDeliveries } from "../src/services/webhooks/sweep-deliveries";
import type { ReceivedWebhook, ReceiverMode } from "../test-support/webhook-receiver";
import {
  asMember,
  call,
  eventually,
  expectError,
  experimentWithArms,
  json,
  keyWithScopes,
  runCron,
  seedMember,
  seedProject,
} from "./helpers";

// Outbound webhooks against a local receiver (workers/test-support/webhook-receiver.ts) that checks
// every request with the independent `standardwebhooks` package.
const RECEIVER = (env as unknown as { WEBHOOK_RECEIVER_URL: string }).WEBHOOK_RECEIVER_URL;

interface WebhookJson {
  webhook_id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: string | null;
  previous_secret_expires_at: string | null;
  secret?: string;
}
interface AttemptJson {
  delivery_id: string;
  status: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  response: string | null;
  next_attempt_at: string | null;
}
interface DeliveryJson {
  delivery_id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  payload: string;
}

let counter = 0;
const hookName = () => `t${Date.now().toString(36)}${++counter}`;
const hookUrl = (name: string) => `${RECEIVER}/hook/${name}`;

async function control(name: string, what: "mode" | "secrets", body: unknown) {
  const res = await fetch(`${RECEIVER}/__${what}/${name}`, { method: "POST", body: JSON.stringify(body) });
  expect(res.status).toBe(204);
}
async function receivedBy(name: string): Promise<ReceivedWebhook[]> {
  return (await (await fetch(`${RECEIVER}/__received/${name}`)).json()) as ReceivedWebhook[];
}

/** An endpoint on the receiver, its secret registered there for verification. */
async function endpoint(
  apiKey: string,
  opts: { events?: string[]; mode?: ReceiverMode; enabled?: boolean } = {},
): Promise<{ name: string; hook: WebhookJson; secret: string }> {
  const name = hookName();
  const hook = await json<WebhookJson>(
    await call("/v1/webhooks", {
      key: apiKey,
      body: {
        url: hookUrl(name),
        events: opts.events ?? ["email.delivered", "webhook.test"],
        description: "test receiver",
        ...(opts.enabled === undefined ? {} : { enabled: opts.enabled }),
      },
    }),
    201,
  );
  const secret = hook.secret ?? "";
  await control(name, "secrets", { secrets: [secret] });
  if (opts.mode) await control(name, "mode", { mode: opts.mode });
  return { name, hook, secret };
}

/** A context with a hand-set clock whose jobs queue only records (no real consumer runs). */
function clockCtx(start: number, extraEnv: Partial<Env> = {}) {
  let now = start;
  const queued: { body: WebhookDeliverJob; delaySeconds?: number }[] = [];
  const base = buildContext({ ...env, ...extraEnv } as Env, () => {});
  const jobs = {
    send: async (body: WebhookDeliverJob, o?: { delaySeconds?: number }) => {
      queued.push({ body, delaySeconds: o?.delaySeconds });
    },
    sendBatch: async (msgs: { body: WebhookDeliverJob; delaySeconds?: number }[]) => {
      queued.push(...msgs);
    },
  } as unknown as Queue<unknown>;
  const ctx: AppContext = { ...base, now: () => now, queues: { ...base.queues, jobs } };
  return {
    ctx,
    queued,
    set: (t: number) => {
      now = t;
    },
  };
}

async function deliveries(apiKey: string, webhookId: string, query = "") {
  return json<{ deliveries: DeliveryJson[]; next_cursor: string | null }>(
    await call(`/v1/webhooks/${webhookId}/deliveries${query}`, { key: apiKey }),
    200,
  );
}

describe("webhook endpoints", () => {
  it("creates one with a secret shown once and stored sealed, then reads, updates and deletes it", async () => {
    const { apiKey, projectId } = await seedProject();
    const { hook, secret } = await endpoint(apiKey, {
      events: ["email.bounced", "email.delivered", "email.bounced"],
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(hook).toMatchObject({
      enabled: true,
      events: ["email.delivered", "email.bounced"],
      disabled_reason: null,
    });
    const row = await env.DB.prepare("SELECT secret, project_id FROM webhook_endpoints WHERE id = ?")
      .bind(hook.webhook_id)
      .first<{ secret: string; project_id: string }>();
    expect(row?.project_id).toBe(projectId);
    expect(row?.secret).not.toContain(secret.slice(6, 20));

    const got = await json<WebhookJson>(await call(`/v1/webhooks/${hook.webhook_id}`, { key: apiKey }), 200);
    expect(got.secret).toBeUndefined();
    expect(got.url).toBe(hook.url);
    const list = await json<{ webhooks: WebhookJson[] }>(await call("/v1/webhooks", { key: apiKey }), 200);
    expect(list.webhooks.map((w) => w.webhook_id)).toEqual([hook.webhook_id]);
    expect(JSON.stringify(list)).not.toContain(secret);

    const updated = await json<WebhookJson>(
      await call(`/v1/webhooks/${hook.webhook_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { events: ["push.clicked"], description: null, enabled: false, url: `${hook.url}/moved` },
      }),
      200,
    );
    expect(updated.url).toBe(`${hook.url}/moved`);
    const urlChange = await env.DB.prepare(
      "SELECT details FROM audit_log WHERE project_id = ? AND target_id = ? AND action = 'webhook.updated'",
    )
      .bind(projectId, hook.webhook_id)
      .first<{ details: string }>();
    expect(JSON.parse(urlChange?.details ?? "{}").url).toEqual({ from: hook.url, to: `${hook.url}/moved` });
    expect(updated).toMatchObject({
      events: ["push.clicked"],
      description: null,
      enabled: false,
      disabled_reason: null,
    });
    expect(updated.disabled_at).not.toBeNull();

    const audit = await env.DB.prepare(
      "SELECT action FROM audit_log WHERE project_id = ? AND target_id = ? ORDER BY id",
    )
      .bind(projectId, hook.webhook_id)
      .all<{ action: string }>();
    expect(audit.results.map((a) => a.action)).toEqual(["webhook.created", "webhook.updated"]);

    expect((await call(`/v1/webhooks/${hook.webhook_id}`, { key: apiKey, method: "DELETE" })).status).toBe(
      204,
    );
    await expectError(await call(`/v1/webhooks/${hook.webhook_id}`, { key: apiKey }), 404, "NOT_FOUND");
  });

  it("needs admin access to change endpoints, and never shows another project's", async () => {
    const { apiKey, projectId } = await seedProject();
    const { hook } = await endpoint(apiKey);
    const readKey = await keyWithScopes(projectId, "read");
    await expectError(
      await call("/v1/webhooks", {
        key: readKey,
        body: { url: "https://example.com/h", events: ["push.clicked"] },
      }),
      403,
      "FORBIDDEN",
    );
    await expectError(
      await call(`/v1/webhooks/${hook.webhook_id}/test`, { key: readKey, method: "POST" }),
      403,
      "FORBIDDEN",
    );
    // Reading needs admin too: endpoint URLs often carry a credential, and deliveries carry payloads.
    for (const path of [
      "/v1/webhooks",
      `/v1/webhooks/${hook.webhook_id}`,
      `/v1/webhooks/${hook.webhook_id}/deliveries`,
    ]) {
      await expectError(await call(path, { key: readKey }), 403, "FORBIDDEN");
    }
    expect((await call(`/v1/webhooks/${hook.webhook_id}/deliveries`, { key: apiKey })).status).toBe(200);
    const other = await seedProject();
    for (const [method, path] of [
      ["GET", ""],
      ["PATCH", ""],
      ["DELETE", ""],
      ["POST", "/test"],
      ["POST", "/rotate-secret"],
      ["GET", "/deliveries"],
    ] as const) {
      const res = await call(`/v1/webhooks/${hook.webhook_id}${path}`, {
        key: other.apiKey,
        method,
        ...(method === "PATCH" ? { body: { enabled: false } } : {}),
      });
      await expectError(res, 404, "NOT_FOUND");
    }
  });

  it("refuses destinations that could reach a private network, in every spelling", async () => {
    const { apiKey } = await seedProject();
    const refused = [
      "http://example.com/hook",
      "ftp://example.com/hook",
      "https://user:pw@example.com/hook",
      "https://example.com:8443/hook",
      `https://example.com/${"a".repeat(2100)}`,
      "https://api.localhost/hook",
      "https://localhost../hook",
      "https://intranet..example.com/hook",
      "https://printer.local/hook",
      "https://metadata.google.internal/computeMetadata",
      "https://intranet/hook",
      "https://10.0.0.1/hook",
      "https://172.16.5.4/hook",
      "https://192.168.1.1/hook",
      "https://100.64.0.1/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://0.0.0.0/hook",
      "https://2130706433/hook",
      "https://0x7f000001/hook",
      "https://0177.0.0.1/hook",
      "https://127.1/hook",
      "https://0xa9fea9fe/hook",
      "https://[::]/hook",
      "https://[::ffff:127.0.0.1]/hook",
      "https://[::ffff:a9fe:a9fe]/hook",
      "https://[64:ff9b::10.0.0.1]/hook",
      "https://[fd00::1]/hook",
      "https://[fe80::1]/hook",
      "https://[2002:c0a8:101::1]/hook",
      // The loopback exception (tests, local development) takes plain spellings only.
      "http://2130706433:8080/hook",
      "http://127.0.0.1.:8080/hook",
    ];
    for (const url of refused) {
      const res = await call("/v1/webhooks", { key: apiKey, body: { url, events: ["push.clicked"] } });
      const err = await expectError(res, 400, "BAD_REQUEST");
      expect((err.issues[0] as { path?: string } | undefined)?.path, url).toBe("url");
    }
    const accepted = [
      "https://example.com/hooks/pushbunny?x=1",
      "https://example.com:443/h",
      "https://93.184.215.14/h",
      "https://[2606:4700:4700::1111]/h",
      hookUrl("accepted"),
    ];
    for (const url of accepted) {
      const res = await call("/v1/webhooks", { key: apiKey, body: { url, events: ["push.clicked"] } });
      expect(res.status, `${url}: ${await res.clone().text()}`).toBe(201);
    }
    // Outside development and tests loopback is refused like any private address.
    for (const url of ["https://localhost/h", "https://127.0.0.1/h", "https://[::1]/h", hookUrl("x")]) {
      expect(destinationProblems(url, { allowLoopback: false }), url).not.toEqual([]);
    }
    expect(destinationProblems(hookUrl("x"), { allowLoopback: true })).toEqual([]);
    // Events must be known, and at least one.
    for (const events of [[], ["email.nope"]]) {
      await expectError(
        await call("/v1/webhooks", { key: apiKey, body: { url: "https://example.com/h", events } }),
        400,
        "BAD_REQUEST",
      );
    }
  });
});

describe("signing and delivery", () => {
  it("signs a test event so the standardwebhooks package verifies it, and logs the delivery", async () => {
    const { apiKey, projectId } = await seedProject();
    const { name, hook } = await endpoint(apiKey);
    const attempt = await json<AttemptJson>(
      await call(`/v1/webhooks/${hook.webhook_id}/test`, { key: apiKey, method: "POST" }),
      200,
    );
    expect(attempt).toMatchObject({
      status: "succeeded",
      attempt: 1,
      status_code: 200,
      response: "ok",
      error: null,
    });
    const [got, ...more] = await receivedBy(name);
    expect(more).toHaveLength(0);
    expect(got?.verified).toEqual([true]);
    expect(got?.headers["webhook-id"]).toBe(attempt.delivery_id);
    expect(got?.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(got?.body ?? "{}");
    expect(body).toMatchObject({
      type: "webhook.test",
      data: { webhook_id: hook.webhook_id, project_id: projectId },
    });
    expect(Math.abs(Date.parse(body.timestamp) - Date.now())).toBeLessThan(60_000);

    const log = await deliveries(apiKey, hook.webhook_id);
    expect(log.deliveries).toHaveLength(1);
    expect(log.deliveries[0]).toMatchObject({
      delivery_id: attempt.delivery_id,
      event_type: "webhook.test",
      status: "succeeded",
      attempts: 1,
      last_status_code: 200,
      next_attempt_at: null,
      payload: got?.body,
    });
    const audited = await env.DB.prepare(
      "SELECT action, details FROM audit_log WHERE project_id = ? AND target_id = ? AND action = 'webhook.tested'",
    )
      .bind(projectId, hook.webhook_id)
      .all<{ action: string; details: string }>();
    expect(audited.results.map((a) => JSON.parse(a.details))).toEqual([
      { delivery_id: attempt.delivery_id, status: "succeeded" },
    ]);
  });

  it("keeps 30 days of settled deliveries and provider receipts; waiting deliveries stay", async () => {
    const { apiKey, projectId } = await seedProject();
    const { hook } = await endpoint(apiKey);
    const day = 86_400_000;
    const now = Date.now();
    const insert = env.DB.prepare(
      `INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_type, payload, status, attempts, created_at, updated_at)
       VALUES (?1, ?2, ?3, 'email.delivered', '{}', ?4, 1, ?5, ?5)`,
    );
    const tag = hook.webhook_id.slice(4);
    await env.DB.batch([
      insert.bind(`msg_old_ok_${tag}`, projectId, hook.webhook_id, "succeeded", now - 31 * day),
      insert.bind(`msg_old_failed_${tag}`, projectId, hook.webhook_id, "failed", now - 40 * day),
      insert.bind(`msg_old_waiting_${tag}`, projectId, hook.webhook_id, "pending", now - 31 * day),
      insert.bind(`msg_recent_${tag}`, projectId, hook.webhook_id, "succeeded", now - 29 * day),
      env.DB.prepare(
        "INSERT INTO email_provider_events (id, project_id, message_id, type, created_at) VALUES (?1, ?2, 'emm_x', 'email.delivered', ?3), (?4, ?2, 'emm_x', 'email.delivered', ?5)",
      ).bind(`svix_old_${tag}`, projectId, now - 31 * day, `svix_new_${tag}`, now - day),
    ]);
    const removed = await pruneWebhookHistoryNow({ ctx: buildContext(env as unknown as Env, () => {}) });
    expect(removed.deliveries).toBeGreaterThanOrEqual(2);
    const left = await env.DB.prepare("SELECT id FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id")
      .bind(hook.webhook_id)
      .all<{ id: string }>();
    expect(left.results.map((r) => r.id)).toEqual([`msg_old_waiting_${tag}`, `msg_recent_${tag}`]);
    const receipts = await env.DB.prepare("SELECT id FROM email_provider_events WHERE project_id = ?")
      .bind(projectId)
      .all<{ id: string }>();
    expect(receipts.results.map((r) => r.id)).toEqual([`svix_new_${tag}`]);
  });

  it("deleting the project switches its endpoints off and fails what was waiting", async () => {
    const { apiKey, projectId } = await seedProject();
    const { hook } = await endpoint(apiKey);
    await env.DB.prepare(
      `INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_type, payload, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES ('msg_waiting_${hook.webhook_id}', ?1, ?2, 'email.delivered', '{}', 'pending', 0, ?3, ?3, ?3)`,
    )
      .bind(projectId, hook.webhook_id, Date.now())
      .run();
    const owner = await seedMember(projectId, "owner");
    const res = await call(`/v1/projects/${projectId}`, {
      method: "DELETE",
      headers: asMember(owner.accessToken, projectId),
    });
    expect(res.status, await res.clone().text()).toBe(204);
    const endpointRow = await env.DB.prepare(
      "SELECT enabled, disabled_reason FROM webhook_endpoints WHERE id = ?",
    )
      .bind(hook.webhook_id)
      .first<{ enabled: number; disabled_reason: string }>();
    expect(endpointRow).toEqual({ enabled: 0, disabled_reason: "the project was deleted" });
    const waiting = await env.DB.prepare("SELECT status FROM webhook_deliveries WHERE endpoint_id = ?")
      .bind(hook.webhook_id)
      .first<{ status: string }>();
    expect(waiting?.status).toBe("failed");
  });

  it("sends emitted events through the queue to the endpoints listening for them, once each", async () => {
    const { apiKey, projectId } = await seedProject();
    const listening = await endpoint(apiKey, { events: ["email.delivered"] });
    const elsewhere = await endpoint(apiKey, { events: ["email.bounced"] });
    const disabled = await endpoint(apiKey, { events: ["email.delivered"], enabled: false });
    const ctx = buildContext(env, () => {});
    await emitWebhookEvents(ctx, projectId, [
      { type: "email.delivered", data: { message_id: "emm_1" } },
      { type: "email.delivered", data: { message_id: "emm_2" } },
    ]);
    const got = await eventually(async () => {
      const r = await receivedBy(listening.name);
      expect(r).toHaveLength(2);
      return r;
    });
    expect(got.every((g) => g.verified[0] === true)).toBe(true);
    expect(got.map((g) => JSON.parse(g.body).data.message_id).sort()).toEqual(["emm_1", "emm_2"]);
    expect(new Set(got.map((g) => g.headers["webhook-id"])).size).toBe(2);
    await eventually(async () => {
      const log = await deliveries(apiKey, listening.hook.webhook_id);
      expect(log.deliveries.map((d) => d.status)).toEqual(["succeeded", "succeeded"]);
    });
    expect(await receivedBy(elsewhere.name)).toHaveLength(0);
    expect(await receivedBy(disabled.name)).toHaveLength(0);

    // Another project's events never reach this project's endpoints, and a project with no
    // endpoint writes nothing.
    const other = await seedProject();
    await emitWebhookEvents(ctx, other.projectId, [
      { type: "email.delivered", data: { message_id: "emm_3" } },
    ]);
    const none = await env.DB.prepare("SELECT count(*) AS n FROM webhook_deliveries WHERE project_id = ?")
      .bind(other.projectId)
      .first<{ n: number }>();
    expect(none?.n).toBe(0);
    expect(await receivedBy(listening.name)).toHaveLength(2);
  });

  it("counts a redirect as a failure, gives up on a slow receiver, and keeps 1 KB of an answer", async () => {
    const { apiKey } = await seedProject();
    const redirect = await endpoint(apiKey, { mode: "redirect", events: ["webhook.test"] });
    const r = await json<AttemptJson>(
      await call(`/v1/webhooks/${redirect.hook.webhook_id}/test`, { key: apiKey, method: "POST" }),
      200,
    );
    expect(r).toMatchObject({ status: "failed", status_code: 302, error: expect.stringMatching(/redirect/) });
    expect(await receivedBy(`${redirect.name}-redirected`)).toHaveLength(0);

    const big = await endpoint(apiKey, { mode: "big", events: ["webhook.test"] });
    const b = await json<AttemptJson>(
      await call(`/v1/webhooks/${big.hook.webhook_id}/test`, { key: apiKey, method: "POST" }),
      200,
    );
    expect(b.status).toBe("succeeded");
    expect(b.response).toBe("x".repeat(1024));

    const slow = await endpoint(apiKey, { mode: "slow", events: ["email.delivered"] });
    const { ctx, queued } = clockCtx(Date.now(), { WEBHOOK_TIMEOUT_MS: "300" });
    await emitWebhookEvents(ctx, (await projectOf(slow.hook.webhook_id)) ?? "", [
      { type: "email.delivered", data: {} },
    ]);
    const [job] = queued;
    expect(job?.body.deliveryIds).toHaveLength(1);
    const [outcome] = await deliverWebhooks({ ctx, input: job?.body as WebhookDeliverJob });
    expect(outcome).toMatchObject({ status: "pending", statusCode: null, error: "no answer within 300 ms" });
    expect(outcome?.durationMs).toBeLessThan(2_000);
    // The retry is queued with the schedule's first wait.
    expect(queued[1]).toMatchObject({ delaySeconds: 5 });
    // Its pending retry would reach the slow receiver from later tests' cron runs.
    expect(
      (await call(`/v1/webhooks/${slow.hook.webhook_id}`, { key: apiKey, method: "DELETE" })).status,
    ).toBe(204);
  });

  it("retries on the Standard Webhooks schedule, then disables the endpoint with a reason", async () => {
    const { apiKey, projectId } = await seedProject();
    const failing = await endpoint(apiKey, { mode: "fail", events: ["email.delivered"] });
    const start = Date.now() + 365 * 86_400_000;
    const clock = clockCtx(start);
    await emitWebhookEvents(clock.ctx, projectId, [
      { type: "email.delivered", data: { message_id: "emm_x" } },
    ]);
    const first = clock.queued[0]?.body as WebhookDeliverJob;
    let [outcome] = await deliverWebhooks({ ctx: clock.ctx, input: first });
    const gaps: number[] = [];
    let at = start;
    while (outcome?.status === "pending" && outcome.nextAttemptAt !== null) {
      gaps.push(outcome.nextAttemptAt - at);
      // Early: not due, nothing is sent.
      clock.set(outcome.nextAttemptAt - 1);
      expect((await deliverWebhooks({ ctx: clock.ctx, input: first }))[0]?.status).toBe("skipped");
      at = outcome.nextAttemptAt;
      clock.set(at);
      [outcome] = await deliverWebhooks({ ctx: clock.ctx, input: first });
    }
    expect(gaps).toEqual([...RETRY_DELAYS_MS]);
    expect(outcome).toMatchObject({ status: "failed", attempt: MAX_ATTEMPTS, statusCode: 500 });
    const got = await receivedBy(failing.name);
    expect(got).toHaveLength(MAX_ATTEMPTS);
    // One webhook-id across every retry; each signed (the clock is a year ahead, so verify()'s
    // five-minute window fails while the signature itself matches).
    expect(new Set(got.map((g) => g.headers["webhook-id"])).size).toBe(1);
    expect(got.every((g) => g.signed[0] === true)).toBe(true);
    expect(Math.abs(Number(got.at(-1)?.headers["webhook-timestamp"]) * 1000 - at)).toBeLessThan(1_000);

    const hook = await json<WebhookJson>(
      await call(`/v1/webhooks/${failing.hook.webhook_id}`, { key: apiKey }),
      200,
    );
    expect(hook.enabled).toBe(false);
    expect(hook.disabled_reason).toMatch(/^8 attempts over about a day failed \(last: HTTP 500\)/);
    const audit = await env.DB.prepare(
      "SELECT actor FROM audit_log WHERE target_id = ? AND action = 'webhook.disabled'",
    )
      .bind(failing.hook.webhook_id)
      .all<{ actor: string }>();
    expect(audit.results).toEqual([{ actor: "webhooks" }]);
    const [logged] = (await deliveries(apiKey, failing.hook.webhook_id)).deliveries;
    expect(logged).toMatchObject({
      status: "failed",
      attempts: 8,
      last_status_code: 500,
      next_attempt_at: null,
    });

    // A disabled endpoint gets no new deliveries; enabling it clears the reason.
    await emitWebhookEvents(clock.ctx, projectId, [{ type: "email.delivered", data: {} }]);
    expect((await deliveries(apiKey, failing.hook.webhook_id)).deliveries).toHaveLength(1);
    const enabled = await json<WebhookJson>(
      await call(`/v1/webhooks/${failing.hook.webhook_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { enabled: true },
      }),
      200,
    );
    expect(enabled).toMatchObject({ enabled: true, disabled_reason: null, disabled_at: null });
  });

  it("the every-minute cron sends a due delivery whose queue message was lost", async () => {
    const { apiKey, projectId } = await seedProject();
    const target = await endpoint(apiKey, { events: ["email.delivered"] });
    const start = Date.now() + 2 * 365 * 86_400_000;
    const clock = clockCtx(start);
    // The recording queue stands for a lost message: nothing consumes it.
    await emitWebhookEvents(clock.ctx, projectId, [
      { type: "email.delivered", data: { message_id: "emm_lost" } },
    ]);
    await runCron("* * * * *", start + 30_000);
    expect(await receivedBy(target.name)).toHaveLength(0);
    await runCron("* * * * *", start + 61_000);
    const got = await receivedBy(target.name);
    expect(got).toHaveLength(1);
    expect(got[0]?.signed).toEqual([true]);
    // Swept once: a second run finds nothing due.
    await runCron("* * * * *", start + 122_000);
    expect(await receivedBy(target.name)).toHaveLength(1);
    // Sanity: the direct sweep agrees.
    clock.set(start + 200_000);
    expect(await sweepWebhookDeliveries({ ctx: clock.ctx })).toBe(0);
  });

  it("signs with both secrets for 24 hours after a rotation, then only with the new one", async () => {
    const { apiKey, projectId } = await seedProject();
    const target = await endpoint(apiKey, { events: ["email.delivered", "webhook.test"] });
    const rotated = await json<WebhookJson>(
      await call(`/v1/webhooks/${target.hook.webhook_id}/rotate-secret`, { key: apiKey, method: "POST" }),
      200,
    );
    const fresh = rotated.secret ?? "";
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(target.secret);
    expect(Date.parse(rotated.previous_secret_expires_at ?? "") - Date.now()).toBeGreaterThan(
      23.9 * 3_600_000,
    );
    await control(target.name, "secrets", { secrets: [target.secret, fresh] });

    await json(
      await call(`/v1/webhooks/${target.hook.webhook_id}/test`, { key: apiKey, method: "POST" }),
      200,
    );
    const [during] = await receivedBy(target.name);
    expect(during?.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(during?.verified).toEqual([true, true]);

    const clock = clockCtx(Date.now() + 24 * 3_600_000 + 60_000);
    await emitWebhookEvents(clock.ctx, projectId, [{ type: "email.delivered", data: {} }]);
    await deliverWebhooks({ ctx: clock.ctx, input: clock.queued[0]?.body as WebhookDeliverJob });
    const after = (await receivedBy(target.name))[1];
    expect(after?.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
    expect(after?.signed).toEqual([false, true]);
    const hook = await json<WebhookJson>(
      await call(`/v1/webhooks/${target.hook.webhook_id}`, { key: apiKey }),
      200,
    );
    expect(hook.secret).toBeUndefined();
  });

  it("pages the delivery log with a cursor and retries a failed delivery with the same webhook-id", async () => {
    const { apiKey } = await seedProject();
    const target = await endpoint(apiKey, { mode: "fail" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await json<AttemptJson>(
        await call(`/v1/webhooks/${target.hook.webhook_id}/test`, { key: apiKey, method: "POST" }),
        200,
      );
      // Test events are not retried: someone is watching the answer.
      expect(a).toMatchObject({
        status: "failed",
        status_code: 500,
        response: "receiver exploded",
        next_attempt_at: null,
      });
      ids.push(a.delivery_id);
    }
    const page1 = await deliveries(apiKey, target.hook.webhook_id, "?limit=2");
    expect(page1.deliveries.map((d) => d.delivery_id)).toEqual([ids[2], ids[1]]);
    expect(page1.next_cursor).not.toBeNull();
    const page2 = await deliveries(apiKey, target.hook.webhook_id, `?limit=2&cursor=${page1.next_cursor}`);
    expect(page2.deliveries.map((d) => d.delivery_id)).toEqual([ids[0]]);
    expect(page2.next_cursor).toBeNull();
    await expectError(
      await call(`/v1/webhooks/${target.hook.webhook_id}/deliveries?cursor=bogus`, { key: apiKey }),
      400,
      "BAD_REQUEST",
    );

    await control(target.name, "mode", { mode: "ok" });
    const retried = await json<AttemptJson>(
      await call(`/v1/webhooks/${target.hook.webhook_id}/deliveries/${ids[0]}/retry`, {
        key: apiKey,
        method: "POST",
      }),
      200,
    );
    expect(retried).toMatchObject({ delivery_id: ids[0], status: "succeeded", attempt: 2, status_code: 200 });
    const got = await receivedBy(target.name);
    expect(got.filter((g) => g.headers["webhook-id"] === ids[0])).toHaveLength(2);
    await expectError(
      await call(
        `/v1/webhooks/${target.hook.webhook_id}/deliveries/msg_000000000aaaaaaaaaaaaaaaaaaaa/retry`,
        {
          key: apiKey,
          method: "POST",
        },
      ),
      404,
      "NOT_FOUND",
    );
  });
});

async function projectOf(webhookId: string) {
  const row = await env.DB.prepare("SELECT project_id FROM webhook_endpoints WHERE id = ?")
    .bind(webhookId)
    .first<{ project_id: string }>();
  return row?.project_id;
}

describe("emission points", () => {
  it("declaring a winner emits experiment.winner_declared once", async () => {
    const { apiKey, experimentId, variants } = await experimentWithArms("hooks_winner", [
      "Come back for 10% off",
    ]);
    const target = await endpoint(apiKey, { events: ["experiment.winner_declared"] });
    const winner = variants[1]?.id ?? "";
    for (let i = 0; i < 2; i++) {
      await json(
        await call(`/v1/experiments/${experimentId}/winner`, {
          key: apiKey,
          body: { variant_id: winner, reason: "clear lift" },
        }),
        200,
      );
    }
    const got = await eventually(async () => {
      const r = await receivedBy(target.name);
      expect(r).toHaveLength(1);
      return r;
    });
    expect(JSON.parse(got[0]?.body ?? "{}")).toMatchObject({
      type: "experiment.winner_declared",
      data: {
        experiment_id: experimentId,
        intent_id: "hooks_winner",
        variant_id: winner,
        reason: "clear lift",
      },
    });
    expect(got[0]?.verified).toEqual([true]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await receivedBy(target.name)).toHaveLength(1);
  });

  it("a push receipt emits push.delivered and push.clicked once each, replays none", async () => {
    const { apiKey, projectId } = await seedProject();
    const target = await endpoint(apiKey, { events: ["push.delivered", "push.clicked"] });
    const deliveryId = `dlv_hooks${Date.now().toString(36)}`;
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO deliveries (id, project_id, notification_id, subscription_id, status, attempts, created_at, updated_at) VALUES (?, ?, 'ntf_hooks', 'sub_hooks', 'sent', 1, ?, ?)",
    )
      .bind(deliveryId, projectId, now, now)
      .run();
    const receipt = await signReceipt(env.TRACKING_SECRET ?? "", projectId, deliveryId);
    for (const event of ["displayed", "displayed", "clicked", "clicked"]) {
      await json(await call("/push/receipts", { body: { receipt, event } }), 200);
    }
    const got = await eventually(async () => {
      const r = await receivedBy(target.name);
      expect(r).toHaveLength(2);
      return r;
    });
    const bodies = got.map((g) => JSON.parse(g.body)).sort((a, b) => a.type.localeCompare(b.type));
    expect(bodies.map((b) => b.type)).toEqual(["push.clicked", "push.delivered"]);
    expect(bodies[0].data).toMatchObject({ delivery_id: deliveryId, notification_id: "ntf_hooks" });
    await new Promise((r) => setTimeout(r, 500));
    expect(await receivedBy(target.name)).toHaveLength(2);
  });

  it("a failed ad sync emits ads.sync_failed naming the channel", async () => {
    const { apiKey } = await seedProject();
    const target = await endpoint(apiKey, { events: ["ads.sync_failed"] });
    await json(
      await call("/v1/ads/channels/facebook", {
        key: apiKey,
        method: "PUT",
        body: {
          credentials: { accessToken: `EAAStubUnauthorized${"0".repeat(32)}`, adAccountId: "1029384756" },
        },
      }),
      200,
    );
    const got = await eventually(async () => {
      const r = await receivedBy(target.name);
      expect(r).toHaveLength(1);
      return r;
    }, 25_000);
    const body = JSON.parse(got[0]?.body ?? "{}");
    expect(body).toMatchObject({
      type: "ads.sync_failed",
      data: {
        status: "failed",
        attempt: 1,
        channels: [{ channel: "facebook", code: "credentials_rejected", kind: "auth" }],
      },
    });
    expect(body.data.channels[0].message).not.toContain("EAAStub");
  });
});
