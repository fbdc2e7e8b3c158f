// API habits a client can rely on across every route.
import { describe, expect, it } from "vitest";
import { call, expectError, json, seedProject } from "../helpers";

describe("credentials", () => {
  it.each([
    ["the bare key", (k: string) => k, /must use the Bearer scheme/],
    ["Token scheme", (k: string) => `Token ${k}`, /must use the Bearer scheme/],
    ["Bearer with nothing", () => "Bearer", /carries no key/],
  ])("%s gets a specific 401", async (_, header, message) => {
    const { apiKey } = await seedProject();
    const res = await call("/v1/experiments", { headers: { authorization: header(apiKey) } });
    await expectError(res, 401, "UNAUTHORIZED", message);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("no header at all says how to send one", async () => {
    await expectError(await call("/v1/experiments"), 401, "UNAUTHORIZED", /Authorization: Bearer/);
  });
});

describe("methods and paths", () => {
  it("a wrong method is a 405 with Allow", async () => {
    const { apiKey } = await seedProject();
    const res = await call("/v1/message", { key: apiKey, method: "GET" });
    const error = await expectError(
      res,
      405,
      "METHOD_NOT_ALLOWED",
      /GET is not supported on \/v1\/message; use POST/,
    );
    expect(error.message).not.toMatch(/HEAD/);
    expect(res.headers.get("allow")).toContain("POST");
  });

  it("a path with a parameter reports every method it serves", async () => {
    const { apiKey } = await seedProject();
    const res = await call("/v1/experiments/exp_0000", { key: apiKey, method: "DELETE" });
    await expectError(res, 405, "METHOD_NOT_ALLOWED");
    expect(res.headers.get("allow")?.split(", ")).toEqual(expect.arrayContaining(["GET", "PATCH"]));
  });

  it("an unknown path stays a 404", async () => {
    const { apiKey } = await seedProject();
    await expectError(await call("/v1/nothing-here", { key: apiKey }), 404, "NOT_FOUND");
  });

  it("tolerates a trailing slash", async () => {
    const { apiKey } = await seedProject();
    const body = await json<{ experiments: unknown[] }>(await call("/v1/experiments/", { key: apiKey }), 200);
    expect(Array.isArray(body.experiments)).toBe(true);
    const health = await call("/health/");
    expect(health.status).toBe(200);
  });
});

describe("validation messages", () => {
  it("a missing field says required", async () => {
    const { apiKey } = await seedProject();
    const error = await expectError(
      await call("/v1/message", { key: apiKey, body: { base_example: "Hi" } }),
      400,
      "BAD_REQUEST",
    );
    expect(error.issues).toContainEqual({ path: "intent_id", message: "required" });
  });
});

describe("security headers", () => {
  it("every response says nosniff; JSON has no frame rules to need", async () => {
    const res = await call("/health");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });
});
