import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("GET /health", () => {
  it("answers without I/O", async () => {
    const res = await exports.default.fetch("http://x/health");
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });
});
