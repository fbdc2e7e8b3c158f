import { describe, expect, it } from "vitest";
import { MAX_VARIANT_LENGTH, normalizeForCompare, validateCandidates } from "../src/index";

const base = { avoid: [] as string[], count: 10 };

function reasonFor(candidate: unknown, opts: Partial<Parameters<typeof validateCandidates>[1]> = {}): string {
  const { accepted, rejected } = validateCandidates([candidate], { ...base, ...opts });
  if (accepted.length > 0) return "accepted";
  return rejected[0]?.reason ?? "missing";
}

describe("normalizeForCompare", () => {
  it.each([
    ["  You LEFT   items\tin your cart  ", "you left items in your cart"],
    ["You left items in your cart!!!", "you left items in your cart"],
    ["¿Sigues ahí?", "sigues ahí"],
    ["You’ve got mail…", "you've got mail"],
    ["“Quoted” copy", '"quoted" copy'],
    ["Ｆｕｌｌｗｉｄｔｈ", "fullwidth"],
    ["Hello! 🎉 You've got a new message 💬", "hello! 🎉 you've got a new message 💬"],
    ["Sale: 20% off, today only.", "sale: 20% off, today only"],
  ])("%j → %j", (input, expected) => {
    expect(normalizeForCompare(input)).toBe(expected);
  });

  it("keeps emoji and inner punctuation significant", () => {
    expect(normalizeForCompare("Cart 🛒")).not.toBe(normalizeForCompare("Cart"));
    expect(normalizeForCompare("Ready, set, go")).not.toBe(normalizeForCompare("Ready set go"));
  });
});

describe("validateCandidates cleaning", () => {
  it.each([
    ["1. Your cart misses you", "Your cart misses you"],
    ["2) Your cart misses you", "Your cart misses you"],
    ["- Your cart misses you", "Your cart misses you"],
    ["* Your cart misses you", "Your cart misses you"],
    ["• Your cart misses you", "Your cart misses you"],
    ['"Your cart misses you"', "Your cart misses you"],
    ["“Your cart misses you”", "Your cart misses you"],
    ["«Ton panier t'attend»", "Ton panier t'attend"],
    ['3. "Your cart misses you"', "Your cart misses you"],
    ["Variant 1: Your cart misses you", "Your cart misses you"],
    ["**Option 2:** Your cart misses you", "Your cart misses you"],
    ["   Your cart misses you  ", "Your cart misses you"],
  ])("%j is cleaned to %j", (raw, cleaned) => {
    expect(validateCandidates([raw], base).accepted).toEqual([cleaned]);
  });

  it("does not strip quotes that are not wrapping the whole copy", () => {
    expect(validateCandidates(['"Sale" ends "today"'], base).accepted).toEqual(['"Sale" ends "today"']);
  });

  it("does not treat a version number as a label", () => {
    expect(validateCandidates(["Version 2.0 is here: update now"], base).accepted).toEqual([
      "Version 2.0 is here: update now",
    ]);
  });
});

describe("validateCandidates rejections", () => {
  it.each<[unknown, string]>([
    [42, "not a string"],
    [null, "not a string"],
    [{ text: "hi" }, "not a string"],
    ["", "empty"],
    ["   ", "empty"],
    ['""', "empty"],
    ["1. ", "empty"],
    ["[", "no text"],
    ["Line one\nLine two", "multiple lines"],
    ["Here are 3 variants:", "preamble"],
    ["Here are three fresh variants of your notification", "preamble"],
    ["Sure! Here are some options", "preamble"],
    ["Sure!", "preamble"],
    ["Certainly, I rewrote it for you", "preamble"],
    ["Variant 1:", "preamble"],
    ["Variant 2", "preamble"],
    ["**Variant 3**", "preamble"],
    ["Options for your push:", "preamble"],
    ["As an AI language model, I cannot do that", "preamble"],
    ["I'm sorry, but I can't help with that", "preamble"],
    ["```json", "preamble"],
    ["Aquí tienes 3 variantes:", "preamble"],
    ["Voici trois variantes :", "preamble"],
    ["Hier sind drei Varianten", "preamble"],
    ["Variants", "preamble"],
  ])("%j → %s", (candidate, reason) => {
    expect(reasonFor(candidate)).toBe(reason);
  });

  it.each([
    "Sale: 20% off today only",
    "Of course, your cart is still here",
    "OK, your ride is here",
    "Great news! Your order shipped",
    "Here's 20% off, just for you",
    "Here is your daily summary",
    "Voici votre code promo",
    "Time left: 05:00",
    "Note: your subscription renews tomorrow",
    "Sure thing — your table is booked for 8pm",
    "Absolutely free shipping this weekend",
  ])("keeps legit copy %j", (copy) => {
    expect(reasonFor(copy)).toBe("accepted");
  });

  it("counts code points, so emoji count as one character", () => {
    const emoji = "🎉".repeat(MAX_VARIANT_LENGTH);
    expect(emoji.length).toBe(MAX_VARIANT_LENGTH * 2);
    expect(reasonFor(emoji)).toBe("accepted");
    expect(reasonFor(`${emoji}x`)).toBe("too long");
    expect(reasonFor("a".repeat(MAX_VARIANT_LENGTH))).toBe("accepted");
    expect(reasonFor("a".repeat(MAX_VARIANT_LENGTH + 1))).toBe("too long");
    expect(reasonFor("hello there", { maxLength: 5 })).toBe("too long");
  });

  it("checks placeholders against contextKeys", () => {
    const contextKeys = ["first_name", "cart_count"];
    expect(reasonFor("Hi {{first_name}}, {{cart_count}} items wait", { contextKeys })).toBe("accepted");
    expect(reasonFor("Hi {{ first_name }}!", { contextKeys })).toBe("accepted");
    expect(reasonFor("Hi {{name}}!", { contextKeys })).toBe("unknown placeholder {{name}}");
    expect(reasonFor("Hi {{first_name}}!", { contextKeys: [] })).toBe("unknown placeholder {{first_name}}");
    expect(reasonFor("Hi {first_name}!", { contextKeys })).toBe("malformed placeholder {first_name}");
    expect(reasonFor("Hi {{first name}}!", { contextKeys })).toBe("malformed placeholder {{");
    // Without contextKeys only the syntax is checked.
    expect(reasonFor("Hi {{anything}}!")).toBe("accepted");
  });

  it("rejects copy that only differs from avoid or earlier candidates by case, spacing or end punctuation", () => {
    const result = validateCandidates(
      [
        "you left ITEMS in your cart!",
        "Your cart misses you",
        "  your   cart misses you. ",
        "Your cart misses you 🛒",
        "¿Your cart misses you?",
      ],
      { avoid: ["You left items in your cart"], count: 10 },
    );
    expect(result.accepted).toEqual(["Your cart misses you", "Your cart misses you 🛒"]);
    expect(result.rejected).toEqual([
      { text: "you left ITEMS in your cart!", reason: "duplicate" },
      { text: "  your   cart misses you. ", reason: "duplicate" },
      { text: "¿Your cart misses you?", reason: "duplicate" },
    ]);
  });

  it("keeps at most count accepted", () => {
    const result = validateCandidates(["One", "Two", "Three", "Four"], { avoid: [], count: 2 });
    expect(result.accepted).toEqual(["One", "Two"]);
    expect(result.rejected).toEqual([
      { text: "Three", reason: "over count" },
      { text: "Four", reason: "over count" },
    ]);
  });

  it("leaves emoji and non-Latin text untouched", () => {
    const texts = [
      "Hello! 🎉 You've got a new message 💬 from @user123",
      "カートに商品が残っています。今すぐ購入しましょう！",
      "Ваша корзина ждёт вас 🛒",
      "سلة التسوق الخاصة بك في انتظارك",
      "👨‍👩‍👧 Family plan: 3 seats left",
      "Ton panier t’attend\u00a0!",
    ];
    expect(validateCandidates(texts, base).accepted).toEqual(texts);
  });
});
