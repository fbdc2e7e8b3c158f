import { describe, expect, it } from "vitest";
import { call, expectError, json } from "./helpers";

describe("system routes", () => {
  it("GET / describes the API", async () => {
    expect(await json(await call("/"), 200)).toEqual({
      name: "PushBunny Edge",
      version: "0.1.0",
      status: "operational",
      docs: { swagger: "/v1/docs", redoc: "/v1/redoc", openapi: "/v1/openapi.json" },
    });
  });

  it("GET /health?deep=1 reaches D1 and KV", async () => {
    const body = await json<{
      status: string;
      checks: Record<string, { ok: boolean }>;
      dead_letters: number;
    }>(await call("/health?deep=1"), 200);
    expect(body.status).toBe("ok");
    expect(body.checks.d1?.ok).toBe(true);
    expect(body.checks.kv?.ok).toBe(true);
    expect(typeof body.dead_letters).toBe("number");
  });

  it("serves the OpenAPI document generated from the routes, and both doc pages", async () => {
    const doc = await json<{
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
      components: { securitySchemes: unknown };
    }>(await call("/v1/openapi.json"), 200);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/v1/message"]?.post?.operationId).toBe("getMessage");
    expect(doc.paths["/v1/events"]?.post?.operationId).toBe("recordEvents");
    expect(doc.paths["/v1/stats"]?.get?.operationId).toBe("getStats");
    expect(doc.components.securitySchemes).toHaveProperty("bearerAuth");
    for (const page of ["/v1/docs", "/v1/redoc"]) {
      const res = await call(page);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(await res.text()).toContain("/v1/openapi.json");
    }
  });

  it("answers unknown routes with the 404 envelope", async () => {
    await expectError(await call("/v2/nothing"), 404, "NOT_FOUND", "no route for GET /v2/nothing");
  });

  it("allows configured CORS origins only", async () => {
    const allowed = await call("/v1/message", {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-headers")).toMatch(/Authorization/i);
    const denied = await call("/health", { headers: { origin: "https://evil.example" } });
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("echoes a sane client request id and replaces an unsafe one", async () => {
    const echoed = await call("/health", { headers: { "x-request-id": "client-req-12345" } });
    expect(echoed.headers.get("x-request-id")).toBe("client-req-12345");
    const replaced = await call("/health", { headers: { "x-request-id": "<script>" } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^req_/);
  });
});
