import { describe, expect, it } from "vitest";
import {
  createOfflineProvider,
  type GenerateInput,
  LlmError,
  MAX_VARIANT_LENGTH,
  normalizeForCompare,
  validateCandidates,
} from "../src/index";

const provider = createOfflineProvider();

function input(overrides: Partial<GenerateInput> = {}): GenerateInput {
  const baseExample = overrides.baseExample ?? "You left items in your cart";
  return { baseExample, locale: "en-US", count: 3, contextKeys: [], avoid: [baseExample], ...overrides };
}

const LONG_EN =
  "Your weekly summary is ready: 12 new followers, 3 comments on your latest post, and a special offer from our partners that expires this weekend. Open the app to see everything now!";
const NEAR_LIMIT = `${"Big news for early members of our community: ".repeat(5)}thanks for being here`.slice(
  0,
  236,
);

const TABLE: Array<{ baseExample: string; locale: string; contextKeys: string[] }> = [
  { baseExample: "You left items in your cart", locale: "en-US", contextKeys: ["first_name", "cart_count"] },
  {
    baseExample: "Hello! 🎉 You've got a new message 💬 from @user123",
    locale: "en-US",
    contextKeys: ["username"],
  },
  { baseExample: LONG_EN, locale: "en-GB", contextKeys: [] },
  { baseExample: NEAR_LIMIT, locale: "en-US", contextKeys: ["name"] },
  { baseExample: "Sale: 20% off today only", locale: "en-US", contextKeys: [] },
  {
    baseExample: "Tienes artículos en tu carrito. ¡Complétalo antes de que se agoten!",
    locale: "es-ES",
    contextKeys: ["nombre", "first_name"],
  },
  { baseExample: "¿Olvidaste algo? Tu carrito te espera 🛒", locale: "es-MX", contextKeys: [] },
  {
    baseExample: "Votre panier vous attend. Finalisez votre commande dès maintenant.",
    locale: "fr-FR",
    contextKeys: ["prenom"],
  },
  {
    baseExample: "Bonjour ! Une nouvelle offre vous attend 🎁",
    locale: "fr-CA",
    contextKeys: ["first_name"],
  },
  { baseExample: "Dein Warenkorb wartet auf dich", locale: "de-DE", contextKeys: ["name"] },
  { baseExample: "Seu carrinho está esperando por você", locale: "pt-BR", contextKeys: ["first_name"] },
  {
    baseExample: "カートに商品が残っています。今すぐ購入しましょう！",
    locale: "ja-JP",
    contextKeys: ["name"],
  },
  { baseExample: "Ваша корзина ждёт вас", locale: "ru-RU", contextKeys: [] },
  { baseExample: "Hi {{first_name}}, your order has shipped", locale: "en-US", contextKeys: ["first_name"] },
];

describe("offline provider", () => {
  it("is named offline", () => {
    expect(provider.name).toBe("offline");
  });

  it("produces the documented strategies in order for a plain English base", async () => {
    const out = await provider.generate(input({ count: 5, contextKeys: ["cart_count", "first_name"] }));
    expect(out).toEqual([
      "⏰ Don't wait! You left items in your cart",
      "Still thinking it over? You left items in your cart",
      "Good news! You left items in your cart",
      // "shorter" is skipped: a six-word line has nothing to cut without losing the point.
      "Hey {{first_name}}! You left items in your cart",
      "Quick reminder: You left items in your cart",
    ]);
  });

  it("is deterministic across calls and instances", async () => {
    for (const row of TABLE) {
      const a = await provider.generate(input({ ...row, count: 10, avoid: [row.baseExample] }));
      const b = await createOfflineProvider().generate(
        input({ ...row, count: 10, avoid: [row.baseExample] }),
      );
      expect(b).toEqual(a);
    }
  });

  it.each(Array.from({ length: 10 }, (_, i) => i + 1))(
    "returns exactly %i distinct challengers",
    async (count) => {
      const out = await provider.generate(input({ count, contextKeys: ["first_name"] }));
      expect(out).toHaveLength(count);
      const keys = new Set(out.map(normalizeForCompare));
      expect(keys.size).toBe(count);
      expect(keys.has(normalizeForCompare("You left items in your cart"))).toBe(false);
    },
  );

  it.each(TABLE)("output for $locale $baseExample passes validation", async (row) => {
    const out = await provider.generate(input({ ...row, count: 10, avoid: [row.baseExample] }));
    expect(out).toHaveLength(10);
    const result = validateCandidates(out, {
      avoid: [row.baseExample],
      count: 10,
      contextKeys: row.contextKeys,
    });
    expect(result.rejected).toEqual([]);
    expect(result.accepted).toEqual(out);
    for (const text of out) expect([...text].length).toBeLessThanOrEqual(MAX_VARIANT_LENGTH);
  });

  it("keeps emoji and the base's own wording intact", async () => {
    const baseExample = "Hello! 🎉 You've got a new message 💬 from @user123";
    const out = await provider.generate(
      input({ baseExample, count: 5, contextKeys: ["username"], avoid: [baseExample] }),
    );
    expect(out).toEqual([
      "⏰ Don't wait! Hello! 🎉 You've got a new message 💬 from @user123",
      "Still thinking it over? Hello! 🎉 You've got a new message 💬 from @user123",
      "Good news! Hello! 🎉 You've got a new message 💬 from @user123",
      "🎉 You've got a new message 💬 from @user123",
      // The base's own greeting is replaced rather than doubled.
      "Hey {{username}}! 🎉 You've got a new message 💬 from @user123",
    ]);
  });

  it.each([
    [
      "es-ES",
      "Tu carrito te espera",
      "⏰ ¡No esperes! Tu carrito te espera",
      "¿Aún lo estás pensando? Tu carrito te espera",
    ],
    [
      "fr-FR",
      "Votre panier vous attend",
      "⏰ N'attendez plus ! Votre panier vous attend",
      "Vous hésitez encore ? Votre panier vous attend",
    ],
    [
      "de-AT",
      "Dein Warenkorb wartet",
      "⏰ Nicht warten! Dein Warenkorb wartet",
      "Noch unentschlossen? Dein Warenkorb wartet",
    ],
    [
      "pt-PT",
      "O seu carrinho espera",
      "⏰ Não espere! O seu carrinho espera",
      "Ainda está pensando? O seu carrinho espera",
    ],
  ])("uses the %s phrase table", async (locale, baseExample, first, second) => {
    const out = await provider.generate(input({ baseExample, locale, count: 2, avoid: [baseExample] }));
    expect(out).toEqual([first, second]);
  });

  it("falls back to language-neutral transforms for other languages", async () => {
    const baseExample = "カートに商品が残っています。今すぐ購入しましょう！";
    const out = await provider.generate(
      input({ baseExample, locale: "ja-JP", count: 5, contextKeys: ["name"], avoid: [baseExample] }),
    );
    expect(out).toEqual([
      "⏰ カートに商品が残っています。今すぐ購入しましょう！",
      "🤔 カートに商品が残っています。今すぐ購入しましょう！",
      "🎁 カートに商品が残っています。今すぐ購入しましょう！",
      "カートに商品が残っています。",
      "👋 {{name}} · カートに商品が残っています。今すぐ購入しましょう！",
    ]);
  });

  it("only personalizes with name-like keys", async () => {
    const withName = await provider.generate(input({ count: 10, contextKeys: ["cart_count", "user_name"] }));
    expect(withName.filter((t) => t.includes("{{"))).toEqual([
      "Hey {{user_name}}! You left items in your cart",
    ]);
    const withoutName = await provider.generate(
      input({ count: 10, contextKeys: ["cart_count", "product_name"] }),
    );
    expect(withoutName.some((t) => t.includes("{{"))).toBe(false);
  });

  it("shortens long bases, and decorates them within the length limit", async () => {
    const out = await provider.generate(
      input({ baseExample: LONG_EN, locale: "en-GB", count: 4, avoid: [LONG_EN] }),
    );
    expect(out[3]).toBe(
      "Your weekly summary is ready: 12 new followers, 3 comments on your latest post, and a special offer from our partners that expires this weekend.",
    );
    const near = await provider.generate(input({ baseExample: NEAR_LIMIT, count: 10, avoid: [NEAR_LIMIT] }));
    expect(near).toHaveLength(10);
    expect(near[0]?.startsWith("⏰ Don't wait! Big news")).toBe(true);
    expect(near[0]?.endsWith("…")).toBe(true);
  });

  it("skips texts already in avoid, so a second round brings new challengers", async () => {
    const first = await provider.generate(input({ count: 5 }));
    const second = await provider.generate(
      input({ count: 5, avoid: ["You left items in your cart", ...first] }),
    );
    expect(second).toHaveLength(5);
    const firstKeys = new Set(first.map(normalizeForCompare));
    expect(second.filter((t) => firstKeys.has(normalizeForCompare(t)))).toEqual([]);
  });

  it("rejects invalid input with a non-retryable bad_request", async () => {
    for (const bad of [
      { count: 0 },
      { count: 11 },
      { count: 2.5 },
      { baseExample: "   " },
      { locale: "not a locale" },
    ]) {
      const err = await provider.generate(input(bad)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LlmError);
      expect((err as LlmError).kind).toBe("bad_request");
      expect((err as LlmError).retryable).toBe(false);
    }
  });

  it("honours an already aborted signal", async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await provider.generate(input(), { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe("timeout");
  });
});
