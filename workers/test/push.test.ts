import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CRONS } from "../src/scheduled/crons";
import { call, eventually, expectError, json, runCron, seedProject } from "./helpers";

interface FakeSub {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}
interface FakeDelivery {
  status: number;
  ttl: number;
  urgency: string | null;
  topic: string | null;
  payload: string;
  claims: { aud: string; exp: number; sub: string };
}

const PUSH = env.FAKE_PUSH_URL;

async function fakeSubscriber(script?: number[]): Promise<FakeSub> {
  const res = await fetch(`${PUSH}/_control/subscriptions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(script ? { script } : {}),
  });
  return (await res.json()) as FakeSub;
}

async function received(endpoint: string): Promise<{ deliveries: FakeDelivery[]; failures: unknown[] }> {
  const res = await fetch(`${PUSH}/_control/deliveries?endpoint=${encodeURIComponent(endpoint)}`);
  return (await res.json()) as { deliveries: FakeDelivery[]; failures: unknown[] };
}

async function subscribe(key: string, fake: FakeSub, extra: Record<string, unknown> = {}) {
  return json<{ subscription_id: string; status: string; vapid_key_id: string }>(
    await call("/v1/subscriptions", { key, body: { endpoint: fake.endpoint, keys: fake.keys, ...extra } }),
    201,
  );
}

interface NotificationView {
  notification_id: string;
  status: string;
  recipients: number | null;
  deliveries: Record<string, number | null>;
}

const notification = async (key: string, id: string) =>
  json<NotificationView>(await call(`/v1/notifications/${id}`, { key }), 200);

/** Waits until no delivery of the notification is pending. */
async function settled(key: string, id: string, timeoutMs = 20_000) {
  return eventually(async () => {
    const n = await notification(key, id);
    expect(n.status).toBe("dispatched");
    expect(n.deliveries.pending).toBe(0);
    return n;
  }, timeoutMs);
}

describe("Web Push end to end (fake push service with its own RFC 8291 decryption)", () => {
  it("encrypts for each subscriber, signs VAPID for its origin, and the service worker's receipt marks it delivered", async () => {
    const { apiKey, projectId } = await seedProject();
    const key = await json<{ public_key: string; key_id: string; subject: string }>(
      await call("/v1/push/vapid-public-key", { key: apiKey }),
      200,
    );
    expect(key.public_key).toMatch(/^[A-Za-z0-9_-]{87}$/);
    const fake = await fakeSubscriber();
    const sub = await subscribe(apiKey, fake, { topics: ["news"], user_id: "u-1" });
    expect(sub).toMatchObject({ status: "active", vapid_key_id: key.key_id });
    // Idempotent per endpoint.
    const again = await call("/v1/subscriptions", {
      key: apiKey,
      body: { endpoint: fake.endpoint, keys: fake.keys },
    });
    expect((await json<{ subscription_id: string }>(again, 200)).subscription_id).toBe(sub.subscription_id);

    const sent = await json<NotificationView & { estimated_recipients: number }>(
      await call("/v1/notifications/send", {
        key: apiKey,
        body: {
          payload: {
            title: "Hello",
            body: "Your order shipped",
            url: "https://shop.example.com/o/1",
            tag: "order",
          },
          target: { topics: ["news"] },
          options: { ttl: 3600, urgency: "high", topic: "order-1" },
        },
      }),
      202,
    );
    expect(sent.estimated_recipients).toBe(1);
    const done = await settled(apiKey, sent.notification_id);
    expect(done.recipients).toBe(1);
    expect(done.deliveries.sent).toBe(1);

    const [delivery] = (await received(fake.endpoint)).deliveries;
    expect(delivery).toBeDefined();
    expect(delivery?.ttl).toBe(3600);
    expect(delivery?.urgency).toBe("high");
    expect(delivery?.topic).toBe("order-1");
    expect(delivery?.claims.aud).toBe(PUSH.replace(/^http:/, "https:"));
    expect(delivery?.claims.sub).toMatch(/^mailto:|^https:/);
    expect(delivery!.claims.exp * 1000 - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    const payload = JSON.parse(delivery!.payload) as Record<string, string>;
    expect(payload).toMatchObject({
      title: "Hello",
      body: "Your order shipped",
      url: "https://shop.example.com/o/1",
      tag: "order",
    });
    expect(payload.notification_id).toBe(sent.notification_id);

    // What the service worker does on display and on click.
    const shown = await call("/push/receipts", { body: { receipt: payload.receipt, event: "displayed" } });
    expect(await json(shown, 200)).toMatchObject({ status: "delivered", opened: false });
    await json(await call("/push/receipts", { body: { receipt: payload.receipt, event: "clicked" } }), 200);
    const after = await notification(apiKey, sent.notification_id);
    expect(after.deliveries).toMatchObject({
      delivered: 1,
      sent: 0,
      clicked: 1,
      delivered_rate: 1,
      click_rate: 1,
    });
    // A forged receipt is refused.
    const forged = `${String(payload.receipt).slice(0, -4)}AAAA`;
    await expectError(
      await call("/push/receipts", { body: { receipt: forged, event: "clicked" } }),
      400,
      "BAD_REQUEST",
    );
    expect(projectId).toMatch(/^prj_/);
  });

  it("encrypts for keys a client library sent padded (base64url with '=')", async () => {
    const { apiKey } = await seedProject();
    const fake = await fakeSubscriber();
    const pad = (k: string) => k + "=".repeat((4 - (k.length % 4)) % 4);
    const padded = { p256dh: pad(fake.keys.p256dh), auth: pad(fake.keys.auth) };
    expect(padded.p256dh).toMatch(/=$/);
    expect(padded.auth).toMatch(/==$/);
    const sub = await json<{ subscription_id: string }>(
      await call("/v1/subscriptions", { key: apiKey, body: { endpoint: fake.endpoint, keys: padded } }),
      201,
    );
    const sent = await json<NotificationView>(
      await call("/v1/notifications/send", {
        key: apiKey,
        body: {
          payload: { title: "Padded", body: "still opens" },
          target: { subscription_ids: [sub.subscription_id] },
        },
      }),
      202,
    );
    expect((await settled(apiKey, sent.notification_id)).deliveries.sent).toBe(1);
    const { deliveries, failures } = await received(fake.endpoint);
    expect(failures).toEqual([]);
    expect(JSON.parse(deliveries[0]!.payload)).toMatchObject({ title: "Padded", body: "still opens" });
  });

  it("classifies every push service answer: 410 expires, 413 fails and keeps, 429 and 5xx retry, 401 stops the batch", async () => {
    const { apiKey } = await seedProject();
    const ok = await fakeSubscriber([201]);
    const gone = await fakeSubscriber([410]);
    const tooBig = await fakeSubscriber([413]);
    const limited = await fakeSubscriber([429, 201]);
    const flaky = await fakeSubscriber([500, 503, 201]);
    const subs = {
      ok: await subscribe(apiKey, ok),
      gone: await subscribe(apiKey, gone),
      tooBig: await subscribe(apiKey, tooBig),
      limited: await subscribe(apiKey, limited),
      flaky: await subscribe(apiKey, flaky),
    };
    const sent = await json<NotificationView>(
      await call("/v1/notifications/broadcast", {
        key: apiKey,
        body: { payload: { title: "Sale", body: "Today only" } },
      }),
      202,
    );
    const done = await settled(apiKey, sent.notification_id, 60_000);
    expect(done.deliveries).toMatchObject({ sent: 3, expired: 1, failed: 1, pending: 0 });
    expect((await received(limited.endpoint)).deliveries.map((d) => d.status)).toEqual([429, 201]);
    expect((await received(flaky.endpoint)).deliveries.map((d) => d.status)).toEqual([500, 503, 201]);
    const goneSub = await json<{ status: string }>(
      await call(`/v1/subscriptions/${subs.gone.subscription_id}`, { key: apiKey }),
      200,
    );
    expect(goneSub.status).toBe("expired");
    const bigSub = await json<{ status: string }>(
      await call(`/v1/subscriptions/${subs.tooBig.subscription_id}`, { key: apiKey }),
      200,
    );
    expect(bigSub.status).toBe("active");

    // An expired subscription is not sent to again.
    const second = await json<NotificationView>(
      await call("/v1/notifications/broadcast", { key: apiKey, body: { payload: { title: "Again" } } }),
      202,
    );
    expect((await settled(apiKey, second.notification_id, 60_000)).recipients).toBe(4);
    expect((await received(gone.endpoint)).deliveries).toHaveLength(1);
  }, 90_000);

  it("a VAPID refusal (401/403) is an alert and stops the rest of the batch", async () => {
    const { apiKey } = await seedProject();
    const refused = await fakeSubscriber([403]);
    await subscribe(apiKey, refused);
    const sent = await json<NotificationView>(
      await call("/v1/notifications/broadcast", { key: apiKey, body: { payload: { title: "x" } } }),
      202,
    );
    const done = await settled(apiKey, sent.notification_id);
    expect(done.deliveries).toMatchObject({ failed: 1, sent: 0 });
    const history = await json<{ notifications: NotificationView[] }>(
      await call("/v1/notifications/history?type=broadcast", { key: apiKey }),
      200,
    );
    expect(history.notifications[0]?.notification_id).toBe(sent.notification_id);
  });

  it("rotating the VAPID key keeps old subscriptions signing with theirs", async () => {
    const { apiKey } = await seedProject();
    const before = await fakeSubscriber();
    const oldSub = await subscribe(apiKey, before);
    const rotated = await json<{ key_id: string; public_key: string }>(
      await call("/v1/push/vapid/rotate", { key: apiKey, method: "POST" }),
      200,
    );
    expect(rotated.key_id).not.toBe(oldSub.vapid_key_id);
    const current = await json<{ key_id: string }>(
      await call("/v1/push/vapid-public-key", { key: apiKey }),
      200,
    );
    expect(current.key_id).toBe(rotated.key_id);
    const afterFake = await fakeSubscriber();
    const newSub = await subscribe(apiKey, afterFake);
    expect(newSub.vapid_key_id).toBe(rotated.key_id);
    const sent = await json<NotificationView>(
      await call("/v1/notifications/broadcast", { key: apiKey, body: { payload: { title: "Both" } } }),
      202,
    );
    expect((await settled(apiKey, sent.notification_id)).deliveries.sent).toBe(2);
    expect((await received(before.endpoint)).deliveries).toHaveLength(1);
    expect((await received(afterFake.endpoint)).deliveries).toHaveLength(1);
  });

  it("optimised copy: each recipient gets the engine's variant with a tracking token; a click is an opened event", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const fake = await fakeSubscriber();
    await subscribe(apiKey, fake, { user_id: "buyer-7" });
    const sent = await json<NotificationView>(
      await call("/v1/notifications/send", {
        key: apiKey,
        body: {
          payload: {
            title: "Your cart",
            intent_id: "push_cart",
            base_example: "You left items in your cart",
          },
          target: { user_ids: ["buyer-7"] },
        },
      }),
      202,
    );
    await settled(apiKey, sent.notification_id);
    const payload = JSON.parse((await received(fake.endpoint)).deliveries[0]!.payload) as Record<
      string,
      string
    >;
    expect(payload.body).toBe("You left items in your cart");
    expect(payload.tracking_token).toMatch(/^trk_v1\./);
    const click = await json<{ opened: boolean }>(
      await call("/push/receipts", {
        body: { receipt: payload.receipt, event: "clicked", tracking_token: payload.tracking_token },
      }),
      200,
    );
    expect(click.opened).toBe(true);
    await eventually(async () => {
      const stats = await json<{ total_opens: number; total_impressions: number }>(
        await call("/v1/stats?intent_id=push_cart", { key: apiKey }),
        200,
      );
      expect(stats.total_opens).toBe(1);
      expect(stats.total_impressions).toBe(1);
    });
  });

  it("scheduled sends go out when due (the every-minute cron), and can be canceled before", async () => {
    const { apiKey } = await seedProject();
    const fake = await fakeSubscriber();
    await subscribe(apiKey, fake);
    const at = new Date(Date.now() + 10 * 60_000).toISOString();
    const later = await json<NotificationView>(
      await call("/v1/notifications/broadcast", {
        key: apiKey,
        body: { payload: { title: "Later" }, options: { scheduled_at: at } },
      }),
      202,
    );
    expect(later.status).toBe("scheduled");
    const canceled = await json<NotificationView>(
      await call("/v1/notifications/broadcast", {
        key: apiKey,
        body: { payload: { title: "Never" }, options: { scheduled_at: at } },
      }),
      202,
    );
    await json(
      await call(`/v1/notifications/${canceled.notification_id}`, { key: apiKey, method: "DELETE" }),
      200,
    );
    await runCron(CRONS.posteriorSweep);
    expect((await notification(apiKey, later.notification_id)).status).toBe("scheduled");
    await runCron(CRONS.posteriorSweep, Date.now() + 11 * 60_000);
    await settled(apiKey, later.notification_id);
    const titles = (await received(fake.endpoint)).deliveries.map(
      (d) => (JSON.parse(d.payload) as { title: string }).title,
    );
    expect(titles).toEqual(["Later"]);
    expect((await notification(apiKey, canceled.notification_id)).status).toBe("canceled");
    await expectError(
      await call(`/v1/notifications/${later.notification_id}`, { key: apiKey, method: "DELETE" }),
      409,
      "CONFLICT",
    );
  });

  it("reports subscription and delivery analytics by day, and Prometheus metrics behind a token", async () => {
    const { apiKey } = await seedProject();
    const a = await fakeSubscriber();
    const b = await fakeSubscriber([410]);
    const subA = await subscribe(apiKey, a);
    await subscribe(apiKey, b);
    const sent = await json<NotificationView>(
      await call("/v1/notifications/broadcast", { key: apiKey, body: { payload: { title: "Hi" } } }),
      202,
    );
    await settled(apiKey, sent.notification_id);
    await call(`/v1/subscriptions/${subA.subscription_id}`, { key: apiKey, method: "DELETE" });
    const today = new Date().toISOString().slice(0, 10);
    const subs = await json<{ active: number; totals: Record<string, number>; days: { day: string }[] }>(
      await call(`/v1/analytics/subscriptions?date_from=${today}&date_to=${today}`, { key: apiKey }),
      200,
    );
    expect(subs.active).toBe(0);
    expect(subs.totals).toEqual({ new: 2, expired: 1, deleted: 1 });
    expect(subs.days.map((d) => d.day)).toEqual([today]);
    const dels = await json<{ totals: Record<string, number | null> }>(
      await call("/v1/analytics/deliveries", { key: apiKey }),
      200,
    );
    expect(dels.totals).toMatchObject({ sent: 1, expired: 1, accepted_rate: 0.5, failure_rate: 0.5 });

    await expectError(await call("/metrics"), 401, "UNAUTHORIZED");
    const metrics = await call("/metrics", {
      headers: { authorization: "Bearer test-metrics-token-0123456789" },
    });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^# HELP pushbunny_push_deliveries/m);
    expect(text).toMatch(/^pushbunny_push_deliveries\{status="sent"\} \d+$/m);
    expect(text).toMatch(/^pushbunny_push_backlog \d+$/m);
  });
});

describe("full batches", () => {
  it("delivers a broadcast to 150 subscriptions: a full batch of 100 and the rest, each message once", async () => {
    const { apiKey } = await seedProject();
    const fakes = await Promise.all(Array.from({ length: 150 }, () => fakeSubscriber()));
    for (let i = 0; i < fakes.length; i += 25)
      await Promise.all(fakes.slice(i, i + 25).map((f) => subscribe(apiKey, f)));
    const sent = await json<NotificationView>(
      await call("/v1/notifications/broadcast", { key: apiKey, body: { payload: { title: "Everyone" } } }),
      202,
    );
    const done = await settled(apiKey, sent.notification_id, 60_000);
    expect(done.recipients).toBe(150);
    expect(done.deliveries.sent).toBe(150);
    const counts = await Promise.all(fakes.map(async (f) => (await received(f.endpoint)).deliveries.length));
    expect(counts.every((n) => n === 1)).toBe(true);
    // The history page of 100 reads its counts in one query too.
    const history = await json<{ notifications: NotificationView[] }>(
      await call("/v1/notifications/history?limit=100", { key: apiKey }),
      200,
    );
    expect(history.notifications[0]?.deliveries.sent).toBe(150);
  }, 90_000);
});

describe("no delivery is lost", () => {
  it("the minute cron re-queues pending deliveries whose queue message was lost", async () => {
    const { apiKey, projectId } = await seedProject();
    const fake = await fakeSubscriber();
    const sub = await subscribe(apiKey, fake);
    // A notification whose dispatch died after creating its delivery, before queueing it.
    const old = Date.now() - 3 * 3_600_000;
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO notifications (id, project_id, type, target, payload, ttl, status, dispatched_at, recipients, created_at) VALUES ('ntf_lost1', ?1, 'broadcast', '{\"all\":true}', '{\"title\":\"Lost\"}', 60, 'dispatched', ?2, 1, ?2)",
      ).bind(projectId, old),
      env.DB.prepare(
        "INSERT INTO deliveries (id, project_id, notification_id, subscription_id, status, attempts, created_at, updated_at) VALUES ('dlv_lost1', ?1, 'ntf_lost1', ?2, 'pending', 0, ?3, ?3)",
      ).bind(projectId, sub.subscription_id, old),
    ]);
    await runCron(CRONS.posteriorSweep);
    const done = await settled(apiKey, "ntf_lost1");
    expect(done.deliveries.sent).toBe(1);
    const titles = (await received(fake.endpoint)).deliveries.map(
      (d) => (JSON.parse(d.payload) as { title: string }).title,
    );
    expect(titles).toEqual(["Lost"]);
  });
});

describe("push input and safety", () => {
  it("refuses unsafe endpoints (SSRF), bad keys and bad sends with 4xx envelopes", async () => {
    const { apiKey } = await seedProject();
    const fake = await fakeSubscriber();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ endpoint: "http://fcm.googleapis.com/fcm/send/x", keys: fake.keys }, /https/],
      [{ endpoint: "https://169.254.169.254/latest/meta-data", keys: fake.keys }, /endpoint/],
      [{ endpoint: "https://evil.example.com/push", keys: fake.keys }, /endpoint/],
      [{ endpoint: "not a url", keys: fake.keys }, /endpoint/],
      [{ endpoint: fake.endpoint, keys: { p256dh: "AAAA", auth: fake.keys.auth } }, /p256dh/],
      [{ endpoint: fake.endpoint, keys: { p256dh: fake.keys.p256dh, auth: "AAAA" } }, /auth/],
      [{ endpoint: fake.endpoint }, /keys/],
      [{ endpoint: fake.endpoint, keys: fake.keys, topics: ["bad topic!"] }, /topics/],
    ];
    for (const [body, message] of cases) {
      const err = await expectError(
        await call("/v1/subscriptions", { key: apiKey, body }),
        400,
        "BAD_REQUEST",
      );
      expect(`${err.message} ${JSON.stringify(err.issues)}`, JSON.stringify(body)).toMatch(message);
    }
    const sends: [unknown, number][] = [
      [{ payload: { title: "x" }, target: {} }, 400],
      [{ payload: {}, target: { all: true } }, 400],
      [{ payload: { intent_id: "x" }, target: { all: true } }, 400],
      [{ payload: { title: "x" }, target: { all: true }, options: { ttl: -1 } }, 400],
      [{ payload: { title: "x" }, target: { all: true }, options: { urgency: "now" } }, 400],
      [{ payload: { title: "x" }, target: { all: true }, options: { scheduled_at: "tomorrow" } }, 400],
      [{ payload: { title: "x", body: "y".repeat(3900) }, target: { all: true } }, 413],
    ];
    for (const [body, status] of sends) {
      const res = await call("/v1/notifications/send", { key: apiKey, body });
      await expectError(res, status, status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST");
    }
  });

  it("scopes subscriptions and notifications to the key's project; the public routes need a real project", async () => {
    const a = await seedProject();
    const b = await seedProject();
    const sub = await subscribe(a.apiKey, await fakeSubscriber());
    await expectError(
      await call(`/v1/subscriptions/${sub.subscription_id}`, { key: b.apiKey }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/v1/subscriptions/${sub.subscription_id}`, { key: b.apiKey, method: "DELETE" }),
      404,
      "NOT_FOUND",
    );
    await expectError(await call("/v1/subscriptions", { body: {} }), 401, "UNAUTHORIZED");
    const updated = await json<{ topics: string[]; enabled: boolean; status: string }>(
      await call(`/v1/subscriptions/${sub.subscription_id}`, {
        key: a.apiKey,
        method: "PUT",
        body: { topics: ["a", "b"], enabled: false },
      }),
      200,
    );
    expect(updated).toMatchObject({ topics: ["a", "b"], enabled: false, status: "disabled" });
    await expectError(await call("/push/prj_nope/vapid-public-key"), 404, "NOT_FOUND");
    const page = await call(`/push/${a.projectId}/subscribe`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/push/subscribe.js"></script>');
    const script = await call("/push/subscribe.js");
    expect(await script.text()).toContain('navigator.serviceWorker.register(url, { scope: "/push/" })');
    const sw = await call("/push/sw.js");
    expect(sw.headers.get("content-type")).toMatch(/javascript/);
    expect(await sw.text()).toContain('addEventListener("pushsubscriptionchange"');
  });
});
