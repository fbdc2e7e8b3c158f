import { describe, expect, it } from "vitest";
import { call, eventually, json, type MessageBody, message, seedProject, variantsOf } from "../helpers";

interface Stats {
  total_impressions: number;
  total_opens: number;
  total_conversions: number;
  overall_open_rate: number;
  overall_conversion_rate: number;
  variants: {
    variant_id: string;
    impressions: number;
    opens: number;
    conversions: number;
    open_rate: number;
    conversion_rate: number;
  }[];
}

describe("end to end: message → events → stats", () => {
  it("agrees exactly with what the client did, retries and duplicates included", async () => {
    const { apiKey } = await seedProject();
    const intent = { intent_id: "e2e_cart", base_example: "You left items in your cart", locale: "en-US" };
    const first = await message(apiKey, intent);
    await eventually(async () => expect((await variantsOf(first.experiment_id)).length).toBe(4));

    const served: MessageBody[] = [first];
    for (let i = 0; i < 59; i++) served.push(await message(apiKey, { ...intent, user_id: `u${i}` }));

    // Deterministic behavior per message: every 2nd opened, every 3rd of those converted.
    const expected = new Map<string, { impressions: number; opens: number; conversions: number }>();
    const events: { type: string; tracking_token: string; timestamp: number }[] = [];
    served.forEach((m, i) => {
      const row = expected.get(m.variant_id) ?? { impressions: 0, opens: 0, conversions: 0 };
      row.impressions++;
      if (i % 2 === 0) {
        row.opens++;
        events.push({ type: "opened", tracking_token: m.tracking_token, timestamp: Date.now() });
        if (i % 3 === 0) {
          row.conversions++;
          events.push({ type: "conversion", tracking_token: m.tracking_token, timestamp: Date.now() });
        }
      }
      expected.set(m.variant_id, row);
    });
    // Send everything, then resend the first half (a client retry): nothing double counts.
    const res = await json<{ recorded: number }>(
      await call("/v1/events", { key: apiKey, body: events }),
      200,
    );
    expect(res.recorded).toBe(events.length);
    await json(
      await call("/v1/events", { key: apiKey, body: { events: events.slice(0, events.length / 2) } }),
      200,
    );

    const totalOpens = [...expected.values()].reduce((s, r) => s + r.opens, 0);
    const totalConversions = [...expected.values()].reduce((s, r) => s + r.conversions, 0);
    const stats = await eventually(async () => {
      const s = await json<Stats>(await call("/v1/stats?intent_id=e2e_cart", { key: apiKey }), 200);
      expect(s.total_impressions).toBe(60);
      expect(s.total_opens).toBe(totalOpens);
      expect(s.total_conversions).toBe(totalConversions);
      return s;
    });
    expect(totalOpens).toBe(30);
    expect(totalConversions).toBe(10);
    expect(stats.overall_open_rate).toBe(0.5);
    expect(stats.overall_conversion_rate).toBeCloseTo(10 / 60, 12);
    for (const v of stats.variants) {
      const want = expected.get(v.variant_id) ?? { impressions: 0, opens: 0, conversions: 0 };
      expect({
        id: v.variant_id,
        impressions: v.impressions,
        opens: v.opens,
        conversions: v.conversions,
      }).toEqual({
        id: v.variant_id,
        ...want,
      });
      expect(v.open_rate).toBe(want.impressions ? want.opens / want.impressions : 0);
      expect(v.open_rate).toBeLessThanOrEqual(1);
    }
  });
});
