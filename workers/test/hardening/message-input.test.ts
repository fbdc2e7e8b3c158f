// Inputs that once produced a 500 on /v1/message, and the rules that replaced them.
import { describe, expect, it } from "vitest";
import { call, expectError, json, type MessageBody, seedProject } from "../helpers";

const message = (key: string, body: Record<string, unknown>) =>
  call("/v1/message", { key, body: { base_example: "Hello there", locale: "en-US", ...body } });

describe("template placeholders read own context properties only", () => {
  it.each(["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"])(
    "{{%s}} with no such context key never reaches the prototype",
    async (name) => {
      const { apiKey } = await seedProject({ challengerCount: 0 });
      const res = await message(apiKey, {
        intent_id: `proto_${name}`,
        base_example: `Hi {{${name}}}, welcome`,
      });
      const body = await json<MessageBody>(res, 200);
      expect(body.text).toBe("Hi, welcome");
    },
  );

  it("a manual variant naming a prototype key falls back to the control for every message", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const first = await json<MessageBody>(await message(apiKey, { intent_id: "proto_manual" }), 200);
    const add = await call(`/v1/experiments/${first.experiment_id}/variants`, {
      key: apiKey,
      body: { text: "Psst {{constructor}}" },
    });
    expect(add.status, await add.clone().text()).toBeLessThan(300);
    for (let i = 0; i < 6; i++) {
      const body = await json<MessageBody>(await message(apiKey, { intent_id: "proto_manual" }), 200);
      expect(body.text).toBe("Hello there");
    }
  });

  it("a context value named like a prototype key is used when sent", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const res = await message(apiKey, {
      intent_id: "proto_given",
      base_example: "Hi {{constructor}}",
      context: { constructor: "Ada" },
    });
    expect((await json<MessageBody>(res, 200)).text).toBe("Hi Ada");
  });
});

describe("missing placeholders never show braces", () => {
  it.each([
    ["Hi {{first_name}}, your cart is waiting", "Hi, your cart is waiting"],
    ["{{first_name}}, your cart is waiting", "Your cart is waiting"],
    ["Hi {{first_name|there}}!", "Hi there!"],
    ["Your {{count}} items", "Your items"],
  ])("%s → %s", async (base, text) => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const res = await message(apiKey, { intent_id: `missing_${base.length}`, base_example: base });
    expect((await json<MessageBody>(res, 200)).text).toBe(text);
  });
});

describe("intent ids are storage-safe", () => {
  it("a lone surrogate is a 400, not a 500", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const res = await call("/v1/message", {
      key: apiKey,
      raw: '{"intent_id":"\\ud800","base_example":"Hi","locale":"en-US"}',
    });
    await expectError(res, 400, "BAD_REQUEST", /intent_id: .*Unicode/);
  });

  it("128 CJK characters (384 UTF-8 bytes) make one experiment, served warm from KV", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const intent = "购".repeat(128);
    const a = await json<MessageBody>(await message(apiKey, { intent_id: intent }), 200);
    const b = await json<MessageBody>(await message(apiKey, { intent_id: intent }), 200);
    expect(b.experiment_id).toBe(a.experiment_id);
    const otherLocale = await json<MessageBody>(
      await message(apiKey, { intent_id: intent, locale: "zh-CN" }),
      200,
    );
    expect(otherLocale.experiment_id).not.toBe(a.experiment_id);
  });
});

describe("first sight of an intent is race-free", () => {
  it("100 concurrent first requests all succeed on one experiment", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => message(apiKey, { intent_id: "stampede" })),
    );
    const bodies = await Promise.all(responses.map((r) => json<MessageBody>(r, 200)));
    expect(new Set(bodies.map((b) => b.experiment_id)).size).toBe(1);
  });
});

describe("locales are BCP 47 language tags", () => {
  it.each(["english", "en_US_POSIX_x", "xx-", "12", "e"])("refuses %s", async (locale) => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    await expectError(await message(apiKey, { intent_id: "loc", locale }), 400, "BAD_REQUEST", /^locale: /);
  });

  it.each([
    ["en-us", "en-US"],
    ["zh-hant-tw", "zh-Hant-TW"],
    ["es-419", "es-419"],
    ["fil", "fil"],
  ])("accepts %s as %s", async (locale, canonical) => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const res = await message(apiKey, { intent_id: "loc_ok", locale });
    expect((await json<MessageBody>(res, 200)).locale).toBe(canonical);
  });
});

describe("optimized push payloads take the same intent rules as /v1/message", () => {
  // Named cases: a lone surrogate in a test title breaks the runner's UTF-8 channel.
  it.each([
    ["a locale that is no language tag", { locale: "english" }, /^payload\.locale: /],
    ["an intent id with a lone surrogate", { intent_id: "\ud800" }, /^payload\.intent_id: .*Unicode/],
    ["a blank base example", { base_example: "  " }, /^payload\.base_example: /],
  ])("refuses %s", async (_, bad, message) => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const res = await call("/v1/notifications/broadcast", {
      key: apiKey,
      body: { payload: { title: "x", intent_id: "cart", base_example: "Hi", ...bad } },
    });
    await expectError(res, 400, "BAD_REQUEST", message);
  });
});

describe("malformed placeholders are refused where copy comes in", () => {
  it.each(["Hi {{first name}}", "Hi {{name", "Hi name}}", "{{ {{a}} }}"])(
    "base_example %s is a 400",
    async (base) => {
      const { apiKey } = await seedProject({ challengerCount: 0 });
      await expectError(
        await message(apiKey, { intent_id: "braces", base_example: base }),
        400,
        "BAD_REQUEST",
        /base_example: has a malformed placeholder/,
      );
    },
  );

  it("a hand-written variant with a malformed placeholder is a 400", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const first = await json<MessageBody>(await message(apiKey, { intent_id: "braces_manual" }), 200);
    await expectError(
      await call(`/v1/experiments/${first.experiment_id}/variants`, {
        key: apiKey,
        body: { text: "Hey {{first name}}" },
      }),
      400,
      "BAD_REQUEST",
      /text: has a malformed placeholder/,
    );
  });
});

describe("event properties", () => {
  it("a __proto__ key is refused with a reason, never dropped silently", async () => {
    const { apiKey } = await seedProject({ challengerCount: 0 });
    const first = await json<MessageBody>(await message(apiKey, { intent_id: "props" }), 200);
    const res = await call("/v1/events", {
      key: apiKey,
      raw: `[{"type":"opened","tracking_token":"${first.tracking_token}","timestamp":${Date.now()},"properties":{"__proto__":"x"}}]`,
    });
    const body = await json<{ recorded: number; rejected: { index: number; reason: string }[] }>(res, 200);
    expect(body.recorded).toBe(0);
    expect(body.rejected).toEqual([{ index: 0, reason: expect.stringMatching(/__proto__/) }]);
  });
});
