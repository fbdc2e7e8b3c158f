import { env } from "cloudflare:workers";
import { signTrackingToken } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import { call, eventually, expectError, json, message, seedProject } from "../helpers";

interface IngestBody {
  recorded: number;
  total: number;
  rejected: { index: number; reason: string }[];
}

async function countEvents(impressionFromToken: string) {
  const impressionId = impressionFromToken.split(".")[4];
  return env.DB.prepare("SELECT type FROM events WHERE impression_id = ? ORDER BY type")
    .bind(impressionId)
    .all<{ type: string }>();
}

describe("POST /v1/events", () => {
  it("queues valid events and the consumer stores them", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const m = await message(apiKey, { intent_id: "e1", base_example: "Hello" });
    const now = Date.now();
    const res = await json<IngestBody>(
      await call("/v1/events", {
        key: apiKey,
        body: [
          {
            type: "opened",
            tracking_token: m.tracking_token,
            timestamp: now,
            properties: { screen: "home" },
          },
          { type: "conversion", tracking_token: m.tracking_token, timestamp: now + 1 },
        ],
      }),
      200,
    );
    expect(res).toEqual({ recorded: 2, total: 2, rejected: [] });
    const rows = await eventually(async () => {
      const { results } = await countEvents(m.tracking_token);
      expect(results.length).toBe(2);
      return results;
    });
    expect(rows.map((r) => r.type)).toEqual(["conversion", "opened"]);
    const props = await env.DB.prepare(
      "SELECT properties FROM events WHERE type = 'opened' AND impression_id = ?",
    )
      .bind(m.tracking_token.split(".")[4])
      .first<string>("properties");
    expect(JSON.parse(props ?? "null")).toEqual({ screen: "home" });
  });

  it("accepts { events: [...] } and an empty array", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const m = await message(apiKey, { intent_id: "e2", base_example: "Hello" });
    expect(
      await json(
        await call("/v1/events", {
          key: apiKey,
          body: { events: [{ type: "opened", tracking_token: m.tracking_token, timestamp: Date.now() }] },
        }),
        200,
      ),
    ).toEqual({ recorded: 1, total: 1, rejected: [] });
    expect(await json(await call("/v1/events", { key: apiKey, body: [] }), 200)).toEqual({
      recorded: 0,
      total: 0,
      rejected: [],
    });
  });

  it("reports each bad event by index and records the good ones", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const other = await seedProject({ challengerCount: 0 });
    const m = await message(apiKey, { intent_id: "e3", base_example: "Hello" });
    const foreign = await message(other.apiKey, { intent_id: "e3", base_example: "Hello" });
    const forged = signTrackingToken("not-the-server-secret-at-all", {
      projectId,
      experimentId: m.experiment_id,
      variantId: m.variant_id,
      impressionId: "imp_00000000000000000000",
      issuedAt: Date.now(),
    });
    const now = Date.now();
    const good = { type: "opened", tracking_token: m.tracking_token, timestamp: now };
    const cases: [unknown, string][] = [
      ["nope", "event must be an object"],
      [{ ...good, type: "clicked" }, "type must be 'opened' or 'conversion'"],
      [{ ...good, tracking_token: "" }, "tracking_token is required"],
      [{ ...good, tracking_token: "trk_garbage" }, "tracking_token: malformed token"],
      [{ ...good, tracking_token: forged }, "tracking_token: invalid signature"],
      [{ ...good, tracking_token: foreign.tracking_token }, "tracking_token belongs to another project"],
      [{ ...good, timestamp: "2026-11-22" }, "timestamp must be an integer (Unix milliseconds)"],
      [{ ...good, timestamp: 1.5 }, "timestamp must be an integer (Unix milliseconds)"],
      [
        { ...good, timestamp: Math.floor(now / 1000) },
        "timestamp looks like seconds: send Unix milliseconds",
      ],
      [{ ...good, timestamp: now + 3_600_000 }, "timestamp is in the future"],
      [{ ...good, timestamp: now - 86_400_000 }, "timestamp is before the message was served"],
      [{ ...good, properties: { n: 1 } }, "properties.n: expected string"],
      [{ ...good, properties: ["a"] }, "properties must be an object of strings"],
    ];
    const body = [...cases.map(([e]) => e), good];
    const res = await json<IngestBody>(await call("/v1/events", { key: apiKey, body }), 200);
    expect(res.total).toBe(cases.length + 1);
    expect(res.recorded).toBe(1);
    expect(res.rejected).toEqual(cases.map(([, reason], index) => ({ index, reason })));
    await eventually(async () => expect((await countEvents(m.tracking_token)).results.length).toBe(1));
  });

  it.each([
    ["not JSON", { raw: "[{" }, 400, "BAD_REQUEST"],
    ["an object without events", { body: { type: "opened" } }, 400, "BAD_REQUEST"],
    ["a string", { body: "opened" }, 400, "BAD_REQUEST"],
    ["over 1,000 events", { body: Array.from({ length: 1001 }, () => ({})) }, 413, "PAYLOAD_TOO_LARGE"],
    [
      "a body over 1 MiB",
      { raw: JSON.stringify([{ pad: "x".repeat(1_100_000) }]) },
      413,
      "PAYLOAD_TOO_LARGE",
    ],
  ] as const)("rejects %s", async (_name, init, status, code) => {
    const { apiKey } = await seedProject();
    await expectError(await call("/v1/events", { key: apiKey, ...init }), status, code);
  });

  it("requires a valid key", async () => {
    await expectError(await call("/v1/events", { body: [] }), 401, "UNAUTHORIZED");
    await expectError(await call("/v1/events", { body: [], key: "pb_wrong" }), 401, "UNAUTHORIZED");
  });

  it("counts a retried event once", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const m = await message(apiKey, { intent_id: "e4", base_example: "Hello" });
    const event = { type: "opened", tracking_token: m.tracking_token, timestamp: Date.now() };
    for (let i = 0; i < 3; i++)
      await json(await call("/v1/events", { key: apiKey, body: [event, event] }), 200);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await countEvents(m.tracking_token)).results.length).toBe(1);
    const agg = await env.DB.prepare(
      "SELECT sum(opens) AS opens FROM variant_daily_stats WHERE variant_id = ?",
    )
      .bind(m.variant_id)
      .first<number>("opens");
    expect(agg).toBe(1);
  });
});
