import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../src/cursor";
import { decodeBase64Url, encodeBase64Url } from "../src/encoding";

describe("cursor codec", () => {
  it("round-trips the sort key, unicode included", () => {
    const c = encodeCursor([1_700_000_000_000, "exp_0a1b", "カート🛒"]);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, ["number", "string", "string"] as const)).toEqual([
      1_700_000_000_000,
      "exp_0a1b",
      "カート🛒",
    ]);
  });

  it.each([
    ["not base64url", "%%%"],
    ["not JSON", encodeBase64Url(new TextEncoder().encode("{nope"))],
    ["an object", encodeCursor([]).replace(/.*/, encodeBase64Url(new TextEncoder().encode('{"a":1}')))],
    ["wrong length", encodeCursor([1])],
    ["wrong type", encodeCursor(["1", "x"])],
    ["invalid UTF-8", encodeBase64Url(new Uint8Array([0x5b, 0xff, 0x5d]))],
  ])("refuses %s", (_, text) => {
    expect(decodeCursor(text, ["number", "string"] as const)).toBeNull();
  });
});

describe("base64url", () => {
  it("tolerates padding and refuses the standard alphabet", () => {
    expect(decodeBase64Url("AQI=")).toEqual(new Uint8Array([1, 2]));
    expect(decodeBase64Url("AQI")).toEqual(new Uint8Array([1, 2]));
    expect(decodeBase64Url("+/8")).toBeNull();
    expect(decodeBase64Url("A")).toBeNull();
  });
});
