import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateWebhookSecret, signWebhook, verifyWebhook, WEBHOOK_TOLERANCE_SECONDS } from "../src";

// The example from the Standard Webhooks specification's reference libraries.
const SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const payload = JSON.stringify({ type: "email.opened", data: { message_id: "eml_1", emoji: "📬" } });

describe("signWebhook", () => {
  it("produces headers the standardwebhooks library verifies", async () => {
    const secret = generateWebhookSecret();
    const now = new Date();
    const headers = await signWebhook({ id: "msg_2Lh9KRb0pzN4LePd3XiA4", timestamp: now, payload, secret });
    expect(Object.keys(headers).sort()).toEqual(["webhook-id", "webhook-signature", "webhook-timestamp"]);
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload));
  });

  it("signs byte for byte like the library", async () => {
    const timestamp = new Date(1_700_000_000_000);
    const ours = await signWebhook({
      id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      timestamp,
      payload,
      secret: SPEC_SECRET,
    });
    expect(ours["webhook-signature"]).toBe(
      new Webhook(SPEC_SECRET).sign("msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp, payload),
    );
  });

  it("signs with every secret during a rotation, and either verifies", async () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const headers = await signWebhook({
      id: "msg_1",
      timestamp: new Date(),
      payload,
      secret: [newSecret, oldSecret],
    });
    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(payload, headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(payload, headers)).not.toThrow();
  });

  it("refuses bad ids and secrets", async () => {
    await expect(
      signWebhook({ id: "has space", timestamp: 1, payload, secret: SPEC_SECRET }),
    ).rejects.toThrow(/id/);
    await expect(signWebhook({ id: "m", timestamp: 1, payload, secret: "whsec_short" })).rejects.toThrow(
      /secret/,
    );
    await expect(signWebhook({ id: "m", timestamp: 1, payload, secret: [] })).rejects.toThrow(/secret/);
    expect(generateWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });
});

describe("verifyWebhook", () => {
  const now = 1_700_000_000;

  it("accepts what the standardwebhooks library signed", async () => {
    const headers = {
      "webhook-id": "msg_abc",
      "webhook-timestamp": String(now),
      "webhook-signature": new Webhook(SPEC_SECRET).sign("msg_abc", new Date(now * 1000), payload),
    };
    expect(await verifyWebhook({ headers, payload, secrets: SPEC_SECRET, now })).toEqual({
      ok: true,
      id: "msg_abc",
      timestamp: now,
    });
    // Headers objects and any header case work the same.
    expect(
      await verifyWebhook({ headers: new Headers(headers), payload, secrets: SPEC_SECRET, now }),
    ).toMatchObject({ ok: true });
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(await verifyWebhook({ headers: upper, payload, secrets: SPEC_SECRET, now })).toMatchObject({
      ok: true,
    });
  });

  it("reads Svix's headers, as Resend sends them", async () => {
    const signed = await signWebhook({ id: "msg_svix", timestamp: now, payload, secret: SPEC_SECRET });
    const headers = {
      "svix-id": signed["webhook-id"] ?? "",
      "svix-timestamp": signed["webhook-timestamp"] ?? "",
      "svix-signature": signed["webhook-signature"] ?? "",
    };
    expect(await verifyWebhook({ headers, payload, secrets: SPEC_SECRET, now })).toMatchObject({
      ok: true,
      id: "msg_svix",
    });
  });

  it("matches any of several signatures against any of several secrets", async () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const signed = await signWebhook({ id: "m1", timestamp: now, payload, secret: previous });
    const headers = {
      ...signed,
      "webhook-signature": `v1,${"A".repeat(43)}= v2,ignored ${signed["webhook-signature"]}`,
    };
    expect(await verifyWebhook({ headers, payload, secrets: [current, previous], now })).toMatchObject({
      ok: true,
    });
    expect(await verifyWebhook({ headers, payload, secrets: [current], now })).toEqual({
      ok: false,
      problem: "no matching signature",
    });
  });

  it.each([
    ["a changed payload", (h: Record<string, string>) => h, `${payload} `, "no matching signature"],
    [
      "a changed id",
      (h: Record<string, string>) => ({ ...h, "webhook-id": "other" }),
      payload,
      "no matching signature",
    ],
    [
      "a missing header",
      (h: Record<string, string>) => ({ ...h, "webhook-signature": "" }),
      payload,
      "missing headers",
    ],
    [
      "a non-numeric timestamp",
      (h: Record<string, string>) => ({ ...h, "webhook-timestamp": "12a" }),
      payload,
      "bad timestamp",
    ],
    [
      "a timestamp over 5 minutes old",
      (h: Record<string, string>) => ({
        ...h,
        "webhook-timestamp": String(now - WEBHOOK_TOLERANCE_SECONDS - 1),
      }),
      payload,
      "timestamp too old",
    ],
    [
      "a timestamp over 5 minutes ahead",
      (h: Record<string, string>) => ({
        ...h,
        "webhook-timestamp": String(now + WEBHOOK_TOLERANCE_SECONDS + 1),
      }),
      payload,
      "timestamp too new",
    ],
    [
      "a v0 signature",
      (h: Record<string, string>) => ({
        ...h,
        "webhook-signature": h["webhook-signature"]?.replace("v1,", "v0,") ?? "",
      }),
      payload,
      "no matching signature",
    ],
  ])("refuses %s", async (_label, change, body, problem) => {
    const signed = await signWebhook({ id: "m1", timestamp: now, payload, secret: SPEC_SECRET });
    expect(
      await verifyWebhook({ headers: change(signed), payload: body, secrets: SPEC_SECRET, now }),
    ).toEqual({ ok: false, problem });
  });

  it("accepts timestamps at the edge of the tolerance, as the library does", async () => {
    for (const skew of [-WEBHOOK_TOLERANCE_SECONDS, WEBHOOK_TOLERANCE_SECONDS]) {
      const signed = await signWebhook({ id: "m1", timestamp: now + skew, payload, secret: SPEC_SECRET });
      expect(await verifyWebhook({ headers: signed, payload, secrets: SPEC_SECRET, now })).toMatchObject({
        ok: true,
      });
    }
  });
});
