import { env } from "cloudflare:workers";
import { utcDay } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import type { StatsView } from "../../src/http/routes/stats/get-stats";
import { buildContext } from "../../src/infra/build-context";
import { recordTrackingMessages } from "../../src/services/events/record-tracking";
import { call, eventually, expectError, json, message, seedProject } from "../helpers";

type Stats = StatsView;

const DAY = 86_400_000;
const ctx = () => buildContext(env, () => {});

/** Writes impressions (and opens for some) on given days straight through the consumer verb. */
async function seedHistory(
  projectId: string,
  experimentId: string,
  variantId: string,
  days: { at: number; imps: number; opens: number }[],
) {
  let n = 0;
  for (const d of days) {
    const msgs = [];
    const events = [];
    for (let i = 0; i < d.imps; i++) {
      const id = `imp_${(n++).toString().padStart(6, "0")}${variantId.slice(4)}`;
      msgs.push({
        kind: "impression" as const,
        id,
        projectId,
        experimentId,
        variantId,
        userId: null,
        createdAt: d.at + i,
      });
      if (i < d.opens) {
        events.push({
          impressionId: id,
          experimentId,
          variantId,
          type: "opened" as const,
          occurredAt: d.at + i + 1000,
          impressionAt: d.at + i,
          properties: null,
        });
      }
    }
    await recordTrackingMessages({ ctx: ctx(), input: msgs });
    if (events.length)
      await recordTrackingMessages({
        ctx: ctx(),
        input: [{ kind: "events", projectId, receivedAt: Date.now(), events }],
      });
  }
}

describe("GET /v1/stats", () => {
  it("returns the upstream shape with per-variant numbers", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const m = await message(apiKey, { intent_id: "s1", base_example: "Hello" });
    const base = Date.UTC(2026, 9, 1, 12);
    await seedHistory(projectId, m.experiment_id, m.variant_id, [
      { at: base, imps: 10, opens: 4 },
      { at: base + DAY, imps: 10, opens: 1 },
      { at: base + 2 * DAY, imps: 5, opens: 5 },
    ]);
    const all = await eventually(async () => {
      const s = await json<Stats>(await call("/v1/stats?intent_id=s1", { key: apiKey }), 200);
      expect(s.total_impressions).toBe(26); // 25 seeded + the message call's own impression
      return s;
    });
    expect(all).toMatchObject({
      intent_id: "s1",
      total_opens: 10,
      total_conversions: 0,
      overall_conversion_rate: 0,
    });
    expect(all.overall_open_rate).toBeCloseTo(10 / 26, 12);
    expect(all.variants).toHaveLength(1);
    expect(all.variants[0]).toMatchObject({
      variant_id: m.variant_id,
      text: "Hello",
      impressions: 26,
      opens: 10,
      locale: "en-US",
    });

    const day2 = await json<Stats>(
      await call(`/v1/stats?intent_id=s1&date_from=${utcDay(base + DAY)}&date_to=${utcDay(base + DAY)}`, {
        key: apiKey,
      }),
      200,
    );
    expect(day2).toMatchObject({ total_impressions: 10, total_opens: 1, overall_open_rate: 0.1 });

    // A time-of-day bound reads raw rows: the first 3 impressions of day 3 and their opens.
    const exact = await json<Stats>(
      await call(
        `/v1/stats?intent_id=s1&date_from=${new Date(base + 2 * DAY).toISOString()}&date_to=${new Date(base + 2 * DAY + 2).toISOString()}`,
        { key: apiKey },
      ),
      200,
    );
    expect(exact).toMatchObject({ total_impressions: 3, total_opens: 3, overall_open_rate: 1 });

    // Whole-day bounds agree between the aggregate path and the raw path.
    const viaDays = await json<Stats>(
      await call(`/v1/stats?intent_id=s1&date_from=${utcDay(base)}&date_to=${utcDay(base + DAY)}`, {
        key: apiKey,
      }),
      200,
    );
    const viaTimes = await json<Stats>(
      await call(
        `/v1/stats?intent_id=s1&date_from=${utcDay(base)}T00:00:00Z&date_to=${utcDay(base + DAY)}T23:59:59.999Z`,
        { key: apiKey },
      ),
      200,
    );
    expect(viaTimes.total_impressions).toBe(viaDays.total_impressions);
    expect(viaTimes.total_opens).toBe(viaDays.total_opens);
    expect(viaDays).toMatchObject({ total_impressions: 20, total_opens: 5 });

    // The shared Instant input: Unix milliseconds and ISO 8601 with any zone name the same moment.
    const from = base + 2 * DAY;
    const to = base + 2 * DAY + 2;
    const hour = 3_600_000;
    const plusOne = (ms: number) => `${new Date(ms + hour).toISOString().slice(0, 23)}%2B01:00`;
    for (const qs of [
      `date_from=${from}&date_to=${to}`,
      `date_from=${plusOne(from)}&date_to=${plusOne(to)}`,
    ]) {
      const same = await json<Stats>(await call(`/v1/stats?intent_id=s1&${qs}`, { key: apiKey }), 200);
      expect(same, qs).toMatchObject({
        total_impressions: 3,
        total_opens: 3,
        date_from: new Date(from).toISOString(),
        date_to: new Date(to).toISOString(),
      });
    }
  });

  it("filters by locale and sums across locales otherwise", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    await message(apiKey, { intent_id: "s2", base_example: "Hi", locale: "en-US" });
    await message(apiKey, { intent_id: "s2", base_example: "Hola", locale: "es-ES" });
    await message(apiKey, { intent_id: "s2", base_example: "Hola", locale: "es-ES" });
    const all = await eventually(async () => {
      const s = await json<Stats>(await call("/v1/stats?intent_id=s2", { key: apiKey }), 200);
      expect(s.total_impressions).toBe(3);
      return s;
    });
    expect(all.variants.map((v) => v.locale).sort()).toEqual(["en-US", "es-ES"]);
    const es = await json<Stats>(await call("/v1/stats?intent_id=s2&locale=es-es", { key: apiKey }), 200);
    expect(es.total_impressions).toBe(2);
    expect(es.variants.map((v) => v.text)).toEqual(["Hola"]);
  });

  it.each([
    ["/v1/stats", 400, "BAD_REQUEST", /^intent_id: /],
    ["/v1/stats?intent_id=", 400, "BAD_REQUEST", /^intent_id: is required/],
    [
      "/v1/stats?intent_id=x&date_from=yesterday",
      400,
      "BAD_REQUEST",
      /^date_from: must be a day \(YYYY-MM-DD\), an ISO 8601 date-time with a zone, or Unix milliseconds/,
    ],
    ["/v1/stats?intent_id=x&date_to=2026-02-30", 400, "BAD_REQUEST", /^date_to: /],
    // A time of day needs a zone; seconds are not milliseconds.
    ["/v1/stats?intent_id=x&date_from=2026-11-01T10:00:00", 400, "BAD_REQUEST", /^date_from: must be a day/],
    ["/v1/stats?intent_id=x&date_from=1796547600", 400, "BAD_REQUEST", /^date_from: must be a day/],
    [
      "/v1/stats?intent_id=x&date_from=2026-11-02&date_to=2026-11-01",
      400,
      "BAD_REQUEST",
      "date_from: must not be after date_to",
    ],
    ["/v1/stats?intent_id=x&locale=%%%", 400, "BAD_REQUEST", /^locale: .* is not a BCP 47/],
    ["/v1/stats?intent_id=never_seen", 404, "NOT_FOUND", "intent 'never_seen' not found"],
  ] as const)("GET %s → %i %s", async (path, status, code, msg) => {
    const { apiKey } = await seedProject();
    await expectError(await call(path, { key: apiKey }), status, code, msg);
  });

  it("is scoped to the key's project", async () => {
    const a = await seedProject({ challengerCount: 0 });
    const b = await seedProject({ challengerCount: 0 });
    await message(a.apiKey, { intent_id: "private_intent", base_example: "Secret" });
    await expectError(await call("/v1/stats?intent_id=private_intent", { key: b.apiKey }), 404, "NOT_FOUND");
    await expectError(await call("/v1/stats?intent_id=private_intent"), 401, "UNAUTHORIZED");
  });
});
