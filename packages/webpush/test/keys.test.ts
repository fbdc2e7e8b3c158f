import { describe, expect, it } from "vitest";
import { generateVapidKeys } from "../src/index";

function fromBase64Url(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64url"));
}

describe("generateVapidKeys", () => {
  it("gives a 65-byte uncompressed P-256 public key and a 32-byte d that sign and verify together", async () => {
    const pair = await generateVapidKeys();
    expect(pair.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(pair.privateKey).toMatch(/^[A-Za-z0-9_-]+$/);
    const raw = fromBase64Url(pair.publicKey);
    expect(raw.byteLength).toBe(65);
    expect(raw[0]).toBe(0x04);
    expect(fromBase64Url(pair.privateKey).byteLength).toBe(32);

    // The encodings a browser (applicationServerKey) and the JWT signer (JWK d) need.
    const verifyKey = await crypto.subtle.importKey(
      "raw",
      raw,
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
    const signKey = await crypto.subtle.importKey(
      "jwk",
      {
        kty: "EC",
        crv: "P-256",
        x: Buffer.from(raw.subarray(1, 33)).toString("base64url"),
        y: Buffer.from(raw.subarray(33)).toString("base64url"),
        d: pair.privateKey,
      },
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
    const data = new TextEncoder().encode("header.claims");
    const algorithm = { name: "ECDSA", hash: "SHA-256" };
    const signature = await crypto.subtle.sign(algorithm, signKey, data);
    expect(await crypto.subtle.verify(algorithm, verifyKey, signature, data)).toBe(true);
    const other = new TextEncoder().encode("header.claimz");
    expect(await crypto.subtle.verify(algorithm, verifyKey, signature, other)).toBe(false);
  });

  it("makes a new pair each time", async () => {
    const [a, b] = await Promise.all([generateVapidKeys(), generateVapidKeys()]);
    expect(a.publicKey).not.toBe(b.publicKey);
    expect(a.privateKey).not.toBe(b.privateKey);
  });
});
