import { env } from "cloudflare:workers";
import { decodeCursor, encodeCursor } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import { clearIsolatePools } from "../src/infra/pool";
import { call, expectError, json, message, seedProject } from "./helpers";

interface Variant {
  variant_id: string;
  text: string;
  source: "control" | "llm" | "manual" | "holdout";
  status: "active" | "retired" | "winner";
  created_at: string;
}

interface History {
  at: string;
  actor: string;
  action: string;
  reason: string | null;
  detail: Record<string, unknown> | null;
}

interface Summary {
  experiment_id: string;
  intent_id: string;
  locale: string;
  status: "running" | "paused";
  strategy: string;
  goal_metric: string;
  holdout_share: number;
  min_sample: number;
  traffic_floor: number;
  retire_below: number;
  on_winner: string;
  challenger_count: number;
  winner_variant_id: string | null;
  generation_status: string;
  variants_active: number;
  variants_total: number;
}

interface Experiment extends Summary {
  base_example: string;
  variants: Variant[];
  history: History[];
}

interface Page {
  experiments: Summary[];
  next_cursor: string | null;
}

const BASE = "You left items in your cart";

/** A project without LLM challengers and one experiment created the way clients do: a message. */
async function setup(intentId = "cart") {
  const project = await seedProject({ challengerCount: 0 });
  const first = await message(project.apiKey, { intent_id: intentId, base_example: BASE });
  return {
    ...project,
    experimentId: first.experiment_id,
    controlId: first.variant_id,
    path: `/v1/experiments/${first.experiment_id}`,
  };
}

/** Calls a route with the key and asserts the status, returning the JSON. */
async function api<T = Experiment>(
  key: string,
  path: string,
  status: number,
  init: Omit<NonNullable<Parameters<typeof call>[1]>, "key"> = {},
): Promise<T> {
  return json<T>(await call(path, { key, ...init }), status);
}

async function addVariant(key: string, path: string, text: string, reason?: string) {
  return api<Variant>(key, `${path}/variants`, 201, { body: { text, reason } });
}

/** `n` messages for the intent (distinct users when `users` is set), in small parallel chunks. */
async function send(key: string, intentId: string, n: number, users?: string) {
  const out: { text: string; variant_id: string }[] = [];
  for (let i = 0; i < n; i += 25) {
    const chunk = Array.from({ length: Math.min(25, n - i) }, (_, j) =>
      message(key, {
        intent_id: intentId,
        base_example: BASE,
        ...(users ? { user_id: `${users}_${i + j}` } : {}),
      }),
    );
    out.push(...(await Promise.all(chunk)));
  }
  return out;
}

async function dbExperiment(id: string) {
  return env.DB.prepare("SELECT * FROM experiments WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

async function dbHistory(id: string) {
  const { results } = await env.DB.prepare(
    "SELECT actor, action, reason, detail FROM experiment_history WHERE experiment_id = ? ORDER BY at, id",
  )
    .bind(id)
    .all<{ actor: string; action: string; reason: string | null; detail: string | null }>();
  return results;
}

const actorOf = (apiKey: string) => `api_key:${apiKey.slice(0, 12)}…`;

describe("GET /v1/experiments/{experiment_id}", () => {
  it("returns the summary, base example, variants and history", async () => {
    const { apiKey, experimentId, controlId, path } = await setup();
    const e = await api(apiKey, path, 200);
    expect(e).toMatchObject({
      experiment_id: experimentId,
      intent_id: "cart",
      locale: "en-US",
      status: "running",
      strategy: "round_robin",
      goal_metric: "opened",
      holdout_share: 0,
      min_sample: 100,
      on_winner: "keep_testing",
      challenger_count: 0,
      winner_variant_id: null,
      generation_status: "ready",
      base_example: BASE,
      variants_active: 1,
      variants_total: 1,
    });
    expect(e.variants).toEqual([
      {
        variant_id: controlId,
        text: BASE,
        source: "control",
        status: "active",
        created_at: expect.any(String),
      },
    ]);
    expect(e.history).toEqual([
      expect.objectContaining({ actor: "system", action: "created", reason: expect.any(String) }),
    ]);
  });
});

describe("PATCH /v1/experiments/{experiment_id}", () => {
  it("changes settings, records who/what/why, and creates the holdout group once", async () => {
    const { apiKey, experimentId, path } = await setup();
    const e = await api(apiKey, path, 200, {
      method: "PATCH",
      body: {
        strategy: "thompson",
        goal_metric: "conversion",
        holdout_share: 0.1,
        min_sample: 500,
        traffic_floor: 0.05,
        retire_below: 0.02,
        on_winner: "promote",
        challenger_count: 5,
        reason: "enough traffic for a bandit",
      },
    });
    expect(e).toMatchObject({
      strategy: "thompson",
      goal_metric: "conversion",
      holdout_share: 0.1,
      min_sample: 500,
      traffic_floor: 0.05,
      retire_below: 0.02,
      on_winner: "promote",
      challenger_count: 5,
    });
    expect(await dbExperiment(experimentId)).toMatchObject({
      strategy: "thompson",
      goal_metric: "conversion",
      holdout_share: 0.1,
      min_sample: 500,
      on_winner: "promote",
    });
    expect(e.variants.filter((v) => v.source === "holdout")).toEqual([
      expect.objectContaining({ text: BASE, status: "active" }),
    ]);
    // Newest first; the key is identified by its prefix, never in full.
    expect(e.history[0]).toMatchObject({
      actor: actorOf(apiKey),
      action: "settings_changed",
      reason: "enough traffic for a bandit",
      detail: {
        strategy: { from: "round_robin", to: "thompson" },
        holdout_share: { from: 0, to: 0.1 },
        min_sample: { from: 100, to: 500 },
      },
    });
    expect(e.history[0]?.actor).not.toContain(apiKey);
    expect(e.history.map((h) => h.action)).toEqual(["settings_changed", "created"]);

    // A second change keeps the one holdout; an unchanged value writes no history.
    const again = await api(apiKey, path, 200, { method: "PATCH", body: { holdout_share: 0.2 } });
    expect(again.variants.filter((v) => v.source === "holdout")).toHaveLength(1);
    const same = await api(apiKey, path, 200, { method: "PATCH", body: { holdout_share: 0.2 } });
    expect(same.history).toHaveLength(3);
    expect((await dbHistory(experimentId)).map((h) => h.action)).toEqual([
      "created",
      "settings_changed",
      "settings_changed",
    ]);
  });

  it.each([
    ["an empty body", {}, /at least one setting/],
    ["only a reason", { reason: "why not" }, /at least one setting/],
    ["an unknown key", { strategy: "sticky", color: "blue" }, /color/],
    ["a camelCase key", { holdoutShare: 0.1 }, /holdoutShare/],
    ["an unknown strategy", { strategy: "greedy" }, /^strategy: /],
    ["an unknown goal", { goal_metric: "clicks" }, /^goal_metric: /],
    ["an unknown on_winner", { on_winner: "celebrate" }, /^on_winner: /],
    ["holdout above 0.5", { holdout_share: 0.6 }, /^holdout_share: /],
    ["negative holdout", { holdout_share: -0.1 }, /^holdout_share: /],
    ["holdout as a string", { holdout_share: "0.1" }, /^holdout_share: /],
    ["min_sample below 10", { min_sample: 5 }, /^min_sample: /],
    ["min_sample above 1,000,000", { min_sample: 1_000_001 }, /^min_sample: /],
    ["fractional min_sample", { min_sample: 10.5 }, /^min_sample: /],
    ["traffic_floor above 0.2", { traffic_floor: 0.3 }, /^traffic_floor: /],
    ["retire_below above 0.2", { retire_below: 0.5 }, /^retire_below: /],
    ["challenger_count above 10", { challenger_count: 11 }, /^challenger_count: /],
    ["fractional challenger_count", { challenger_count: 1.5 }, /^challenger_count: /],
    ["a null setting", { strategy: null }, /^strategy: /],
    ["a reason over 500 characters", { strategy: "sticky", reason: "x".repeat(501) }, /^reason: /],
    ["an array body", [], /./],
  ])("rejects %s with a 400 envelope", async (_name, body, msg) => {
    const { apiKey, path, experimentId } = await setup();
    const err = await expectError(
      await call(path, { key: apiKey, method: "PATCH", body }),
      400,
      "BAD_REQUEST",
      msg,
    );
    expect(err.issues.length).toBeGreaterThan(0);
    expect(await dbHistory(experimentId)).toHaveLength(1);
  });

  it.each([
    ["malformed JSON", { raw: "{not json" }],
    ["no body", {}],
    ["a text body", { raw: "strategy=thompson", headers: { "content-type": "text/plain" } }],
  ])("rejects %s with a 400 envelope", async (_name, init) => {
    const { apiKey, path } = await setup();
    await expectError(await call(path, { key: apiKey, method: "PATCH", ...init }), 400, "BAD_REQUEST");
  });

  it("rejects a traffic floor the arms cannot all receive", async () => {
    const { apiKey, path } = await setup();
    for (const text of ["One", "Two", "Three", "Four"]) await addVariant(apiKey, path, text);
    await expectError(
      await call(path, { key: apiKey, method: "PATCH", body: { traffic_floor: 0.2 } }),
      400,
      "BAD_REQUEST",
      /^traffic_floor: .*5 arms/,
    );
    const ok = await api(apiKey, path, 200, { method: "PATCH", body: { traffic_floor: 0.19 } });
    expect(ok.traffic_floor).toBe(0.19);
  });
});

describe("pause and resume", () => {
  it("pause serves the control to everyone; resume brings the arms back", async () => {
    const { apiKey, controlId, path } = await setup("pausable");
    const manual = await addVariant(apiKey, path, "Your cart misses you");

    // No body and no Content-Type.
    const paused = await api(apiKey, `${path}/pause`, 200, { method: "POST" });
    expect(paused.status).toBe("paused");
    const whilePaused = await send(apiKey, "pausable", 12);
    expect(new Set(whilePaused.map((m) => m.variant_id))).toEqual(new Set([controlId]));
    expect(whilePaused.every((m) => m.text === BASE)).toBe(true);

    // Pausing again changes nothing and records nothing.
    await api(apiKey, `${path}/pause`, 200, { method: "POST" });

    // Content-Type: application/json with an empty body reads as {}.
    const resumed = await api(apiKey, `${path}/resume`, 200, { method: "POST", raw: "" });
    expect(resumed.status).toBe("running");
    clearIsolatePools();
    const afterResume = await send(apiKey, "pausable", 8);
    expect(new Set(afterResume.map((m) => m.variant_id))).toEqual(new Set([controlId, manual.variant_id]));

    const reasoned = await api(apiKey, `${path}/pause`, 200, { body: { reason: "copy review" } });
    expect(reasoned.history.slice(0, 3)).toEqual([
      expect.objectContaining({ action: "paused", reason: "copy review", actor: actorOf(apiKey) }),
      expect.objectContaining({ action: "resumed", reason: null }),
      expect.objectContaining({ action: "paused", reason: null }),
    ]);
    expect(reasoned.history.filter((h) => h.action === "paused")).toHaveLength(2);
  });

  it("answers an empty JSON body on pause, and rejects unknown keys and bad bodies", async () => {
    const { apiKey, path, experimentId } = await setup();
    const res = await call(`${path}/pause`, {
      key: apiKey,
      method: "POST",
      raw: "",
      headers: { "content-type": "application/json" },
    });
    expect((await json<Experiment>(res, 200)).status).toBe("paused");
    await expectError(
      await call(`${path}/resume`, { key: apiKey, body: { reason: "x", force: true } }),
      400,
      "BAD_REQUEST",
      /force/,
    );
    await expectError(
      await call(`${path}/resume`, { key: apiKey, body: { reason: 42 } }),
      400,
      "BAD_REQUEST",
      /^reason: /,
    );
    await expectError(await call(`${path}/resume`, { key: apiKey, raw: "{oops" }), 400, "BAD_REQUEST");
    expect((await dbExperiment(experimentId))?.status).toBe("paused");
  });
});

describe("POST /v1/experiments/{experiment_id}/variants", () => {
  it("adds a manual variant that the next messages serve", async () => {
    const { apiKey, experimentId, controlId, path } = await setup("manual");
    const v = await addVariant(
      apiKey,
      path,
      "  Still thinking it over? Your cart is saved  ",
      "from the copy team",
    );
    expect(v).toEqual({
      variant_id: expect.stringMatching(/^var_[0-9a-f]{12}$/),
      text: "Still thinking it over? Your cart is saved",
      source: "manual",
      status: "active",
      created_at: expect.any(String),
    });
    const row = await env.DB.prepare("SELECT experiment_id, source, status FROM variants WHERE id = ?")
      .bind(v.variant_id)
      .first();
    expect(row).toEqual({ experiment_id: experimentId, source: "manual", status: "active" });

    const served = await send(apiKey, "manual", 8);
    expect(new Set(served.map((m) => m.variant_id))).toEqual(new Set([controlId, v.variant_id]));
    expect(served.find((m) => m.variant_id === v.variant_id)?.text).toBe(v.text);

    // KV holds the republished pool too: a cold isolate serves the new arm as well.
    clearIsolatePools();
    const cold = await send(apiKey, "manual", 4);
    expect(cold.some((m) => m.variant_id === v.variant_id)).toBe(true);

    const e = await api(apiKey, path, 200);
    expect(e.history[0]).toMatchObject({
      actor: actorOf(apiKey),
      action: "variant_added",
      reason: "from the copy team",
      detail: { variant_id: v.variant_id, text: v.text },
    });
    expect(e).toMatchObject({ variants_active: 2, variants_total: 2 });
  });

  it.each([
    ["duplicate text", 409, "CONFLICT", { text: "Come back soon" }],
    ["the same text in other case and spacing", 409, "CONFLICT", { text: "  come   BACK soon " }],
    ["the control's text", 409, "CONFLICT", { text: BASE }],
    ["empty text", 400, "BAD_REQUEST", { text: "" }],
    ["blank text", 400, "BAD_REQUEST", { text: "   " }],
    ["text over 240 characters", 400, "BAD_REQUEST", { text: "a".repeat(241) }],
    ["missing text", 400, "BAD_REQUEST", { reason: "no text" }],
    ["text as a number", 400, "BAD_REQUEST", { text: 7 }],
    ["an unknown key", 400, "BAD_REQUEST", { text: "Fresh copy", source: "llm" }],
    ["a reason over 500 characters", 400, "BAD_REQUEST", { text: "Fresh copy", reason: "r".repeat(501) }],
  ] as const)("%s → %i %s", async (_name, status, code, body) => {
    const { apiKey, path, experimentId } = await setup();
    await addVariant(apiKey, path, "Come back soon");
    await expectError(await call(`${path}/variants`, { key: apiKey, body }), status, code);
    const { results } = await env.DB.prepare("SELECT id FROM variants WHERE experiment_id = ?")
      .bind(experimentId)
      .all();
    expect(results).toHaveLength(2);
  });

  it("accepts 240 characters (code points, not UTF-16 units)", async () => {
    const { apiKey, path } = await setup();
    const v = await addVariant(apiKey, path, "🎉".repeat(240));
    expect([...v.text]).toHaveLength(240);
  });
});

describe("POST /v1/experiments/{experiment_id}/variants/{variant_id}/retire", () => {
  it("retires a variant: messages stop serving it, history says who and why", async () => {
    const { apiKey, controlId, path } = await setup("retire");
    const a = await addVariant(apiKey, path, "Variant A");
    const b = await addVariant(apiKey, path, "Variant B");
    const before = await send(apiKey, "retire", 6);
    expect(new Set(before.map((m) => m.variant_id))).toEqual(
      new Set([controlId, a.variant_id, b.variant_id]),
    );

    const e = await api(apiKey, `${path}/variants/${a.variant_id}/retire`, 200, {
      body: { reason: "off brand" },
    });
    expect(e.variants.find((v) => v.variant_id === a.variant_id)?.status).toBe("retired");
    expect(e).toMatchObject({ variants_active: 2, variants_total: 3 });
    expect(e.history[0]).toMatchObject({
      actor: actorOf(apiKey),
      action: "variant_retired",
      reason: "off brand",
      detail: { variant_id: a.variant_id, text: "Variant A" },
    });
    const status = await env.DB.prepare("SELECT status FROM variants WHERE id = ?")
      .bind(a.variant_id)
      .first("status");
    expect(status).toBe("retired");

    const after = await send(apiKey, "retire", 12);
    expect(new Set(after.map((m) => m.variant_id))).toEqual(new Set([controlId, b.variant_id]));
    clearIsolatePools();
    const cold = await send(apiKey, "retire", 6);
    expect(cold.some((m) => m.variant_id === a.variant_id)).toBe(false);

    // Its text stays taken.
    await expectError(
      await call(`${path}/variants`, { key: apiKey, body: { text: "variant a" } }),
      409,
      "CONFLICT",
      /retired/,
    );
  });

  it("refuses the control, a retired variant, the holdout and unknown variants", async () => {
    const { apiKey, controlId, path } = await setup();
    const a = await addVariant(apiKey, path, "Variant A");
    // Empty body, no Content-Type.
    await api(apiKey, `${path}/variants/${a.variant_id}/retire`, 200, { method: "POST" });
    await expectError(
      await call(`${path}/variants/${a.variant_id}/retire`, { key: apiKey, method: "POST" }),
      409,
      "CONFLICT",
      /already retired/,
    );
    await expectError(
      await call(`${path}/variants/${controlId}/retire`, { key: apiKey, method: "POST" }),
      409,
      "CONFLICT",
      /control cannot be retired/,
    );
    await expectError(
      await call(`${path}/variants/var_000000000000/retire`, { key: apiKey, method: "POST" }),
      404,
      "NOT_FOUND",
      /variant 'var_000000000000' not found/,
    );
    const withHoldout = await api(apiKey, path, 200, { method: "PATCH", body: { holdout_share: 0.1 } });
    const holdout = withHoldout.variants.find((v) => v.source === "holdout");
    await expectError(
      await call(`${path}/variants/${holdout?.variant_id}/retire`, { key: apiKey, method: "POST" }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`${path}/variants/${controlId}/retire`, { key: apiKey, body: { why: "x" } }),
      400,
      "BAD_REQUEST",
    );
  });
});

describe("winner", () => {
  it("a declared winner serves everyone; clearing it tests every arm again", async () => {
    const { apiKey, controlId, experimentId, path } = await setup("winner");
    const a = await addVariant(apiKey, path, "Variant A");
    const b = await addVariant(apiKey, path, "Variant B");

    const e = await api(apiKey, `${path}/winner`, 200, {
      body: { variant_id: b.variant_id, reason: "clear lift" },
    });
    expect(e.winner_variant_id).toBe(b.variant_id);
    expect(e.variants.find((v) => v.variant_id === b.variant_id)?.status).toBe("winner");
    expect(e.history[0]).toMatchObject({
      actor: actorOf(apiKey),
      action: "winner_promoted",
      reason: "clear lift",
      detail: { variant_id: b.variant_id, text: "Variant B" },
    });
    expect((await dbExperiment(experimentId))?.winner_variant_id).toBe(b.variant_id);

    const served = await send(apiKey, "winner", 15, "w");
    expect(served.every((m) => m.variant_id === b.variant_id && m.text === "Variant B")).toBe(true);

    // Switching the winner hands the status over.
    const switched = await api(apiKey, `${path}/winner`, 200, { body: { variant_id: a.variant_id } });
    expect(switched.variants.find((v) => v.variant_id === b.variant_id)?.status).toBe("active");
    expect(switched.variants.find((v) => v.variant_id === a.variant_id)?.status).toBe("winner");
    expect((await send(apiKey, "winner", 6)).every((m) => m.text === "Variant A")).toBe(true);

    // DELETE with no body.
    const cleared = await api(apiKey, `${path}/winner`, 200, { method: "DELETE" });
    expect(cleared.winner_variant_id).toBeNull();
    expect(cleared.variants.every((v) => v.status === "active")).toBe(true);
    expect(cleared.history[0]).toMatchObject({ actor: actorOf(apiKey), action: "winner_cleared" });
    const again = await send(apiKey, "winner", 9);
    expect(new Set(again.map((m) => m.variant_id))).toEqual(new Set([controlId, a.variant_id, b.variant_id]));

    // Clearing again is a no-op; a paused experiment with a winner serves the control.
    await api(apiKey, `${path}/winner`, 200, { method: "DELETE", body: { reason: "again" } });
    await api(apiKey, `${path}/winner`, 200, { body: { variant_id: a.variant_id } });
    await api(apiKey, `${path}/pause`, 200, { method: "POST" });
    expect((await send(apiKey, "winner", 4)).every((m) => m.variant_id === controlId)).toBe(true);
    await api(apiKey, `${path}/resume`, 200, { method: "POST" });
    expect((await send(apiKey, "winner", 4)).every((m) => m.variant_id === a.variant_id)).toBe(true);
  });

  it("retiring the winner clears it", async () => {
    const { apiKey, path } = await setup();
    const a = await addVariant(apiKey, path, "Variant A");
    await api(apiKey, `${path}/winner`, 200, { body: { variant_id: a.variant_id } });
    const e = await api(apiKey, `${path}/variants/${a.variant_id}/retire`, 200, { method: "POST" });
    expect(e.winner_variant_id).toBeNull();
  });

  it.each([
    ["no variant_id", 400, "BAD_REQUEST", {}, /^variant_id: /],
    ["an empty variant_id", 400, "BAD_REQUEST", { variant_id: "" }, /^variant_id: /],
    ["an unknown key", 400, "BAD_REQUEST", { variant_id: "var_000000000000", force: true }, /force/],
    ["an unknown variant", 404, "NOT_FOUND", { variant_id: "var_000000000000" }, /not found/],
    ["a retired variant", 409, "CONFLICT", "retired", /retired/],
  ] as const)("declaring %s → %i %s", async (_name, status, code, body, msg) => {
    const { apiKey, path } = await setup();
    const a = await addVariant(apiKey, path, "Variant A");
    let payload: unknown = body;
    if (body === "retired") {
      await api(apiKey, `${path}/variants/${a.variant_id}/retire`, 200, { method: "POST" });
      payload = { variant_id: a.variant_id };
    }
    await expectError(await call(`${path}/winner`, { key: apiKey, body: payload }), status, code, msg);
    await expectError(await call(`${path}/winner`, { key: apiKey, method: "POST" }), 400, "BAD_REQUEST");
  });
});

describe("holdout", () => {
  it("holdout_share 0.2 keeps about a fifth of users on the base example, counted apart", async () => {
    const { apiKey, controlId, path } = await setup("holdout");
    const a = await addVariant(apiKey, path, "Variant A");
    const e = await api(apiKey, path, 200, { method: "PATCH", body: { holdout_share: 0.2 } });
    const holdout = e.variants.find((v) => v.source === "holdout");
    expect(holdout).toMatchObject({ text: BASE, status: "active" });
    expect(e).toMatchObject({ variants_active: 2, variants_total: 2 });

    const served = await send(apiKey, "holdout", 500, "user");
    const held = served.filter((m) => m.variant_id === holdout?.variant_id);
    expect(held.length).toBeGreaterThanOrEqual(50);
    expect(held.length).toBeLessThanOrEqual(150);
    expect(held.every((m) => m.text === BASE)).toBe(true);
    const others = new Set(
      served.filter((m) => m.variant_id !== holdout?.variant_id).map((m) => m.variant_id),
    );
    expect(others).toEqual(new Set([controlId, a.variant_id]));

    // The holdout survives a declared winner, and membership is stable per user.
    await api(apiKey, `${path}/winner`, 200, { body: { variant_id: a.variant_id } });
    const again = await send(apiKey, "holdout", 500, "user");
    again.forEach((m, i) => {
      const wasHeld = served[i]?.variant_id === holdout?.variant_id;
      expect(m.variant_id).toBe(wasHeld ? holdout?.variant_id : a.variant_id);
    });
  });
});

describe("GET /v1/experiments", () => {
  it("pages newest first with a cursor and filters", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const ids: string[] = [];
    for (const intent of ["list_a", "list_b", "list_c"]) {
      ids.push((await message(apiKey, { intent_id: intent, base_example: BASE })).experiment_id);
      // Distinct creation times keep the expected order independent of random ids.
      await new Promise((r) => setTimeout(r, 5));
    }
    const first = await api<Page>(apiKey, "/v1/experiments?limit=2", 200);
    expect(first.experiments.map((e) => e.experiment_id)).toEqual([ids[2], ids[1]]);
    expect(first.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    // The shared codec of every list: the last row's sort key, (created_at, id).
    expect(decodeCursor(first.next_cursor ?? "", ["number", "string"])?.[1]).toBe(ids[1]);
    const second = await api<Page>(
      apiKey,
      `/v1/experiments?limit=2&cursor=${encodeURIComponent(first.next_cursor ?? "")}`,
      200,
    );
    expect(second.experiments.map((e) => e.experiment_id)).toEqual([ids[0]]);
    expect(second.next_cursor).toBeNull();

    const all = await api<Page>(apiKey, "/v1/experiments", 200);
    expect(all.experiments).toHaveLength(3);
    expect(all.next_cursor).toBeNull();
    expect(all.experiments[0]).toMatchObject({ intent_id: "list_c", variants_total: 1, status: "running" });

    await api(apiKey, `/v1/experiments/${ids[0]}/pause`, 200, { method: "POST" });
    await api(apiKey, `/v1/experiments/${ids[1]}`, 200, { method: "PATCH", body: { strategy: "thompson" } });
    const paused = await api<Page>(apiKey, "/v1/experiments?status=paused", 200);
    expect(paused.experiments.map((e) => e.experiment_id)).toEqual([ids[0]]);
    const running = await api<Page>(apiKey, "/v1/experiments?status=running", 200);
    expect(running.experiments.map((e) => e.experiment_id)).toEqual([ids[2], ids[1]]);
    const thompson = await api<Page>(apiKey, "/v1/experiments?strategy=thompson", 200);
    expect(thompson.experiments.map((e) => e.experiment_id)).toEqual([ids[1]]);
    const byIntent = await api<Page>(apiKey, "/v1/experiments?intent_id=list_c", 200);
    expect(byIntent.experiments.map((e) => e.experiment_id)).toEqual([ids[2]]);
    const none = await api<Page>(apiKey, "/v1/experiments?intent_id=nothing", 200);
    expect(none).toEqual({ experiments: [], next_cursor: null });
  });

  it.each([
    ["limit=0", /^limit: /],
    ["limit=101", /^limit: /],
    ["limit=abc", /^limit: /],
    ["limit=1.5", /^limit: /],
    ["status=stopped", /^status: /],
    ["strategy=greedy", /^strategy: /],
    ["intent_id=", /^intent_id: /],
    ["cursor=not-a-cursor", /^cursor: /],
    [`cursor=${btoa("123:prj_abc")}`, /^cursor: /],
    // Another list's cursor (same codec, another key shape) is refused too.
    [`cursor=${encodeCursor(["2026-11-01", "tiktok", "cmp_1"])}`, /^cursor: /],
    [`cursor=${encodeCursor([1, "prj_abc"])}`, /^cursor: /],
  ])("GET /v1/experiments?%s → 400", async (qs, msg) => {
    const { apiKey } = await seedProject();
    await expectError(await call(`/v1/experiments?${qs}`, { key: apiKey }), 400, "BAD_REQUEST", msg);
  });
});

describe("security", () => {
  const routes = (path: string, variantId: string) =>
    [
      ["GET", path, undefined],
      ["PATCH", path, { strategy: "sticky" }],
      ["POST", `${path}/pause`, undefined],
      ["POST", `${path}/resume`, undefined],
      ["POST", `${path}/variants`, { text: "Sneaky copy" }],
      ["POST", `${path}/variants/${variantId}/retire`, undefined],
      ["POST", `${path}/winner`, { variant_id: variantId }],
      ["DELETE", `${path}/winner`, undefined],
    ] as const;

  it("every route needs a key (401) and another project's experiment is a 404", async () => {
    const owner = await setup("private");
    const other = await seedProject({ challengerCount: 0 });
    const v = await addVariant(owner.apiKey, owner.path, "Owner copy");
    for (const [method, path, body] of routes(owner.path, v.variant_id)) {
      await expectError(await call(path, { method, body }), 401, "UNAUTHORIZED");
      await expectError(
        await call(path, { method, body, key: "pb_test_not_a_real_key" }),
        401,
        "UNAUTHORIZED",
      );
      await expectError(
        await call(path, { method, body, key: other.apiKey }),
        404,
        "NOT_FOUND",
        `experiment '${owner.experimentId}' not found`,
      );
    }
    await expectError(await call("/v1/experiments"), 401, "UNAUTHORIZED");
    const otherList = await api<Page>(other.apiKey, "/v1/experiments", 200);
    expect(otherList.experiments).toEqual([]);

    // Nothing changed for the owner.
    const e = await api(owner.apiKey, owner.path, 200);
    expect(e).toMatchObject({ status: "running", strategy: "round_robin", winner_variant_id: null });
    expect(e.variants).toHaveLength(2);
    expect(e.history.map((h) => h.action)).toEqual(["variant_added", "created"]);
  });

  it("an unknown experiment is a 404 envelope", async () => {
    const { apiKey } = await seedProject();
    await expectError(
      await call("/v1/experiments/exp_00000000000000000000", { key: apiKey }),
      404,
      "NOT_FOUND",
      "experiment 'exp_00000000000000000000' not found",
    );
  });

  it("declares every experiment, analysis and stats route with an id, tags, a key and a required body", async () => {
    type Op = {
      operationId?: string;
      tags?: string[];
      security?: unknown;
      requestBody?: { required?: boolean };
    };
    const doc = await json<{ paths: Record<string, Record<string, Op>> }>(
      await call("/v1/openapi.json"),
      200,
    );
    const ours = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/v1/experiments") || path === "/v1/stats")
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({ route: `${method} ${path}`, op })),
      );
    expect(ours.length).toBe(17);
    for (const { route, op } of ours) {
      expect(op.operationId, route).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.tags?.length, route).toBeGreaterThan(0);
      expect(op.security, route).toEqual([{ bearerAuth: [] }]);
      if (op.requestBody) expect(op.requestBody.required, route).toBe(true);
    }
    const withBody = ours.filter(({ op }) => op.requestBody).map(({ op }) => op.operationId);
    expect(withBody.sort()).toEqual([
      "addVariant",
      "clearWinner",
      "declareWinner",
      "pauseExperiment",
      "resumeExperiment",
      "retireVariant",
      "simulateExperiment",
      "updateExperiment",
    ]);
  });

  it("routes whose body is all optional take none, an empty one, or {}", async () => {
    const { apiKey, path } = await setup("optional_body");
    for (const init of [
      { method: "POST" },
      { method: "POST", raw: "", headers: { "content-type": "application/json" } },
      { method: "POST", body: {} },
    ]) {
      await api(apiKey, `${path}/pause`, 200, init);
      await api(apiKey, `${path}/resume`, 200, init);
    }
    await expectError(
      await call(`${path}/pause`, { key: apiKey, body: { reason: 7 } }),
      400,
      "BAD_REQUEST",
      /^reason: /,
    );
  });

  it("documents every route in the OpenAPI document", async () => {
    const doc = await json<{
      paths: Record<string, Record<string, { operationId: string; security: unknown }>>;
    }>(await call("/v1/openapi.json"), 200);
    const ops = Object.values(doc.paths)
      .flatMap((p) => Object.values(p))
      // Web experiments have their own operations (workers/test/web-experiments/).
      .filter((op) => op.operationId && /Experiment|Variant|Winner|Iteration/.test(op.operationId))
      .filter((op) => !/Web/.test(op.operationId))
      .map((op) => op.operationId)
      .sort();
    expect(ops).toEqual([
      "addVariant",
      "analyzeExperiment",
      "clearWinner",
      "confirmIteration",
      "declareWinner",
      "discardIteration",
      "getExperiment",
      "getExperimentAnalysis",
      "getIterationProposal",
      "listExperiments",
      "listIntentVariants",
      "listVariants",
      "pauseExperiment",
      "proposeIteration",
      "resumeExperiment",
      "retireVariant",
      "simulateExperiment",
      "updateExperiment",
    ]);
    expect(doc.paths["/v1/experiments/{experiment_id}"]?.patch?.security).toEqual([{ bearerAuth: [] }]);
  });
});
