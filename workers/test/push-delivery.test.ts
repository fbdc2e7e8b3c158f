import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CRONS } from "../src/scheduled/crons";
import { call, expectError, json, runCron, seedProject } from "./helpers";
import { fakeSubscriber, type NotificationView, received, settled, subscribe } from "./push-helpers";

// What each push service answer does to deliveries and subscriptions, full batches, lost queue
// messages, and input safety.

describe("push service answers", () => {
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
    await runCron(CRONS.everyMinute);
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
    expect(await script.text()).toContain("navigator.serviceWorker.register(url, { scope: base })");
    for (const path of [`/push/${a.projectId}/sw.js`, "/push/sw.js"]) {
      const sw = await call(path);
      expect(sw.status, path).toBe(200);
      expect(sw.headers.get("content-type")).toMatch(/javascript/);
      expect(await sw.text()).toContain('addEventListener("pushsubscriptionchange"');
    }
  });
});
