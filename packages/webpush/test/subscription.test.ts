import { describe, expect, it } from "vitest";
import { generateSubscriberKeys } from "../../../workers/test-support/fake-push-service";
import {
  DEFAULT_PUSH_HOSTS,
  type EndpointPolicy,
  type SubscriptionKeys,
  subscriptionProblems,
} from "../src/index";

const production: EndpointPolicy = { allowedHosts: DEFAULT_PUSH_HOSTS, allowLoopback: false };
const local: EndpointPolicy = { allowedHosts: DEFAULT_PUSH_HOSTS, allowLoopback: true };

const browser = generateSubscriberKeys();
const keys: SubscriptionKeys = { p256dh: browser.p256dh, auth: browser.authSecret };
const p256dhBytes = Buffer.from(keys.p256dh, "base64url");

/** The browser's p256dh with one byte changed: same length and prefix, no longer on the curve. */
function offCurve(): string {
  const bytes = Buffer.from(p256dhBytes);
  bytes[64] = (bytes[64] ?? 0) ^ 0x01;
  return bytes.toString("base64url");
}

describe("subscriptionProblems: endpoints", () => {
  const accepted: [string, string][] = [
    ["FCM", "https://fcm.googleapis.com/fcm/send/dKx1Vb0j1s8:APA91bH-long-token_value"],
    ["FCM (legacy host)", "https://android.googleapis.com/gcm/send/abc123"],
    ["Mozilla", "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABl-token"],
    ["Apple", "https://web.push.apple.com/QGq2Vb-token"],
    ["Microsoft", "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB%2bXhE"],
    ["host in another case", "https://FCM.googleapis.com/fcm/send/x"],
  ];
  it.each(accepted)("accepts %s", async (_name, endpoint) => {
    expect(await subscriptionProblems(endpoint, keys, production)).toEqual([]);
  });

  const refused: [string, string, EndpointPolicy, string][] = [
    [
      "http to a push service",
      "http://fcm.googleapis.com/fcm/send/x",
      local,
      "endpoint: must be an https URL",
    ],
    ["an unknown host", "https://push.example.com/x", production, "endpoint: host push.example.com is not"],
    // Suffix matching is on label boundaries, or anyone could register evilfcm.googleapis.com-like names.
    [
      "a look-alike suffix",
      "https://notfcm.googleapis.com/x",
      production,
      "endpoint: host notfcm.googleapis.com",
    ],
    [
      "a host that only ends in the suffix text",
      "https://push.apple.com.evil.net/x",
      production,
      "endpoint: host",
    ],
    [
      "the bare parent of a dot-entry",
      "https://push.apple.com/x",
      production,
      "endpoint: host push.apple.com",
    ],
    [
      "credentials",
      "https://user:pw@fcm.googleapis.com/fcm/send/x",
      production,
      "endpoint: must not contain credentials",
    ],
    ["not a URL", "fcm.googleapis.com/fcm/send/x", production, "endpoint: not a valid URL"],
    ["another scheme", "ftp://fcm.googleapis.com/x", production, "endpoint: must be an https URL"],
    [
      "over 2048 characters",
      `https://fcm.googleapis.com/fcm/send/${"a".repeat(2020)}`,
      production,
      "endpoint: longer than 2048",
    ],
    [
      "loopback when not allowed",
      "http://127.0.0.1:8787/push/1",
      production,
      "endpoint: must be an https URL",
    ],
    ["https loopback when not allowed", "https://localhost/push/1", production, "endpoint: host localhost"],
    ["a private address", "http://10.0.0.1/push/1", local, "endpoint: must be an https URL"],
  ];
  it.each(refused)("refuses %s", async (_name, endpoint, policy, message) => {
    const problems = await subscriptionProblems(endpoint, keys, policy);
    expect(
      problems.some((p) => p.startsWith(message)),
      problems.join("\n"),
    ).toBe(true);
  });

  it("allows loopback, over http too, only when the policy says so", async () => {
    for (const endpoint of [
      "http://127.0.0.1:8787/push/1",
      "http://localhost:3000/p",
      "http://[::1]:9/p",
      "https://127.0.0.1/p",
    ]) {
      expect(await subscriptionProblems(endpoint, keys, local), endpoint).toEqual([]);
      expect(await subscriptionProblems(endpoint, keys, production), endpoint).not.toEqual([]);
    }
  });

  it("uses the policy's hosts instead of the defaults", async () => {
    const custom: EndpointPolicy = { allowedHosts: ["push.example.com"], allowLoopback: false };
    expect(await subscriptionProblems("https://push.example.com/x", keys, custom)).toEqual([]);
    expect(await subscriptionProblems("https://fcm.googleapis.com/x", keys, custom)).toHaveLength(1);
  });
});

describe("subscriptionProblems: keys", () => {
  const endpoint = "https://fcm.googleapis.com/fcm/send/x";
  const b64 = (bytes: Uint8Array | number[]) => Buffer.from(bytes).toString("base64url");

  it("accepts padded base64url as browsers' older libraries send it", async () => {
    expect(
      await subscriptionProblems(endpoint, { p256dh: `${keys.p256dh}=`, auth: `${keys.auth}==` }, production),
    ).toEqual([]);
  });

  const refused: [string, Partial<SubscriptionKeys>, string][] = [
    ["p256dh of 64 bytes", { p256dh: b64(p256dhBytes.subarray(0, 64)) }, "keys.p256dh: must be a 65-byte"],
    ["p256dh of 66 bytes", { p256dh: b64([...p256dhBytes, 0]) }, "keys.p256dh: must be a 65-byte"],
    [
      "a compressed p256dh",
      { p256dh: b64([0x02, ...p256dhBytes.subarray(1, 33)]) },
      "keys.p256dh: must be a 65-byte",
    ],
    [
      "p256dh with a wrong prefix",
      { p256dh: b64([0x05, ...p256dhBytes.subarray(1)]) },
      "keys.p256dh: must be a 65-byte",
    ],
    ["p256dh off the curve", { p256dh: offCurve() }, "keys.p256dh: not a point on P-256"],
    [
      "p256dh all zeros",
      { p256dh: b64([0x04, ...new Array(64).fill(0)]) },
      "keys.p256dh: not a point on P-256",
    ],
    ["p256dh in standard base64", { p256dh: "ab+/cd" }, "keys.p256dh: must be base64url"],
    ["an empty p256dh", { p256dh: "" }, "keys.p256dh: must be a 65-byte"],
    ["auth of 15 bytes", { auth: b64(new Uint8Array(15)) }, "keys.auth: must decode to 16 bytes, got 15"],
    ["auth of 32 bytes", { auth: b64(new Uint8Array(32)) }, "keys.auth: must decode to 16 bytes, got 32"],
    ["auth not base64url", { auth: "not base64!" }, "keys.auth: must be base64url"],
    ["auth with an impossible length", { auth: "A" }, "keys.auth: must be base64url"],
  ];
  it.each(refused)("refuses %s", async (_name, override, message) => {
    const problems = await subscriptionProblems(endpoint, { ...keys, ...override }, production);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it("reports every field's problem at once", async () => {
    const problems = await subscriptionProblems(
      "http://example.com/x",
      { p256dh: "x", auth: "" },
      production,
    );
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "endpoint",
      "endpoint",
      "keys.p256dh",
      "keys.auth",
    ]);
  });
});
