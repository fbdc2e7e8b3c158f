import { describe, expect, it } from "vitest";
import { fromBase64Url, seal, toBase64Url, unseal } from "../src/index";

describe("seal / unseal (AES-256-GCM, HKDF-derived key)", () => {
  const secret = "a-long-test-secret-of-at-least-32-chars";

  it("round-trips, and every sealing of the same text differs (random IV)", async () => {
    const a = await seal(secret, "prj_1:facebook", '{"accessToken":"EAAB…"}');
    const b = await seal(secret, "prj_1:facebook", '{"accessToken":"EAAB…"}');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toContain("EAAB");
    expect(await unseal(secret, "prj_1:facebook", a)).toBe('{"accessToken":"EAAB…"}');
  });

  it("does not open with another secret, another context, or a tampered body", async () => {
    const sealed = await seal(secret, "prj_1:tiktok", "token");
    expect(await unseal("another-secret-of-at-least-32-characters", "prj_1:tiktok", sealed)).toBeNull();
    expect(await unseal(secret, "prj_2:tiktok", sealed)).toBeNull();
    const [v, iv, body] = sealed.split(".") as [string, string, string];
    const bytes = fromBase64Url(body);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(await unseal(secret, "prj_1:tiktok", `${v}.${iv}.${toBase64Url(bytes)}`)).toBeNull();
    expect(await unseal(secret, "prj_1:tiktok", "garbage")).toBeNull();
    expect(await unseal(secret, "prj_1:tiktok", "v1.!!.??")).toBeNull();
  });
});
