import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, eventually, json, type MessageBody, message, seedProject, variantsOf } from "./helpers";

describe("round-robin rotation", () => {
  it("gives 200 concurrent lease calls distinct consecutive numbers", async () => {
    const stub = env.ROTATION.get(env.ROTATION.idFromName("exp_direct_test"));
    const starts = await Promise.all(Array.from({ length: 200 }, () => stub.lease(1)));
    expect([...starts].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await stub.peek()).toBe(200);
    // Mapped onto a pool of 3 the way the edge maps them: counts differ by at most 1.
    const perVariant = [0, 0, 0];
    for (const s of starts) perVariant[s % 3]! += 1;
    expect(perVariant).toEqual([67, 67, 66]);
  });

  it("rotates exactly over the pool under 200 concurrent /v1/message calls", async () => {
    const { apiKey } = await seedProject();
    const first = await message(apiKey, { intent_id: "rr", base_example: "Your order shipped" });
    await eventually(async () => expect((await variantsOf(first.experiment_id)).length).toBe(4));
    // Let the isolate's pool cache see the new challengers.
    await new Promise((r) => setTimeout(r, 10_500));
    const results = await Promise.all(
      Array.from({ length: 200 }, async () =>
        json<MessageBody>(
          await call("/v1/message", {
            key: apiKey,
            body: { intent_id: "rr", base_example: "Your order shipped" },
          }),
          200,
        ),
      ),
    );
    const counts = new Map<string, number>();
    for (const r of results) counts.set(r.variant_id, (counts.get(r.variant_id) ?? 0) + 1);
    expect(counts.size, JSON.stringify([...counts])).toBe(4);
    const values = [...counts.values()];
    // Every sequence number the isolate leased but has not served yet (the tail of its
    // current block) can leave one arm behind; nothing else may.
    const leased = await env.ROTATION.get(env.ROTATION.idFromName(first.experiment_id)).peek();
    const unserved = leased - 200;
    expect(unserved).toBeGreaterThanOrEqual(0);
    expect(unserved).toBeLessThanOrEqual(256);
    expect(Math.max(...values) - Math.min(...values), JSON.stringify([...counts])).toBeLessThanOrEqual(
      1 + unserved,
    );
    expect(values.reduce((a, b) => a + b, 0)).toBe(200);
  });
});
