import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  call,
  eventually,
  experimentWithArms,
  json,
  message,
  seedProject,
  variantsOf,
} from "../test/helpers";

const experiment = (id: string) =>
  env.DB.prepare(
    "SELECT generation_status AS status, generation_error AS error FROM experiments WHERE id = ?",
  )
    .bind(id)
    .first<{ status: string; error: string | null }>();

/** The Worker, the real @google/genai client, and a local server speaking Gemini's REST protocol. */
describe("challenger generation with Gemini", () => {
  it("adds the validated challengers and drops the preamble line", async () => {
    const { apiKey } = await seedProject();
    const m = await message(apiKey, { intent_id: "g_ok", base_example: "[ok] Cart items" });
    expect(m.text).toBe("[ok] Cart items");
    const variants = await eventually(async () => {
      const v = await variantsOf(m.experiment_id);
      expect(v.length).toBe(4);
      return v;
    });
    expect(variants.map((v) => v.text)).toEqual([
      "[ok] Cart items",
      "Still thinking about it? Cart items",
      "Don't miss out: Cart items",
      "Good news: Cart items is waiting",
    ]);
    expect(await experiment(m.experiment_id)).toEqual({ status: "ready", error: null });
  });

  it.each(["malformed-then-ok", "500-then-ok", "hang-then-ok"])(
    "keeps serving the control through a failure (%s) and retries until it succeeds",
    async (scenario) => {
      const { apiKey } = await seedProject();
      const base = `[${scenario}] Order ${scenario.length}`;
      const m = await message(apiKey, { intent_id: `g_${scenario}`, base_example: base });
      // Meanwhile every request still answers 200 with the control.
      const again = await message(apiKey, { intent_id: `g_${scenario}`, base_example: base });
      expect(again.text).toBe(base);
      await eventually(async () => expect((await variantsOf(m.experiment_id)).length).toBe(4), 45_000);
      expect(await experiment(m.experiment_id)).toEqual({ status: "ready", error: null });
    },
  );

  it("marks generation failed with the reason when the key is refused (no retry)", async () => {
    const { apiKey } = await seedProject();
    const m = await message(apiKey, { intent_id: "g_auth", base_example: "[auth] Denied" });
    const state = await eventually(async () => {
      const e = await experiment(m.experiment_id);
      expect(e?.status).toBe("failed");
      return e;
    });
    expect(state?.error).toMatch(/^gemini auth: /);
    expect((await variantsOf(m.experiment_id)).map((v) => v.source)).toEqual(["control"]);
    expect((await message(apiKey, { intent_id: "g_auth", base_example: "[auth] Denied" })).text).toBe(
      "[auth] Denied",
    );
  });

  it("retries a rate-limited job after Retry-After and records the pending reason", async () => {
    const { apiKey } = await seedProject();
    const m = await message(apiKey, { intent_id: "g_429", base_example: "[429] Slow down" });
    const state = await eventually(async () => {
      const e = await experiment(m.experiment_id);
      expect(e?.error ?? "").toMatch(/rate_limited/);
      return e;
    });
    expect(state?.status).toBe("pending");
    expect(state?.error).toMatch(/^attempt \d+ failed, retrying: gemini rate_limited/);
  });
});

/** The analysis narrative through the real client and the stub; code validates what it writes. */
describe("experiment analysis with Gemini", () => {
  it("serves Gemini's narrative when every number is in the snapshot", async () => {
    const { apiKey, experimentId } = await experimentWithArms(
      "ga_ok",
      ["Come back soon"],
      "[ok] Analysis base",
    );
    const res = await call(`/v1/experiments/${experimentId}/analyze`, { key: apiKey, method: "POST" });
    const a = await json<{
      provider: string;
      fallback_reason: string | null;
      summary: string;
      flags: string[];
    }>(res, 200);
    expect(a.provider).toBe("gemini");
    expect(a.fallback_reason).toBeNull();
    // The narrative never said "collecting": code stated it first.
    expect(a.flags).toEqual(["collecting"]);
    expect(a.summary).toMatch(
      /^Still collecting: .* Control is opened 0\.00% of the time; B is opened 0\.00% of the time\.$/,
    );
  });

  it("rejects a narrative with an invented number and stores the template with the reason", async () => {
    const { apiKey, experimentId } = await experimentWithArms(
      "ga_invented",
      ["Come back soon"],
      "[invented] Analysis base",
    );
    const res = await call(`/v1/experiments/${experimentId}/analyze`, { key: apiKey, method: "POST" });
    const a = await json<{ provider: string; fallback_reason: string | null; summary: string }>(res, 200);
    expect(a.provider).toBe("offline");
    expect(a.fallback_reason).toMatch(/^rejected: summary: 48,000 is not a number in the snapshot/);
    expect(a.summary).toMatch(/^Still collecting/);
    expect(a.summary).not.toContain("48,000");
  });
});
