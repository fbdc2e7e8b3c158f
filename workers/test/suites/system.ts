import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_HTML_CSP } from "../../src/http/middleware/security-headers";
import { call, expectError, json } from "../helpers";

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

  it("serves the OpenAPI document generated from the routes", async () => {
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
  });

  // The pages load Swagger UI and Redoc from the Worker's static assets (workers/assets/, built from
  // node_modules), never from a CDN: they must work offline (docs/adr/0012-offline-api-docs.md).
  describe.each([
    { page: "/v1/docs", library: "swagger-ui-bundle.js" },
    { page: "/v1/redoc", library: "redoc.standalone.js" },
  ])("$page", ({ page, library }) => {
    it("is HTML whose scripts and stylesheets are all same-origin files", async () => {
      const res = await call(page);
      const html = await res.clone().text();
      expect(res.status, html).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(html).toContain('"/v1/openapi.json"');
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [tag, attrs = "", body = ""] of scripts) {
        expect(body.trim(), `inline script in ${tag}`).toBe("");
        expect(attrs).toMatch(/\ssrc="\/v1\/docs\/assets\/[^"/]+"/);
      }
      for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
        expect(tag).toMatch(/\shref="\/v1\/docs\/assets\/[^"/]+"/);
      }
      // Nothing on the page names another origin, protocol-relative URLs included.
      expect(html).not.toMatch(/(?:https?:)?\/\/[a-z0-9.-]+/i);
      expect(assetUrls(html).some((url) => url.endsWith(`/${library}`))).toBe(true);
    });

    it("references assets that answer 200 with JavaScript or CSS", async () => {
      const urls = assetUrls(await (await call(page)).text());
      for (const url of urls) {
        const res = await asset(url);
        const body = await res.text();
        expect(res.status, `${url}: ${body.slice(0, 200)}`).toBe(200);
        const type = res.headers.get("content-type") ?? "";
        if (url.endsWith(".css")) expect(type, url).toMatch(/^text\/css/);
        else expect(type, url).toMatch(/^(text|application)\/javascript/);
        expect(body.length, url).toBeGreaterThan(100);
        expect(res.headers.get("x-content-type-options"), url).toBe("nosniff");
      }
    });

    it("has a policy with no other origin and no inline script", async () => {
      const csp = (await call(page)).headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("default-src 'self';");
      expect(csp).not.toMatch(/https?:|\*|'unsafe-eval'/);
    });
  });

  it("keeps the default page policy on Swagger UI and relaxes Redoc only for styles and its blob worker", async () => {
    expect((await call("/v1/docs")).headers.get("content-security-policy")).toBe(DEFAULT_HTML_CSP);
    const redoc = (await call("/v1/redoc")).headers.get("content-security-policy") ?? "";
    expect(redoc).toBe(
      DEFAULT_HTML_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
        "worker-src 'self'",
        "worker-src 'self' blob:",
      ),
    );
  });

  it("serves the Swagger UI initializer and pinned library versions from the assets", async () => {
    const init = await asset("/v1/docs/assets/swagger-init.js");
    expect(init.status).toBe(200);
    expect(await init.text()).toContain("validatorUrl: null");
    const versions = await json<Record<string, string>>(await asset("/v1/docs/assets/versions.json"), 200);
    expect(versions).toEqual({
      "swagger-ui-dist": expect.stringMatching(/^5\./),
      redoc: expect.stringMatching(/^2\./),
    });
    // Only files that exist are assets; any other path under /v1 reaches the Worker and needs a key.
    expect((await asset("/v1/docs/assets/nope.js")).status).toBe(404);
    await expectError(await call("/v1/docs/assets/nope.js"), 401, "UNAUTHORIZED");
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

/**
 * Fetches from the Worker's static assets. In production they answer before the Worker runs; the
 * vitest pool's SELF (and `exports.default`) goes straight to the Worker, so tests use the binding.
 */
function asset(path: string): Promise<Response> {
  return (env as unknown as { ASSETS: Fetcher }).ASSETS.fetch(`http://pushbunny.test${path}`);
}

/** The same-origin asset URLs a docs page loads (script src and stylesheet href). */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="(\/v1\/docs\/assets\/[^"]+)"/g)].map((m) => m[1] ?? "");
}
