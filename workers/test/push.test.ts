import { describe, expect, it } from "vitest";
import { CRONS } from "../src/scheduled/crons";
import { call, eventually, expectError, json, runCron, seedProject } from "./helpers";
import {
  fakeSubscriber,
  type NotificationView,
  notification,
  PUSH,
  received,
  settled,
  subscribe,
} from "./push-helpers";

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

  it("optimized copy: each recipient gets the engine's variant with a tracking token; a click is an opened event", async () => {
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
    await runCron(CRONS.everyMinute);
    expect((await notification(apiKey, later.notification_id)).status).toBe("scheduled");
    await runCron(CRONS.everyMinute, Date.now() + 11 * 60_000);
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
