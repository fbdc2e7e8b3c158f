import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, eventually, json } from "./helpers";

// What the push test files share: the fake push service's control API and waiting for a
// notification to settle.

export interface FakeSub {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}
export interface FakeDelivery {
  status: number;
  ttl: number;
  urgency: string | null;
  topic: string | null;
  payload: string;
  claims: { aud: string; exp: number; sub: string };
}

export const PUSH = env.FAKE_PUSH_URL;

export async function fakeSubscriber(script?: number[]): Promise<FakeSub> {
  const res = await fetch(`${PUSH}/_control/subscriptions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(script ? { script } : {}),
  });
  return (await res.json()) as FakeSub;
}

export async function received(
  endpoint: string,
): Promise<{ deliveries: FakeDelivery[]; failures: unknown[] }> {
  const res = await fetch(`${PUSH}/_control/deliveries?endpoint=${encodeURIComponent(endpoint)}`);
  return (await res.json()) as { deliveries: FakeDelivery[]; failures: unknown[] };
}

export async function subscribe(key: string, fake: FakeSub, extra: Record<string, unknown> = {}) {
  return json<{ subscription_id: string; status: string; vapid_key_id: string }>(
    await call("/v1/subscriptions", { key, body: { endpoint: fake.endpoint, keys: fake.keys, ...extra } }),
    201,
  );
}

export interface NotificationView {
  notification_id: string;
  status: string;
  recipients: number | null;
  deliveries: Record<string, number | null>;
}

export const notification = async (key: string, id: string) =>
  json<NotificationView>(await call(`/v1/notifications/${id}`, { key }), 200);

/** Waits until no delivery of the notification is pending. */
export async function settled(key: string, id: string, timeoutMs = 20_000) {
  return eventually(async () => {
    const n = await notification(key, id);
    expect(n.status).toBe("dispatched");
    expect(n.deliveries.pending).toBe(0);
    return n;
  }, timeoutMs);
}

let ipCounter = 0;
/** A fresh client address per call site, so the per-IP limit never couples tests. */
export const freshIp = () => `198.51.100.${++ipCounter % 250}:${Date.now()}:${Math.random()}`;

/** POST /push/{project}/subscriptions as a browser would, from its own address. */
export function anonymous(projectId: string, body: unknown, ip = freshIp()) {
  return call(`/push/${projectId}/subscriptions`, { body, headers: { "cf-connecting-ip": ip } });
}

/** The stored row, as D1 has it. */
export const storedSubscription = (id: string) =>
  env.DB.prepare(
    "SELECT endpoint, p256dh, auth, topics, user_id, enabled, deleted_at, managed_at FROM subscriptions WHERE id = ?",
  )
    .bind(id)
    .first<{
      endpoint: string;
      p256dh: string;
      auth: string;
      topics: string;
      user_id: string | null;
      enabled: number;
      deleted_at: number | null;
      managed_at: number | null;
    }>();
