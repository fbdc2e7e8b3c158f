import { describe, expect, it } from "vitest";
import { isId, newId, newTimeId } from "../src/ids";
import {
  charLength,
  normalizeText,
  placeholdersOf,
  renderTemplate,
  renderTemplateDropping,
} from "../src/text";
import { parseIsoInstant, utcDay } from "../src/time";

describe("text", () => {
  it("folds case and whitespace", () => {
    expect(normalizeText("  You LEFT\titems\n in  your cart ")).toBe("you left items in your cart");
  });
  it("renders placeholders from context", () => {
    expect(renderTemplate("{{first_name}}, your cart misses you", { first_name: "Ada" })).toBe(
      "Ada, your cart misses you",
    );
    expect(renderTemplate("{{ first_name }} is here", { first_name: "Ada" })).toBe("Ada is here");
    expect(placeholdersOf("{{a}} {{b}} {{a}}")).toEqual(["a", "b"]);
  });
  it("refuses to render with a missing or blank value", () => {
    expect(renderTemplate("Hi {{name}}", {})).toBeNull();
    expect(renderTemplate("Hi {{name}}", { name: "  " })).toBeNull();
    expect(renderTemplate("No placeholders 🎉", {})).toBe("No placeholders 🎉");
  });
  it("never reads the prototype: {{constructor}} is a missing value", () => {
    for (const key of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(renderTemplate(`Hi {{${key}}}`, {})).toBeNull();
      expect(renderTemplateDropping(`Hi {{${key}}}`, {})).toBe("Hi");
    }
    const own = JSON.parse('{"__proto__":"Ada","constructor":"Bo"}') as Record<string, string>;
    expect(renderTemplate("{{__proto__}} & {{constructor}}", own)).toBe("Ada & Bo");
  });
  it("uses a placeholder's fallback when the value is missing", () => {
    expect(renderTemplate("Hi {{name|there}}!", {})).toBe("Hi there!");
    expect(renderTemplate("Hi {{ name | there }}!", { name: "Ada" })).toBe("Hi Ada!");
    expect(placeholdersOf("{{name|there}}")).toEqual(["name"]);
  });
  it.each([
    ["Hi {{name}}, your cart is waiting", "Hi, your cart is waiting"],
    ["{{name}}, your cart is waiting", "Your cart is waiting"],
    ["Your {{count}} items ({{total}}) are here", "Your items () are here"],
    ["Hi {{name}}!", "Hi!"],
    ["Thanks {{name}} 🎉", "Thanks 🎉"],
    ["Hi {{name}}", "Hi"],
  ])("drops a missing placeholder and tidies: %s", (template, text) => {
    expect(renderTemplateDropping(template, {})).toBe(text);
    expect(renderTemplateDropping(template, {})).not.toMatch(/[{}]/);
  });
  it("counts emoji as one character", () => {
    expect(charLength("🎉💬")).toBe(2);
  });
});

describe("ids", () => {
  it("keeps upstream's variant id shape and longer ids elsewhere", () => {
    expect(newId("var")).toMatch(/^var_[0-9a-f]{12}$/);
    expect(newId("imp")).toMatch(/^imp_[0-9a-f]{20}$/);
    expect(new Set(Array.from({ length: 1000 }, () => newId("imp"))).size).toBe(1000);
  });
  it("makes time ids that sort by time, are unique within a millisecond and pass isId", () => {
    const at = Date.UTC(2026, 10, 23, 12);
    const id = newTimeId("imp", at);
    expect(id).toMatch(/^imp_[0-9a-z]{9}[0-9a-f]{20}$/);
    expect(isId(id)).toBe(true);
    expect(Number.parseInt(id.slice(4, 13), 36)).toBe(at);
    const times = [0, 1, 35, 36, at - 1, at, at + 1, Date.UTC(2100, 0, 1), Date.UTC(5000, 0, 1)];
    const ids = times.map((t) => newTimeId("imp", t));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => newTimeId("imp", at))).size).toBe(1000);
  });
});

describe("time", () => {
  it("gives the UTC day", () => {
    expect(utcDay(Date.UTC(2026, 10, 22, 23, 59, 59))).toBe("2026-11-22");
  });
  it("gives the same day as toISOString across day edges, in any order, and throws on non-dates", () => {
    const base = Date.UTC(2026, 10, 22);
    const probes = [
      0,
      1,
      -1,
      86_399_999,
      86_400_000,
      base - 1,
      base,
      base + 1,
      base + 86_399_999,
      base + 86_400_000,
    ];
    for (const ms of [...probes, ...probes.reverse(), -86_400_001, 1.5, -0.5, -1.5, base - 0.5, base + 0.5]) {
      expect(utcDay(ms)).toBe(new Date(ms).toISOString().slice(0, 10));
    }
    expect(() => utcDay(9_000_000_000_000_000)).toThrow(RangeError);
    expect(() => utcDay(Number.NaN)).toThrow(RangeError);
    expect(utcDay(base)).toBe("2026-11-22");
  });
  it.each([
    ["2026-11-22", Date.UTC(2026, 10, 22), true],
    ["2026-11-22T10:30:00Z", Date.UTC(2026, 10, 22, 10, 30), false],
    ["2026-11-22T10:30:00", Date.UTC(2026, 10, 22, 10, 30), false],
    ["2026-11-22T10:30:00+02:00", Date.UTC(2026, 10, 22, 8, 30), false],
    ["2026-11-22 10:30", Date.UTC(2026, 10, 22, 10, 30), false],
  ])("parses %s as UTC", (text, ms, dateOnly) => {
    expect(parseIsoInstant(text)).toEqual({ ms, dateOnly });
  });
  it.each(["yesterday", "2026-13-01", "2026-02-30", "1763769600000", "2026-11-22T25:00"])(
    "rejects %s",
    (text) => {
      expect(parseIsoInstant(text)).toBeNull();
    },
  );
});
