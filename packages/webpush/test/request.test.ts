import { beforeAll, describe, expect, it } from "vitest";
import { decryptAes128gcm, generateSubscriberKeys } from "../../../workers/test-support/fake-push-service";
import {
  buildPushRequest,
  generateVapidKeys,
  InvalidSubscriptionError,
  MAX_PAYLOAD_BYTES,
  PayloadTooLargeError,
  payloadBytes,
  type VapidKeyPair,
} from "../src/index";

const FCM = "https://fcm.googleapis.com/fcm/send/dKx1Vb0j1s8:APA91bH-token";
const browser = generateSubscriberKeys();
const sub = { endpoint: FCM, keys: { p256dh: browser.p256dh, auth: browser.authSecret } };
let vapid: { subject: string } & VapidKeyPair;

beforeAll(async () => {
  vapid = { subject: "mailto:push@example.com", ...(await generateVapidKeys()) };
});

/** The JWT claims in an `Authorization: vapid t=…, k=…` header (not verified: the fake service does that). */
function claimsOf(authorization: string | undefined): Record<string, unknown> {
  const token = /t=([^,\s]+)/.exec(authorization ?? "")?.[1] ?? "";
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

describe("buildPushRequest", () => {
  it("encrypts to a 4096-byte aes128gcm body that an independent decrypter opens", async () => {
    const text = 'Ψ {"title":"Your cart misses you","url":"/cart?id=42"} 🛒';
    const request = await buildPushRequest(
      sub,
      text,
      { ttl: 3600, urgency: "high", topic: "cart-42" },
      vapid,
    );

    expect(request.url).toBe(FCM);
    expect(request.init.method).toBe("POST");
    expect(request.init.body.byteLength).toBe(4096);
    expect(request.encryptedBytes).toBe(4096);
    expect(request.init.headers).toEqual({
      authorization: expect.stringMatching(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/),
      ttl: "3600",
      urgency: "high",
      topic: "cart-42",
      "content-encoding": "aes128gcm",
      "content-type": "application/octet-stream",
      "content-length": "4096",
    });
    expect(request.init.headers.authorization).toContain(`, k=${vapid.publicKey}`);
    expect(decryptAes128gcm(request.init.body, browser)).toBe(text);
  });

  it("encrypts for keys sent padded, as some client libraries do", async () => {
    const pad = (k: string) => k + "=".repeat((4 - (k.length % 4)) % 4);
    const padded = { endpoint: FCM, keys: { p256dh: pad(browser.p256dh), auth: pad(browser.authSecret) } };
    expect(padded.keys.auth.endsWith("==")).toBe(true);
    const request = await buildPushRequest(padded, "padded keys", { ttl: 60 }, vapid);
    expect(decryptAes128gcm(request.init.body, browser)).toBe("padded keys");
  });

  it("signs for the push service's origin, expiring in 12 hours at most and 6 at least", async () => {
    const before = Math.floor(Date.now() / 1000);
    const request = await buildPushRequest(sub, "hi", { ttl: 60 }, vapid);
    const claims = claimsOf(request.init.headers.authorization);
    expect(claims.aud).toBe("https://fcm.googleapis.com");
    expect(claims.sub).toBe(vapid.subject);
    // Signed for 12 h, and reused for up to 6 h (a signature an earlier test made may be served).
    expect(claims.exp).toBeGreaterThanOrEqual(before + 6 * 3600);
    expect(claims.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 12 * 3600);
  });

  it("keeps a TTL of 0 and leaves out urgency and topic when not given", async () => {
    const { init } = await buildPushRequest(sub, "now or never", { ttl: 0 }, vapid);
    expect(init.headers.ttl).toBe("0");
    expect(Object.keys(init.headers).sort()).toEqual([
      "authorization",
      "content-encoding",
      "content-length",
      "content-type",
      "ttl",
    ]);
  });

  it("pads every payload to the same size, so length reveals nothing", async () => {
    const short = await buildPushRequest(sub, "", { ttl: 60 }, vapid);
    const full = await buildPushRequest(sub, "x".repeat(MAX_PAYLOAD_BYTES), { ttl: 60 }, vapid);
    expect(short.init.body.byteLength).toBe(4096);
    expect(full.init.body.byteLength).toBe(4096);
    expect(decryptAes128gcm(short.init.body, browser)).toBe("");
    expect(decryptAes128gcm(full.init.body, browser)).toBe("x".repeat(MAX_PAYLOAD_BYTES));
  });

  it("throws PayloadTooLargeError above MAX_PAYLOAD_BYTES, counting UTF-8 bytes", async () => {
    // 1332 three-byte characters: 3996 bytes, though only 1332 string units.
    const payload = "€".repeat(1332);
    expect(payloadBytes(payload)).toBe(3996);
    const err = await buildPushRequest(sub, payload, { ttl: 60 }, vapid).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as PayloadTooLargeError).bytes).toBe(3996);
    await expect(
      buildPushRequest(sub, "x".repeat(MAX_PAYLOAD_BYTES + 1), { ttl: 60 }, vapid),
    ).rejects.toThrow(PayloadTooLargeError);
  });

  it("for an http loopback endpoint, posts to it but signs for the https origin of the same host and port", async () => {
    const local = { ...sub, endpoint: "http://127.0.0.1:43210/push/abc" };
    const request = await buildPushRequest(local, "hi", { ttl: 60 }, vapid);
    expect(request.url).toBe("http://127.0.0.1:43210/push/abc");
    expect(claimsOf(request.init.headers.authorization).aud).toBe("https://127.0.0.1:43210");

    const defaultPort = await buildPushRequest(
      { ...sub, endpoint: "http://localhost/p" },
      "hi",
      { ttl: 60 },
      vapid,
    );
    expect(claimsOf(defaultPort.init.headers.authorization).aud).toBe("https://localhost:80");
  });

  it("refuses http to anything but loopback", async () => {
    const plain = { ...sub, endpoint: "http://fcm.googleapis.com/fcm/send/x" };
    await expect(buildPushRequest(plain, "hi", { ttl: 60 }, vapid)).rejects.toThrow(/must be https/);
  });

  it("names the bad key when the subscription cannot be encrypted to", async () => {
    const broken = { ...sub, keys: { ...sub.keys, auth: Buffer.alloc(8).toString("base64url") } };
    const err = await buildPushRequest(broken, "hi", { ttl: 60 }, vapid).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidSubscriptionError);
    expect((err as InvalidSubscriptionError).problems).toEqual(["keys.auth: must decode to 16 bytes, got 8"]);
  });

  const badOptions: [string, object, RegExp][] = [
    ["a negative ttl", { ttl: -1 }, /ttl/],
    ["a ttl over 28 days", { ttl: 2_419_201 }, /ttl/],
    ["a fractional ttl", { ttl: 1.5 }, /ttl/],
    ["an unknown urgency", { ttl: 60, urgency: "urgent" }, /urgency/],
    ["a topic of 33 characters", { ttl: 60, topic: "a".repeat(33) }, /topic/],
    ["a topic outside base64url", { ttl: 60, topic: "cart 42" }, /topic/],
  ];
  it.each(badOptions)("refuses %s", async (_name, options, message) => {
    await expect(buildPushRequest(sub, "hi", options as { ttl: number }, vapid)).rejects.toThrow(message);
  });

  it("refuses a VAPID subject that is not a contact URI", async () => {
    const bare = { ...vapid, subject: "push@example.com" };
    await expect(buildPushRequest(sub, "hi", { ttl: 60 }, bare)).rejects.toThrow(/VAPID subject/);
  });

  it("accepts the largest TTL and every urgency", async () => {
    for (const urgency of ["very-low", "low", "normal", "high"] as const) {
      const { init } = await buildPushRequest(sub, "hi", { ttl: 2_419_200, urgency }, vapid);
      expect(init.headers.urgency).toBe(urgency);
      expect(init.headers.ttl).toBe("2419200");
    }
  });
});

describe("VAPID JWT reuse", () => {
  it("signs once per (push service, key) and reuses it; another service or key gets its own", async () => {
    const a = await buildPushRequest(sub, "one", { ttl: 60 }, vapid);
    const b = await buildPushRequest({ ...sub, endpoint: `${FCM}-other-device` }, "two", { ttl: 60 }, vapid);
    expect(b.init.headers.authorization).toBe(a.init.headers.authorization);
    // A different body every time: only the signature is reused, never the encryption.
    expect(Buffer.from(b.init.body).equals(Buffer.from(a.init.body))).toBe(false);
    const mozilla = await buildPushRequest(
      { ...sub, endpoint: "https://updates.push.services.mozilla.com/wpush/v2/gAAAA" },
      "three",
      { ttl: 60 },
      vapid,
    );
    expect(claimsOf(mozilla.init.headers.authorization).aud).toBe(
      "https://updates.push.services.mozilla.com",
    );
    expect(mozilla.init.headers.authorization).not.toBe(a.init.headers.authorization);
    const rotated = { subject: vapid.subject, ...(await generateVapidKeys()) };
    const c = await buildPushRequest(sub, "four", { ttl: 60 }, rotated);
    expect(c.init.headers.authorization).not.toBe(a.init.headers.authorization);
    expect(c.init.headers.authorization).toContain(`k=${rotated.publicKey}`);
  });
});
