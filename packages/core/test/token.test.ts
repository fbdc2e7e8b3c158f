import { describe, expect, it } from "vitest";
import { signTrackingToken, verifyTrackingToken } from "../src/token";

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
    const token = await signTrackingToken(SECRET, claims);
    expect(token.startsWith("trk_v1.prj_abc123.exp_0011223344.var_3f9a1c2b7d4e.")).toBe(true);
    expect(await verifyTrackingToken(SECRET, token)).toEqual({ ok: true, claims });
  });

  it("rejects a token signed with another secret", async () => {
    const token = await signTrackingToken("another-secret-of-enough-length", claims);
    expect(await verifyTrackingToken(SECRET, token)).toEqual({ ok: false, problem: "invalid signature" });
  });

  it("rejects any edited claim", async () => {
    const token = await signTrackingToken(SECRET, claims);
    const forged = token.replace("var_3f9a1c2b7d4e", "var_000000000000");
    expect(await verifyTrackingToken(SECRET, forged)).toEqual({ ok: false, problem: "invalid signature" });
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
    expect(await verifyTrackingToken(SECRET, token)).toEqual({ ok: false, problem: "malformed token" });
  });
});
