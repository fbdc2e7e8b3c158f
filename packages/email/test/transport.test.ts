import { describe, expect, it } from "vitest";
import {
  type OutboxEntry,
  OutboxTransport,
  type OutgoingEmail,
  parseRetryAfter,
  ResendTransport,
} from "../src";

interface Recorded {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | "network-error";

/** A local stand-in for Resend's API: records each request and answers from a script (then 200 with ids). */
function stubResend(script: Reply[] = []) {
  const requests: Recorded[] = [];
  let n = 0;
  const fetcher: typeof fetch = async (input, init) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const body = JSON.parse(String(init?.body));
    requests.push({ url: String(input), method: init?.method ?? "GET", headers, body });
    const reply = script.shift();
    if (reply === "network-error") throw new TypeError("fetch failed");
    if (reply) {
      return new Response(reply.body === undefined ? "" : JSON.stringify(reply.body), {
        status: reply.status,
        headers: reply.headers,
      });
    }
    return Response.json({ data: (body as unknown[]).map(() => ({ id: `re_${++n}` })) });
  };
  return { requests, fetcher };
}

function message(i: number, extra: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    id: `eml_${i}`,
    from: "Shop <news@shop.example.com>",
    to: `user${i}@example.com`,
    subject: `Hello ${i}`,
    html: `<p>${i}</p>`,
    text: `${i}`,
    headers: {
      "List-Unsubscribe": `<https://e.example.com/u/${i}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
    tags: { campaign: "cmp_1" },
    ...extra,
  };
}

describe("ResendTransport", () => {
  it("posts the batch with a bearer key and the idempotency key, and maps ids in order", async () => {
    const stub = stubResend();
    const transport = new ResendTransport({
      apiKey: "re_test_key",
      baseUrl: "http://stub.local/",
      fetch: stub.fetcher,
    });
    const results = await transport.send({
      idempotencyKey: "campaign/cmp_1/batch/0",
      messages: [message(1, { replyTo: "help@shop.example.com" }), message(2)],
    });
    expect(results).toEqual([
      { id: "eml_1", status: "accepted", providerMessageId: "re_1" },
      { id: "eml_2", status: "accepted", providerMessageId: "re_2" },
    ]);
    expect(stub.requests).toHaveLength(1);
    const request = stub.requests[0]!;
    expect(request.url).toBe("http://stub.local/emails/batch");
    expect(request.method).toBe("POST");
    expect(request.headers.authorization).toBe("Bearer re_test_key");
    expect(request.headers["idempotency-key"]).toBe("campaign/cmp_1/batch/0");
    expect(request.headers["content-type"]).toBe("application/json");
    expect((request.body as unknown[])[0]).toEqual({
      from: "Shop <news@shop.example.com>",
      to: ["user1@example.com"],
      subject: "Hello 1",
      html: "<p>1</p>",
      text: "1",
      reply_to: "help@shop.example.com",
      headers: {
        "List-Unsubscribe": "<https://e.example.com/u/1>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      },
      tags: [
        { name: "message_id", value: "eml_1" },
        { name: "campaign", value: "cmp_1" },
      ],
    });
  });

  it("splits more than 100 messages into calls of at most 100, each with its own derived key", async () => {
    const stub = stubResend();
    const transport = new ResendTransport({ apiKey: "k", baseUrl: "http://stub.local", fetch: stub.fetcher });
    const messages = Array.from({ length: 250 }, (_, i) => message(i));
    const results = await transport.send({ idempotencyKey: "b1", messages });
    expect(stub.requests.map((r) => (r.body as unknown[]).length)).toEqual([100, 100, 50]);
    expect(stub.requests.map((r) => r.headers["idempotency-key"])).toEqual(["b1/0", "b1/1", "b1/2"]);
    expect(results.every((r) => r.status === "accepted")).toBe(true);
    expect(results.map((r) => r.id)).toEqual(messages.map((m) => m.id));
    // A retry of the same batch sends the same keys, so Resend answers with the first ids.
    const again = stubResend();
    await new ResendTransport({ apiKey: "k", baseUrl: "http://stub.local", fetch: again.fetcher }).send({
      idempotencyKey: "b1",
      messages,
    });
    expect(again.requests.map((r) => r.headers["idempotency-key"])).toEqual(["b1/0", "b1/1", "b1/2"]);
    expect(again.requests.map((r) => r.body)).toEqual(stub.requests.map((r) => r.body));
  });

  it.each([
    [
      {
        status: 429,
        body: { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests" },
        headers: { "retry-after": "2" },
      },
      true,
      "rate_limited",
      2000,
    ],
    [
      { status: 429, body: { statusCode: 429, name: "daily_quota_exceeded", message: "quota" } },
      true,
      "quota_exceeded",
      undefined,
    ],
    [
      { status: 500, body: { statusCode: 500, name: "internal_server_error", message: "boom" } },
      true,
      "provider_error",
      undefined,
    ],
    [{ status: 503, body: "<html>", headers: { "retry-after": "30" } }, true, "provider_error", 30_000],
    [
      { status: 409, body: { statusCode: 409, name: "concurrent_idempotent_requests", message: "busy" } },
      true,
      "idempotency_in_progress",
      undefined,
    ],
    [
      {
        status: 409,
        body: { statusCode: 409, name: "invalid_idempotent_request", message: "different body" },
      },
      false,
      "idempotency_conflict",
      undefined,
    ],
    [
      {
        status: 422,
        body: { statusCode: 422, name: "validation_error", message: "Invalid `to` field" },
        headers: { "retry-after": "5" },
      },
      false,
      "rejected",
      undefined,
    ],
    [
      { status: 401, body: { statusCode: 401, name: "missing_api_key", message: "Missing API key" } },
      false,
      "unauthorized",
      undefined,
    ],
    [
      { status: 403, body: { statusCode: 403, name: "invalid_api_key", message: "API key is invalid" } },
      false,
      "unauthorized",
      undefined,
    ],
  ] as const)("answers %j as retryable=%s (%s)", async (reply, retryable, code, retryAfterMs) => {
    const stub = stubResend([reply as Reply]);
    const transport = new ResendTransport({
      apiKey: "re_secret_value",
      baseUrl: "http://stub.local",
      fetch: stub.fetcher,
    });
    const results = await transport.send({ idempotencyKey: "k", messages: [message(1), message(2)] });
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result).toMatchObject({ status: "failed", retryable, code });
      if (result.status === "failed") {
        expect(result.retryAfterMs).toBe(retryAfterMs);
        expect(result.message).toContain(String(reply.status));
        expect(result.message).not.toContain("re_secret_value");
      }
    }
  });

  it("treats network errors and timeouts as retryable", async () => {
    const stub = stubResend(["network-error"]);
    const transport = new ResendTransport({ apiKey: "k", baseUrl: "http://stub.local", fetch: stub.fetcher });
    expect(await transport.send({ idempotencyKey: "k", messages: [message(1)] })).toEqual([
      { id: "eml_1", status: "failed", retryable: true, code: "network", message: "could not reach Resend" },
    ]);
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
    const slow = new ResendTransport({
      apiKey: "k",
      baseUrl: "http://stub.local",
      fetch: hanging,
      timeoutMs: 20,
    });
    expect(await slow.send({ idempotencyKey: "k", messages: [message(1)] })).toMatchObject([
      { status: "failed", retryable: true, code: "timeout" },
    ]);
  });

  it("rejects invalid messages locally and sends the rest (Resend would refuse the whole call)", async () => {
    const stub = stubResend();
    const transport = new ResendTransport({ apiKey: "k", baseUrl: "http://stub.local", fetch: stub.fetcher });
    const results = await transport.send({
      idempotencyKey: "k",
      messages: [
        message(1, { subject: "Hi\r\nBcc: x@example.com" }),
        message(2),
        message(3, { tags: { "bad tag": "x" } }),
        message(4, { headers: { "X-Bad\n": "v" } }),
      ],
    });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ["eml_1", "failed"],
      ["eml_2", "accepted"],
      ["eml_3", "failed"],
      ["eml_4", "failed"],
    ]);
    expect(results[0]).toMatchObject({ retryable: false, code: "rejected" });
    expect((stub.requests[0]!.body as unknown[]).length).toBe(1);
  });

  it("refuses a response without one id per message", async () => {
    const stub = stubResend([{ status: 200, body: { data: [{ id: "re_1" }] } }]);
    const transport = new ResendTransport({ apiKey: "k", baseUrl: "http://stub.local", fetch: stub.fetcher });
    const results = await transport.send({ idempotencyKey: "k", messages: [message(1), message(2)] });
    expect(results.map((r) => r.status === "failed" && r.code)).toEqual(["bad_response", "bad_response"]);
  });

  it("needs unique ids and a usable idempotency key", async () => {
    const transport = new ResendTransport({ apiKey: "k", fetch: stubResend().fetcher });
    await expect(transport.send({ idempotencyKey: "k", messages: [message(1), message(1)] })).rejects.toThrow(
      /unique/,
    );
    await expect(transport.send({ idempotencyKey: "", messages: [message(1)] })).rejects.toThrow(
      /idempotencyKey/,
    );
    expect(() => new ResendTransport({ apiKey: "" })).toThrow(/API key/);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2026-12-06T12:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Sun, 06 Dec 2026 12:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Sun, 06 Dec 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("OutboxTransport", () => {
  it("hands each valid message to the sink with stable provider ids", async () => {
    const stored: OutboxEntry[] = [];
    const outbox = new OutboxTransport((entry) => {
      stored.push(entry);
    });
    const batch = { idempotencyKey: "b1", messages: [message(1), message(2, { to: "" })] };
    const results = await outbox.send(batch);
    expect(results).toEqual([
      { id: "eml_1", status: "accepted", providerMessageId: "outbox_eml_1" },
      { id: "eml_2", status: "failed", retryable: false, code: "rejected", message: "to: required" },
    ]);
    expect(stored).toEqual([
      { message: message(1), idempotencyKey: "b1", providerMessageId: "outbox_eml_1" },
    ]);
    expect((await outbox.send(batch))[0]).toEqual(results[0]);
  });

  it("reports a failing sink as retryable", async () => {
    const outbox = new OutboxTransport(async () => {
      throw new Error("D1 is busy");
    });
    expect(await outbox.send({ idempotencyKey: "b", messages: [message(1)] })).toEqual([
      { id: "eml_1", status: "failed", retryable: true, code: "outbox_error", message: "D1 is busy" },
    ]);
  });
});
