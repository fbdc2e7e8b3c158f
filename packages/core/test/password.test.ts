import { describe, expect, it } from "vitest";
import { decodeBase64Url } from "../src/encoding";
import {
  constantTimeEqual,
  formatPasswordHash,
  hashPassword,
  MAX_PBKDF2_ITERATIONS,
  PBKDF2_ITERATIONS,
  parsePasswordHash,
  passwordProblem,
  verifyNoPassword,
  verifyPassword,
} from "../src/password";

const utf8 = new TextEncoder();

describe("password hashing", () => {
  it("pins PBKDF2 at 100,000 iterations: deployed Workers throw above it, local workerd does not", async () => {
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    expect(MAX_PBKDF2_ITERATIONS).toBe(100_000);
    const stored = await hashPassword("correct horse battery");
    expect(stored.split("$")[1]).toBe("100000");
    await expect(hashPassword("correct horse battery", { iterations: 100_001 })).rejects.toThrow(RangeError);
    await expect(hashPassword("correct horse battery", { iterations: 0 })).rejects.toThrow(RangeError);
    await expect(hashPassword("correct horse battery", { iterations: 1.5 })).rejects.toThrow(RangeError);
  });

  it("stores algorithm, iterations, a 16-byte salt and a 32-byte hash, base64url", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    const parts = parsePasswordHash(stored);
    expect(parts?.salt.length).toBe(16);
    expect(parts?.hash.length).toBe(32);
  });

  it("salts per hash: one password gives two different hashes, both verify", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword("correct horse battery", b)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword("correct horse batterx", a)).toEqual({ ok: false, needsRehash: false });
  });

  it("matches an independent PBKDF2-SHA256 derivation (the format is what it says)", async () => {
    const salt = new Uint8Array(16).fill(7);
    const key = await crypto.subtle.importKey("raw", utf8.encode("known password"), "PBKDF2", false, [
      "deriveBits",
    ]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations: 1_000 },
      key,
      256,
    );
    const stored = formatPasswordHash({ iterations: 1_000, salt, hash: new Uint8Array(bits) });
    expect(await verifyPassword("known password", stored)).toEqual({ ok: true, needsRehash: true });
  });

  it("reads the parameters from the stored string and asks for a rehash when they are old", async () => {
    const old = await hashPassword("correct horse battery", { iterations: 10_000 });
    expect(old.split("$")[1]).toBe("10000");
    expect(await verifyPassword("correct horse battery", old)).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword("wrong horse battery", old)).toEqual({ ok: false, needsRehash: true });
  });

  it("verifies nothing it cannot read, and never a hash above the iteration cap", async () => {
    const good = await hashPassword("correct horse battery");
    const [, , salt, hash] = good.split("$");
    for (const stored of [
      "",
      "plaintext",
      `bcrypt$100000$${salt}$${hash}`,
      `pbkdf2-sha256$100001$${salt}$${hash}`,
      `pbkdf2-sha256$0$${salt}$${hash}`,
      `pbkdf2-sha256$0100000$${salt}$${hash}`,
      `pbkdf2-sha256$100000$${salt}$${hash}$extra`,
      `pbkdf2-sha256$100000$not+base64$${hash}`,
      `pbkdf2-sha256$100000$${salt}$`,
    ]) {
      expect(await verifyPassword("correct horse battery", stored), stored).toEqual({
        ok: false,
        needsRehash: true,
      });
    }
  });

  it("treats canonically equivalent spellings as the same password (NFKC)", async () => {
    const composed = "caf\u00e9-au-lait-123";
    const decomposed = "cafe\u0301-au-lait-123";
    const stored = await hashPassword(composed);
    expect((await verifyPassword(decomposed, stored)).ok).toBe(true);
  });

  it("the dummy check costs a real derivation and is always false", async () => {
    expect(await verifyNoPassword("anything at all")).toBe(false);
    expect(await verifyNoPassword("")).toBe(false);
  });

  it("compares in constant time over equal lengths", () => {
    const a = decodeBase64Url("AAECAwQFBgcICQ") as Uint8Array;
    expect(constantTimeEqual(a, a.slice())).toBe(true);
    const b = a.slice();
    b[b.length - 1] = 0xff;
    expect(constantTimeEqual(a, b)).toBe(false);
    expect(constantTimeEqual(a, a.slice(1))).toBe(false);
  });
});

describe("password rules", () => {
  // Labels, not the passwords, name the cases: a lone surrogate must never reach a test title.
  it.each([
    ["five characters", "short", "must be at least 10 characters"],
    ["nine digits", "123456789", "must be at least 10 characters"],
    ["ten spaces", "          ", "must not be only whitespace"],
    ["tabs, newline and spaces", "\t\n          ", "must not be only whitespace"],
    ["257 characters", "a".repeat(257), "must be at most 256 characters"],
    [
      "a lone surrogate",
      "valid-enough\ud800",
      "must be valid Unicode (a lone surrogate such as \\ud800 is not)",
    ],
  ])("refuses %s", (_, password, problem) => {
    expect(passwordProblem(password)).toBe(problem);
  });

  it.each([
    "0123456789",
    "a".repeat(256),
    "  spaced out words  ",
    // Ten emoji are ten characters (code points), though twenty UTF-16 units.
    "\u{1F600}".repeat(10),
  ])("accepts %j", (password) => {
    expect(passwordProblem(password)).toBeNull();
  });

  it("counts characters, not UTF-16 units", () => {
    expect(passwordProblem("\u{1F600}".repeat(9))).toBe("must be at least 10 characters");
    expect(passwordProblem("\u{1F600}".repeat(256))).toBeNull();
  });
});
