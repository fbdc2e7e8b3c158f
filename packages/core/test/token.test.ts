import { describe, expect, it } from "vitest";
import { hmacSha256AsciiForTest, signTrackingToken, verifyTrackingToken } from "../src/token";

const claims = {
  projectId: "prj_abc123",
  experimentId: "exp_0011223344",
  variantId: "var_3f9a1c2b7d4e",
  impressionId: "imp_00112233445566778899",
  issuedAt: 1_763_769_600_123,
};
const SECRET = "a-secret-that-is-long-enough";

describe("tracking tokens", () => {
  it("round-trips the claims", async () => {
    const token = signTrackingToken(SECRET, claims);
    expect(token.startsWith("trk_v1.prj_abc123.exp_0011223344.var_3f9a1c2b7d4e.")).toBe(true);
    expect(verifyTrackingToken(SECRET, token)).toEqual({ ok: true, claims });
  });

  it("rejects a token signed with another secret", async () => {
    const token = signTrackingToken("another-secret-of-enough-length", claims);
    expect(verifyTrackingToken(SECRET, token)).toEqual({ ok: false, problem: "invalid signature" });
  });

  it("rejects any edited claim", async () => {
    const token = signTrackingToken(SECRET, claims);
    const forged = token.replace("var_3f9a1c2b7d4e", "var_000000000000");
    expect(verifyTrackingToken(SECRET, forged)).toEqual({ ok: false, problem: "invalid signature" });
  });

  it.each([
    ["", "empty"],
    ["trk_", "no body"],
    ["tok_v1.a.b.c.d.e.f", "wrong prefix"],
    ["trk_v2.prj_a.exp_b.var_c.imp_d.1.AAAA", "unknown version"],
    ["trk_v1.prj_a.exp_b.var_c.imp_d.1", "missing signature"],
    ["trk_v1.prj_a.exp_b.var_c.IMP D.1.AAAA", "bad id"],
    ["trk_v1.prj_a.exp_b.var_c.imp_d.1.@@@", "bad base64"],
    [`trk_${"x".repeat(500)}`, "too long"],
  ])("calls %j malformed (%s)", async (token) => {
    expect(verifyTrackingToken(SECRET, token)).toEqual({ ok: false, problem: "malformed token" });
  });
});

describe("the JavaScript HMAC", () => {
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  async function webCryptoHmac(secret: string, message: string) {
    const enc = new TextEncoder();
    const key = await crypto.subtle.importKey(
      "raw",
      enc.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    return new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(message)));
  }

  it("matches RFC 4231 test case 2", () => {
    expect(hex(hmacSha256AsciiForTest("Jefe", "what do ya want for nothing?"))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("matches WebCrypto for every message length up to 300 and keys of 1 to 200 bytes", async () => {
    const secrets = [
      "k",
      SECRET,
      "s".repeat(63),
      "s".repeat(64),
      "s".repeat(65),
      "é-ünïcode-secret-ß",
      "x".repeat(200),
    ];
    for (const secret of secrets) {
      for (let n = 0; n <= 300; n += secret.length % 7 === 0 ? 1 : 3) {
        const message = "v1.prj_a.exp_b.var_c.imp_d.abc.0123456789".repeat(8).slice(0, n);
        expect(hex(hmacSha256AsciiForTest(secret, message))).toBe(hex(await webCryptoHmac(secret, message)));
      }
    }
  });

  it("signs with the first 16 bytes of standard HMAC-SHA256 (WebCrypto) over the body", async () => {
    const token = signTrackingToken(SECRET, claims);
    const body = token.slice("trk_".length, token.lastIndexOf("."));
    const expected = Buffer.from((await webCryptoHmac(SECRET, body)).slice(0, 16)).toString("base64url");
    expect(token.slice(token.lastIndexOf(".") + 1)).toBe(expected);
  });

  it("refuses to sign claims that are not ids or an integer time", () => {
    expect(() => signTrackingToken(SECRET, { ...claims, variantId: "var_é" })).toThrow(TypeError);
    expect(() => signTrackingToken(SECRET, { ...claims, impressionId: "imp.x" })).toThrow(TypeError);
    expect(() => signTrackingToken(SECRET, { ...claims, issuedAt: 1.5 })).toThrow(TypeError);
  });

  it("agrees with the signer and refuses every single-character edit", async () => {
    const token = signTrackingToken(SECRET, claims);
    expect(verifyTrackingToken(SECRET, token)).toEqual({ ok: true, claims });
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
    for (let i = 0; i < token.length; i++) {
      const c = alphabet[(alphabet.indexOf(token[i] ?? "a") + 7) % alphabet.length] ?? "a";
      const edited = token.slice(0, i) + c + token.slice(i + 1);
      // Only the last signature character has don't-care low bits (22 × 6 = 132 bits for 128).
      const result = verifyTrackingToken(SECRET, edited);
      if (result.ok) expect(i).toBe(token.length - 1);
    }
  });

  it("classifies like the base64 reader: bad alphabet or length is malformed, other lengths are a bad signature", async () => {
    const token = signTrackingToken(SECRET, claims);
    const body = token.slice(0, token.lastIndexOf("."));
    expect(verifyTrackingToken(SECRET, `${body}.`)).toEqual({ ok: false, problem: "invalid signature" });
    expect(verifyTrackingToken(SECRET, `${body}.A`)).toEqual({ ok: false, problem: "malformed token" });
    expect(verifyTrackingToken(SECRET, `${body}.AAAAA`)).toEqual({
      ok: false,
      problem: "malformed token",
    });
    expect(verifyTrackingToken(SECRET, `${body}.AAAA`)).toEqual({
      ok: false,
      problem: "invalid signature",
    });
    expect(verifyTrackingToken(SECRET, `${body}.${"A".repeat(24)}`)).toEqual({
      ok: false,
      problem: "invalid signature",
    });
    expect(verifyTrackingToken(SECRET, `${body}.${"A".repeat(22)}=`)).toEqual({
      ok: false,
      problem: "malformed token",
    });
  });
});
