import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, eventually, expectError, message, seedProject, variantsOf } from "../helpers";

describe("POST /v1/message", () => {
  it("creates the experiment with the control, answers at once, and grows challengers in the background", async () => {
    const { apiKey, projectId } = await seedProject();
    const first = await message(apiKey, {
      intent_id: "cart_abandonment",
      base_example: "You left items in your cart",
    });
    expect(first.text).toBe("You left items in your cart");
    expect(first.variant_id).toMatch(/^var_[0-9a-f]{12}$/);
    expect(first.experiment_id).toMatch(/^exp_/);
    expect(first.tracking_token).toMatch(/^trk_v1\./);
    expect(first.locale).toBe("en-US");

    const exp = await env.DB.prepare("SELECT * FROM experiments WHERE id = ?")
      .bind(first.experiment_id)
      .first();
    expect(exp).toMatchObject({ project_id: projectId, intent_id: "cart_abandonment", locale: "en-US" });

    // The generation job runs through the jobs queue with the offline provider.
    const variants = await eventually(async () => {
      const v = await variantsOf(first.experiment_id);
      expect(v.length).toBe(4);
      return v;
    });
    expect(variants[0]).toMatchObject({
      id: first.variant_id,
      source: "control",
      text: "You left items in your cart",
    });
    expect(variants.slice(1).every((v) => v.source === "llm" && v.status === "active")).toBe(true);
    const genStatus = await env.DB.prepare("SELECT generation_status FROM experiments WHERE id = ?")
      .bind(first.experiment_id)
      .first("generation_status");
    expect(genStatus).toBe("ready");
  });

  it("reuses the experiment for the same intent and locale, separates locales, canonicalises tags", async () => {
    const { apiKey } = await seedProject({ defaultLocale: "fr-FR", challengerCount: 0 });
    const a = await message(apiKey, { intent_id: "welcome", base_example: "Welcome!", locale: "en-US" });
    const b = await message(apiKey, { intent_id: "welcome", base_example: "Welcome!", locale: "en-us" });
    const c = await message(apiKey, { intent_id: "welcome", base_example: "¡Bienvenido!", locale: "es-ES" });
    const d = await message(apiKey, { intent_id: "welcome", base_example: "Bienvenue !", locale: null });
    expect(b.experiment_id).toBe(a.experiment_id);
    expect(b.locale).toBe("en-US");
    expect(c.experiment_id).not.toBe(a.experiment_id);
    expect(c.text).toBe("¡Bienvenido!");
    expect(d.locale).toBe("fr-FR");
    expect(new Set([a.experiment_id, c.experiment_id, d.experiment_id]).size).toBe(3);
  });

  it("serves the request's own base text for the control and fills context placeholders", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const a = await message(apiKey, {
      intent_id: "greet",
      base_example: "Hi {{name}}, welcome back",
      context: { name: "Ada" },
    });
    expect(a.text).toBe("Hi Ada, welcome back");
    const b = await message(apiKey, {
      intent_id: "greet",
      base_example: "Hi {{name}}, welcome back",
      context: { name: "Grace" },
    });
    expect(b.text).toBe("Hi Grace, welcome back");
    expect(b.variant_id).toBe(a.variant_id);
  });

  it("accepts the upstream SDK test messages (emoji, long text, other locales, empty context)", async () => {
    const { apiKey } = await seedProject();
    const cases = [
      { intent_id: "emoji", base_example: "Hello! 🎉 You've got a new message 💬 from @user123" },
      {
        intent_id: "long",
        base_example: `${"This is a long notification message. ".repeat(5)}Open the app.`,
      },
      { intent_id: "es", base_example: "¡Tienes un mensaje nuevo!", locale: "es-ES", context: {} },
      { intent_id: "fr", base_example: "Vous avez un nouveau message", locale: "fr-FR" },
    ];
    for (const body of cases) {
      const out = await message(apiKey, body);
      expect(out.text.length).toBeGreaterThan(0);
      expect(out.variant_id.length).toBeGreaterThan(0);
    }
    for (let i = 0; i < 5; i++) await message(apiKey, cases[0]!);
  });

  it("ignores unknown fields and stringifies numeric context values and user ids", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const out = await message(apiKey, {
      intent_id: "n",
      base_example: "You have {{count}} new items",
      context: { count: 3 },
      user_id: 42,
      surprise: true,
    });
    expect(out.text).toBe("You have 3 new items");
  });

  const bad: [string, unknown, number, string, RegExp][] = [
    ["missing intent_id", { base_example: "x" }, 400, "BAD_REQUEST", /^intent_id: /],
    [
      "empty intent_id",
      { intent_id: "  ", base_example: "x" },
      400,
      "BAD_REQUEST",
      /^intent_id: must not be empty/,
    ],
    [
      "intent_id too long",
      { intent_id: "i".repeat(129), base_example: "x" },
      400,
      "BAD_REQUEST",
      /^intent_id: /,
    ],
    [
      "intent_id with control chars",
      { intent_id: "a\u0000b", base_example: "x" },
      400,
      "BAD_REQUEST",
      /control characters/,
    ],
    ["missing base_example", { intent_id: "a" }, 400, "BAD_REQUEST", /^base_example: /],
    [
      "base_example too long",
      { intent_id: "a", base_example: "x".repeat(1001) },
      400,
      "BAD_REQUEST",
      /^base_example: /,
    ],
    ["base_example not a string", { intent_id: "a", base_example: 5 }, 400, "BAD_REQUEST", /^base_example: /],
    [
      "bad locale",
      { intent_id: "a", base_example: "x", locale: "not a locale!" },
      400,
      "BAD_REQUEST",
      /^locale: 'not a locale!' is not a BCP 47/,
    ],
    [
      "context not an object",
      { intent_id: "a", base_example: "x", context: "x" },
      400,
      "BAD_REQUEST",
      /^context: /,
    ],
    [
      "context value an object",
      { intent_id: "a", base_example: "x", context: { a: { b: 1 } } },
      400,
      "BAD_REQUEST",
      /^context\.a: /,
    ],
    [
      "context too many keys",
      {
        intent_id: "a",
        base_example: "x",
        context: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])),
      },
      400,
      "BAD_REQUEST",
      /^context: at most 50 keys/,
    ],
    ["body an array", [1, 2], 400, "BAD_REQUEST", /./],
  ];
  it.each(bad)("rejects %s", async (_name, body, status, code, message) => {
    const { apiKey } = await seedProject();
    const err = await expectError(await call("/v1/message", { key: apiKey, body }), status, code, message);
    expect(err.issues.length).toBeGreaterThan(0);
  });

  it("rejects malformed JSON, a missing body and an oversized body", async () => {
    const { apiKey } = await seedProject();
    await expectError(await call("/v1/message", { key: apiKey, raw: "{not json" }), 400, "BAD_REQUEST");
    await expectError(await call("/v1/message", { key: apiKey, method: "POST" }), 400, "BAD_REQUEST");
    await expectError(
      await call("/v1/message", { key: apiKey, raw: "{not json", headers: { "content-type": "text/plain" } }),
      400,
      "BAD_REQUEST",
    );
    await expectError(
      await call("/v1/message", {
        key: apiKey,
        body: { intent_id: "a", base_example: "x", pad: "y".repeat(70_000) },
      }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });

  it("requires a valid key", async () => {
    const body = { intent_id: "a", base_example: "x" };
    await expectError(await call("/v1/message", { body }), 401, "UNAUTHORIZED", /missing API key/);
    await expectError(
      await call("/v1/message", { body, key: "pb_nope" }),
      401,
      "UNAUTHORIZED",
      "invalid API key",
    );
    await expectError(
      await call("/v1/message", { body, headers: { authorization: "Basic abc" } }),
      401,
      "UNAUTHORIZED",
      /must use the Bearer scheme/,
    );
  });

  it("keeps projects apart: the same intent id is a separate experiment per project", async () => {
    const a = await seedProject({ challengerCount: 0 });
    const b = await seedProject({ challengerCount: 0 });
    const ma = await message(a.apiKey, { intent_id: "shared", base_example: "A copy" });
    const mb = await message(b.apiKey, { intent_id: "shared", base_example: "B copy" });
    expect(mb.experiment_id).not.toBe(ma.experiment_id);
    expect(mb.text).toBe("B copy");
  });

  it("accepts the API_KEYS bootstrap key", async () => {
    const out = await message("pb_bootstrap_test_key", { intent_id: "boot", base_example: "Hello" });
    expect(out.text).toBe("Hello");
  });
});

describe("reserved intents", () => {
  it("copy is never served from, nor counted toward, a campaign's or a web experiment's engine experiment", async () => {
    const { apiKey, projectId } = await seedProject({ challengerCount: 0 });
    const experiments = async () =>
      (
        await env.DB.prepare("SELECT count(*) AS n FROM experiments WHERE project_id = ?")
          .bind(projectId)
          .first<{ n: number }>()
      )?.n;
    for (const [path, body] of [
      ["/v1/message", { intent_id: "web:pricing-cta", base_example: "Hi" }],
      ["/v1/message", { intent_id: "EMAIL:cmp_0123456789abcdef0123", base_example: "Hi" }],
      ["/v1/resolve", { intent_id: "web:pricing-cta", base_message: "Hi", api_key: apiKey }],
    ] as const) {
      await expectError(await call(path, { key: apiKey, body }), 400, "BAD_REQUEST", /reserved/);
    }
    expect(await experiments()).toBe(0);
    // An intent that merely contains the words is an ordinary intent.
    expect((await message(apiKey, { intent_id: "web_signup:email", base_example: "Hi" })).text).toBe("Hi");
  });
});
