import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakePushService,
  type FakeSubscription,
  startFakePushService,
} from "../../../workers/test-support/fake-push-service";
import { buildPushRequest, generateVapidKeys, type PushRequest, type VapidKeyPair } from "../src/index";

let service: FakePushService;
let vapid: { subject: string } & VapidKeyPair;

beforeAll(async () => {
  service = await startFakePushService();
  vapid = { subject: "mailto:push@example.com", ...(await generateVapidKeys()) };
});
afterAll(async () => {
  await service.close();
});

async function send(request: PushRequest): Promise<Response> {
  return fetch(request.url, request.init);
}

/** Creates a subscriber over HTTP, as a Worker test would. */
async function subscribe(script?: number[] | "ok"): Promise<FakeSubscription> {
  const res = await fetch(`${service.baseUrl}/_control/subscriptions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(script === undefined ? {} : { script }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as FakeSubscription;
}

/** A VAPID header with chosen claims, signed with `key` (default: the real VAPID key). */
async function vapidHeader(
  claims: Record<string, unknown>,
  options: { header?: object; signWith?: VapidKeyPair } = {},
): Promise<string> {
  const signer = options.signWith ?? vapid;
  const raw = Buffer.from(signer.publicKey, "base64url");
  const key = await crypto.subtle.importKey(
    "jwk",
    {
      kty: "EC",
      crv: "P-256",
      x: raw.subarray(1, 33).toString("base64url"),
      y: raw.subarray(33).toString("base64url"),
      d: signer.privateKey,
    },
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const data = `${segment(options.header ?? { typ: "JWT", alg: "ES256" })}.${segment(claims)}`;
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, Buffer.from(data));
  return `vapid t=${data}.${Buffer.from(signature).toString("base64url")}, k=${vapid.publicKey}`;
}

describe("fake push service", () => {
  it("decrypts a message from buildPushRequest and records it with its headers and claims", async () => {
    const sub = await subscribe();
    expect(sub.endpoint).toMatch(new RegExp(`^${service.baseUrl}/push/`));
    const text = '{"title":"Hello","body":"Grüße 👋"}';
    const request = await buildPushRequest(sub, text, { ttl: 120, urgency: "low", topic: "greeting" }, vapid);
    const res = await send(request);
    expect(res.status, await res.clone().text()).toBe(201);
    expect(res.headers.get("location")).toMatch(/\/message\//);

    const query = await fetch(
      `${service.baseUrl}/_control/deliveries?endpoint=${encodeURIComponent(sub.endpoint)}`,
    );
    const { deliveries, failures } = (await query.json()) as {
      deliveries: Record<string, unknown>[];
      failures: unknown[];
    };
    expect(failures).toEqual([]);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      id: sub.id,
      status: 201,
      ttl: 120,
      urgency: "low",
      topic: "greeting",
      payload: text,
      claims: { aud: service.audience, sub: "mailto:push@example.com" },
    });
    expect(service.deliveries({ id: sub.id })).toEqual(deliveries);
  });

  it("refuses a body changed in transit, and records why", async () => {
    const sub = service.createSubscriber();
    const request = await buildPushRequest(sub, "secret", { ttl: 60 }, vapid);
    const body = Uint8Array.from(request.init.body);
    body[200] = (body[200] ?? 0) ^ 0xff;
    const res = await fetch(request.url, { ...request.init, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { reason: string }).reason).toMatch(/authentication failed/);
    expect(service.deliveries({ id: sub.id })).toEqual([]);
    expect(service.failures({ id: sub.id })).toEqual([
      expect.objectContaining({
        id: sub.id,
        status: 400,
        reason: expect.stringMatching(/authentication failed/),
      }),
    ]);
  });

  it("refuses a message encrypted for another subscriber", async () => {
    const [mine, theirs] = [service.createSubscriber(), service.createSubscriber()];
    const request = await buildPushRequest(theirs, "not yours", { ttl: 60 }, vapid);
    const res = await fetch(mine.endpoint, request.init);
    expect(res.status).toBe(400);
    expect(service.deliveries({ id: mine.id })).toEqual([]);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const forgeries: [string, () => Promise<string>, RegExp][] = [
    [
      "the wrong audience",
      () => vapidHeader({ aud: "https://fcm.googleapis.com", exp: now() + 3600, sub: "mailto:a@b.c" }),
      /aud/,
    ],
    [
      "the http origin as audience",
      () => vapidHeader({ aud: service.baseUrl, exp: now() + 3600, sub: "mailto:a@b.c" }),
      /aud/,
    ],
    [
      "an expired JWT",
      () => vapidHeader({ aud: service.audience, exp: now() - 10, sub: "mailto:a@b.c" }),
      /expired/,
    ],
    [
      "exp more than 24 h ahead",
      () => vapidHeader({ aud: service.audience, exp: now() + 25 * 3600, sub: "mailto:a@b.c" }),
      /24 h/,
    ],
    ["no exp", () => vapidHeader({ aud: service.audience, sub: "mailto:a@b.c" }), /exp/],
    [
      "a sub that is not a contact URI",
      () => vapidHeader({ aud: service.audience, exp: now() + 60, sub: "me" }),
      /sub/,
    ],
    [
      "a signature by another key than k",
      async () =>
        vapidHeader(
          { aud: service.audience, exp: now() + 3600, sub: "mailto:a@b.c" },
          { signWith: await generateVapidKeys() },
        ),
      /signature/,
    ],
    [
      "alg none",
      () =>
        vapidHeader(
          { aud: service.audience, exp: now() + 3600, sub: "mailto:a@b.c" },
          { header: { typ: "JWT", alg: "none" } },
        ),
      /ES256/,
    ],
    ["no vapid scheme", async () => "WebPush eyJ.eyJ.sig", /vapid/],
  ];
  it.each(forgeries)("refuses a VAPID header with %s", async (_name, forge, reason) => {
    const sub = service.createSubscriber();
    const request = await buildPushRequest(sub, "hi", { ttl: 60 }, vapid);
    const res = await fetch(request.url, {
      ...request.init,
      headers: { ...request.init.headers, authorization: await forge() },
    });
    const body = (await res.json()) as { reason: string };
    expect(res.status, body.reason).toBe(400);
    expect(body.reason).toMatch(reason);
    expect(service.deliveries({ id: sub.id })).toEqual([]);
  });

  it("accepts a hand-signed header with valid claims, so the refusals above are about the claims", async () => {
    const sub = service.createSubscriber();
    const request = await buildPushRequest(sub, "hi", { ttl: 60 }, vapid);
    const authorization = await vapidHeader({
      aud: service.audience,
      exp: now() + 23 * 3600,
      sub: "https://x.y",
    });
    const res = await fetch(request.url, {
      ...request.init,
      headers: { ...request.init.headers, authorization },
    });
    expect(res.status, await res.clone().text()).toBe(201);
  });

  it("refuses a message without TTL or with another content coding", async () => {
    const sub = service.createSubscriber();
    const request = await buildPushRequest(sub, "hi", { ttl: 60 }, vapid);
    const { ttl: _ttl, ...noTtl } = request.init.headers;
    const missing = await fetch(request.url, { ...request.init, headers: noTtl });
    expect(missing.status).toBe(400);
    const aesgcm = await fetch(request.url, {
      ...request.init,
      headers: { ...request.init.headers, "content-encoding": "aesgcm" },
    });
    expect(aesgcm.status).toBe(400);
    expect(service.failures({ id: sub.id }).map((f) => f.reason)).toEqual([
      expect.stringMatching(/TTL/),
      expect.stringMatching(/aes128gcm/),
    ]);
  });

  it("answers the scripted statuses in order, repeating the last", async () => {
    const sub = await subscribe([429, 500, 413, 404, 201, 410]);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await send(await buildPushRequest(sub, `message ${i}`, { ttl: 60 }, vapid));
      await res.body?.cancel();
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
      statuses.push(res.status);
    }
    expect(statuses).toEqual([429, 500, 413, 404, 201, 410, 410, 410]);
    expect(retryAfter).toBe("1");
    // Every one was decrypted and recorded, whatever the answer.
    expect(service.deliveries({ endpoint: sub.endpoint }).map((d) => [d.status, d.payload])).toEqual(
      statuses.map((status, i) => [status, `message ${i}`]),
    );
  });

  it("answers a scripted 3xx with a Location it counts when a sender follows it", async () => {
    const sub = await subscribe([302]);
    const request = await buildPushRequest(sub, "moved?", { ttl: 60 }, vapid);
    const manual = await fetch(request.url, { ...request.init, redirect: "manual" });
    expect(manual.status).toBe(302);
    expect(manual.headers.get("location")).toBe(`${service.baseUrl}/_redirected/${sub.id}`);
    expect(service.redirectsFollowed({ endpoint: sub.endpoint })).toBe(0);
    // A sender that follows redirects is caught.
    const followed = await fetch(request.url, request.init);
    await followed.body?.cancel();
    expect(service.redirectsFollowed({ id: sub.id })).toBe(1);
    const seen = (await (await fetch(`${service.baseUrl}/_control/deliveries?id=${sub.id}`)).json()) as {
      redirectsFollowed: number;
    };
    expect(seen.redirectsFollowed).toBe(1);
  });

  it("answers 404 for an unknown subscription and counts everything in stats", async () => {
    const own = await startFakePushService();
    try {
      const sub = own.createSubscriber([401, 403]);
      for (const expected of [401, 403]) {
        const res = await send(await buildPushRequest(sub, "x", { ttl: 60 }, vapid));
        expect(res.status).toBe(expected);
      }
      const stranger = await buildPushRequest(
        { ...sub, endpoint: `${own.baseUrl}/push/nobody` },
        "x",
        { ttl: 60 },
        vapid,
      );
      expect((await send(stranger)).status).toBe(404);
      const stats = await (await fetch(`${own.baseUrl}/_control/stats`)).json();
      expect(stats).toEqual({ subscribers: 1, deliveries: 2, failures: 1, byStatus: { 401: 1, 403: 1 } });

      const reset = await fetch(`${own.baseUrl}/_control/reset`, { method: "POST" });
      expect(reset.status).toBe(200);
      expect(own.stats()).toEqual({ subscribers: 0, deliveries: 0, failures: 0, byStatus: {} });
      // The subscriber is gone with the reset, as after an unsubscribe.
      expect((await send(await buildPushRequest(sub, "x", { ttl: 60 }, vapid))).status).toBe(404);
    } finally {
      await own.close();
    }
  });

  it("rejects a script that is not a list of HTTP statuses", async () => {
    for (const script of [[99], ["201"], "sometimes"]) {
      const res = await fetch(`${service.baseUrl}/_control/subscriptions`, {
        method: "POST",
        body: JSON.stringify({ script }),
      });
      expect(res.status, JSON.stringify(script)).toBe(400);
    }
  });
});
