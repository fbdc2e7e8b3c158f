import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, json, seedProject } from "../helpers";

// The API-key side added with issue 12: listing subscriptions, send times, the flat send body,
// /metrics without simulated traffic, and every push route in the OpenAPI document.

interface FakeSub {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

async function fakeSubscriber(): Promise<FakeSub> {
  const res = await fetch(`${env.FAKE_PUSH_URL}/_control/subscriptions`, { method: "POST", body: "{}" });
  return (await res.json()) as FakeSub;
}

async function subscribe(key: string, extra: Record<string, unknown> = {}) {
  const fake = await fakeSubscriber();
  return json<{ subscription_id: string; created_at: string }>(
    await call("/v1/subscriptions", { key, body: { endpoint: fake.endpoint, keys: fake.keys, ...extra } }),
    201,
  );
}

interface Page {
  subscriptions: { subscription_id: string; status: string; topics: string[]; user_id: string | null }[];
  next_cursor: string | null;
}

describe("GET /v1/subscriptions", () => {
  it("filters by topic, user and status, and pages newest first with next_cursor", async () => {
    const { apiKey } = await seedProject();
    const other = await seedProject();
    await subscribe(other.apiKey, { topics: ["news"] });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await subscribe(apiKey, {
        topics: i % 2 ? ["news"] : ["sport"],
        user_id: i < 2 ? "u-1" : `u-${i}`,
      });
      ids.push(s.subscription_id);
    }
    await call(`/v1/subscriptions/${ids[4]}`, { key: apiKey, method: "PUT", body: { enabled: false } });
    await call(`/v1/subscriptions/${ids[3]}`, { key: apiKey, method: "DELETE" });

    const all = await json<Page>(await call("/v1/subscriptions", { key: apiKey }), 200);
    expect(all.subscriptions.map((s) => s.subscription_id)).toEqual([...ids].reverse());
    expect(all.next_cursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page: Page = await json<Page>(await call(`/v1/subscriptions?limit=2${q}`, { key: apiKey }), 200);
      seen.push(...page.subscriptions.map((s) => s.subscription_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBe(3);

    const byTopic = await json<Page>(await call("/v1/subscriptions?topic=news", { key: apiKey }), 200);
    expect(byTopic.subscriptions.map((s) => s.subscription_id).sort()).toEqual([ids[1], ids[3]].sort());
    const byUser = await json<Page>(await call("/v1/subscriptions?user_id=u-1", { key: apiKey }), 200);
    expect(byUser.subscriptions.map((s) => s.subscription_id).sort()).toEqual([ids[0], ids[1]].sort());
    const disabled = await json<Page>(await call("/v1/subscriptions?status=disabled", { key: apiKey }), 200);
    expect(disabled.subscriptions.map((s) => s.subscription_id)).toEqual([ids[4]]);
    const deleted = await json<Page>(await call("/v1/subscriptions?status=deleted", { key: apiKey }), 200);
    expect(deleted.subscriptions.map((s) => s.subscription_id)).toEqual([ids[3]]);
    const active = await json<Page>(
      await call("/v1/subscriptions?status=active&topic=sport", { key: apiKey }),
      200,
    );
    expect(active.subscriptions.map((s) => s.subscription_id).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it("refuses a bad cursor, limit or status with a 400 envelope", async () => {
    const { apiKey } = await seedProject();
    const bad: [string, RegExp][] = [
      ["cursor=not-a-cursor", /cursor/],
      [`cursor=${btoa(JSON.stringify(["x", 1])).replace(/=+$/, "")}`, /cursor/],
      ["limit=0", /limit/],
      ["limit=1000", /limit/],
      ["status=gone", /status/],
      ["topic=bad%20topic", /topic/],
    ];
    for (const [q, message] of bad) {
      const err = await expectError(
        await call(`/v1/subscriptions?${q}`, { key: apiKey }),
        400,
        "BAD_REQUEST",
      );
      expect(err.message, q).toMatch(message);
    }
    await expectError(await call("/v1/subscriptions"), 401, "UNAUTHORIZED");
  });
});

interface Sent {
  notification_id: string;
  status: string;
  scheduled_at: string | null;
  target: Record<string, unknown>;
  payload: Record<string, unknown>;
  ttl: number;
}

describe("scheduled_at", () => {
  const send = (key: string, options: Record<string, unknown>) =>
    call("/v1/notifications/broadcast", { key, body: { payload: { title: "t" }, options } });

  it("refuses a time already past unless the caller opts in; tolerates a minute of clock skew", async () => {
    const { apiKey } = await seedProject();
    const past = new Date(Date.now() - 5 * 60_000).toISOString();
    await expectError(
      await send(apiKey, { scheduled_at: past }),
      400,
      "BAD_REQUEST",
      /is in the past.*send_now_if_past/,
    );
    await expectError(
      await send(apiKey, { scheduled_at: Date.now() - 3_600_000 }),
      400,
      "BAD_REQUEST",
      /in the past/,
    );
    const now = await json<Sent>(await send(apiKey, { scheduled_at: past, send_now_if_past: true }), 202);
    expect(now).toMatchObject({ status: "queued", scheduled_at: null });
    const skewed = await json<Sent>(await send(apiKey, { scheduled_at: Date.now() - 30_000 }), 202);
    expect(skewed.status).toBe("queued");
  });

  it("takes ISO 8601 with a zone or Unix milliseconds, and nothing else", async () => {
    const { apiKey } = await seedProject();
    const at = Date.now() + 3_600_000;
    const ms = await json<Sent>(await send(apiKey, { scheduled_at: at }), 202);
    expect(ms).toMatchObject({ status: "scheduled", scheduled_at: new Date(at).toISOString() });
    const offset = await json<Sent>(await send(apiKey, { scheduled_at: "2099-01-01T10:00:00+02:00" }), 202);
    expect(offset.scheduled_at).toBe("2099-01-01T08:00:00.000Z");
    for (const scheduled_at of ["tomorrow", "2099-01-01T10:00:00", Math.floor(at / 1000)]) {
      await expectError(await send(apiKey, { scheduled_at }), 400, "BAD_REQUEST");
    }
  });
});

describe("the flat send body (the seed push service's client)", () => {
  it("accepts { title, body, url, topics } as the structured body, and refuses one naming no recipient", async () => {
    const { apiKey } = await seedProject();
    await subscribe(apiKey, { topics: ["news"] });
    const flat = await json<Sent & { estimated_recipients: number }>(
      await call("/v1/notifications/send", {
        key: apiKey,
        body: { title: "Hi", body: "There", url: "https://example.com/x", topics: ["news"], ttl: 60 },
      }),
      202,
    );
    expect(flat).toMatchObject({
      status: "queued",
      target: { topics: ["news"] },
      payload: { title: "Hi", body: "There", url: "https://example.com/x" },
      ttl: 60,
      estimated_recipients: 1,
    });
    const stored = await env.DB.prepare("SELECT target, payload FROM notifications WHERE id = ?")
      .bind(flat.notification_id)
      .first<{ target: string; payload: string }>();
    expect(JSON.parse(stored?.target ?? "")).toEqual({ topics: ["news"] });
    expect(JSON.parse(stored?.payload ?? "")).toEqual({
      title: "Hi",
      body: "There",
      url: "https://example.com/x",
    });

    const cases: [unknown, RegExp][] = [
      [{ title: "Hi", body: "There" }, /name at least one recipient/],
      [{ title: "Hi", topics: [] }, /name at least one recipient/],
      [{ title: "Hi", all: true, color: "red" }, /color/],
      [{ title: "Hi", all: true, scheduled_at: "soon" }, /scheduled_at/],
    ];
    for (const [body, message] of cases) {
      const err = await expectError(
        await call("/v1/notifications/send", { key: apiKey, body }),
        400,
        "BAD_REQUEST",
      );
      expect(err.message, JSON.stringify(body)).toMatch(message);
    }
    const all = await json<Sent>(
      await call("/v1/notifications/send", { key: apiKey, body: { title: "All", all: true } }),
      202,
    );
    expect(all.target).toEqual({ all: true });
  });
});

describe("/metrics counts real traffic only", () => {
  it("leaves the simulation lane's impressions and events out", async () => {
    const { projectId } = await seedProject();
    const read = async () => {
      const res = await call("/metrics", {
        headers: { authorization: "Bearer test-metrics-token-0123456789" },
      });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
      return {
        impressions: num(/^pushbunny_impressions_total (\d+)$/m),
        opened: num(/^pushbunny_events_ingested_total\{type="opened"\} (\d+)$/m),
      };
    };
    const before = await read();
    const now = Date.now();
    const day = new Date(now).toISOString().slice(0, 10);
    const imp = (id: string) =>
      env.DB.prepare(
        "INSERT INTO impressions (id, project_id, experiment_id, variant_id, user_id, day, created_at) VALUES (?1, ?2, 'exp_m', 'var_m', NULL, ?3, ?4)",
      ).bind(id, projectId, day, now);
    const evt = (impressionId: string) =>
      env.DB.prepare(
        "INSERT INTO events (project_id, experiment_id, variant_id, impression_id, type, occurred_at, impression_at, day, received_at) VALUES (?1, 'exp_m', 'var_m', ?2, 'opened', ?3, ?3, ?4, ?3)",
      ).bind(projectId, impressionId, now, day);
    const suffix = projectId.slice(4);
    await env.DB.batch([
      imp(`imp_${suffix}`),
      imp(`sim_${suffix}_1`),
      imp(`sim_${suffix}_2`),
      evt(`imp_${suffix}`),
      evt(`sim_${suffix}_1`),
    ]);
    const after = await read();
    expect(after.impressions - before.impressions).toBe(1);
    expect(after.opened - before.opened).toBe(1);
  });
});

describe("the OpenAPI document", () => {
  type Op = {
    operationId?: string;
    tags?: string[];
    security?: unknown;
    requestBody?: { required?: boolean };
  };

  it("declares every push route, the anonymous ones with security: [] and /metrics with its token", async () => {
    const doc = await json<{
      paths: Record<string, Record<string, Op>>;
      components: { schemas: Record<string, unknown> };
    }>(await call("/v1/openapi.json"), 200);
    const ops = new Map<string, Op>();
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(methods)) ops.set(`${method.toUpperCase()} ${path}`, op);
    const anonymous = [
      "GET /push/sw.js",
      "GET /push/{project}/sw.js",
      "GET /push/subscribe.js",
      "GET /push/subscribe.css",
      "GET /push/{project}/subscribe",
      "GET /push/{project}/vapid-public-key",
      "POST /push/{project}/subscriptions",
      "POST /push/receipts",
    ];
    const keyed = [
      "GET /v1/push/vapid-public-key",
      "POST /v1/push/vapid/rotate",
      "GET /v1/push/identity-secret",
      "POST /v1/push/identity-secret",
      "GET /v1/push/settings",
      "PUT /v1/push/settings",
      "POST /v1/subscriptions",
      "GET /v1/subscriptions",
      "GET /v1/subscriptions/{subscription_id}",
      "PUT /v1/subscriptions/{subscription_id}",
      "DELETE /v1/subscriptions/{subscription_id}",
      "POST /v1/notifications/send",
      "POST /v1/notifications/broadcast",
      "GET /v1/notifications/history",
      "GET /v1/notifications/{notification_id}",
      "DELETE /v1/notifications/{notification_id}",
      "GET /v1/analytics/subscriptions",
      "GET /v1/analytics/deliveries",
    ];
    for (const route of [...anonymous, ...keyed, "GET /metrics"]) {
      const op = ops.get(route);
      expect(op, `${route} is not in the document`).toBeDefined();
      expect(op?.operationId, route).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op?.tags?.length, route).toBeGreaterThan(0);
      if (op?.requestBody) expect(op.requestBody.required, route).toBe(true);
    }
    for (const route of anonymous) expect(ops.get(route)?.security, route).toEqual([]);
    for (const route of keyed) expect(ops.get(route)?.security, route).toEqual([{ bearerAuth: [] }]);
    expect(ops.get("GET /metrics")?.security).toEqual([{ metricsToken: [] }]);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["SendNotification", "SendNotificationFlat", "BrowserSubscribeRequest"]),
    );
  });
});
