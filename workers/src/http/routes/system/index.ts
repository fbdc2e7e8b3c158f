import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { App } from "../../types";
import { registerDocsPages } from "./docs";

export const API_VERSION = "0.1.0";

const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z
      .record(z.string(), z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() }))
      .optional(),
    dead_letters: z.number().int().optional(),
  })
  .openapi("Health");

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  tags: ["system"],
  summary: "Liveness (no I/O); `?deep=1` also checks D1 and KV",
  request: { query: z.object({ deep: z.string().optional() }) },
  responses: {
    200: { description: "Healthy", content: { "application/json": { schema: Health } } },
    503: {
      description: "A dependency failed (deep check)",
      content: { "application/json": { schema: Health } },
    },
  },
});

const rootRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "apiInfo",
  tags: ["system"],
  summary: "API information",
  responses: {
    200: {
      description: "Name, version, status and documentation links",
      content: {
        "application/json": {
          schema: z.object({
            name: z.string(),
            version: z.string(),
            status: z.literal("operational"),
            docs: z.object({ swagger: z.string(), redoc: z.string(), openapi: z.string() }),
          }),
        },
      },
    },
  },
});

async function timed(check: () => Promise<unknown>) {
  const started = Date.now();
  try {
    await check();
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
  }
}

/** GET /, GET /health, and the API documentation pages. */
export function registerSystemRoutes(app: App) {
  app.openapi(rootRoute, (c) =>
    c.json(
      {
        name: "PushBunny Edge",
        version: API_VERSION,
        status: "operational" as const,
        docs: { swagger: "/v1/docs", redoc: "/v1/redoc", openapi: "/v1/openapi.json" },
      },
      200,
    ),
  );

  app.openapi(healthRoute, async (c) => {
    const deep = c.req.valid("query").deep;
    if (deep === undefined || deep === "0" || deep === "false") return c.json({ status: "ok" as const }, 200);
    const ctx = c.get("ctx");
    let deadLetters: number | undefined;
    const [d1, kv] = await Promise.all([
      timed(async () => {
        const rows = await ctx.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM dead_letters`);
        deadLetters = Number(rows[0]?.n ?? 0);
      }),
      timed(() => ctx.kv.get("health:probe")),
    ]);
    const ok = d1.ok && kv.ok;
    return c.json(
      { status: ok ? ("ok" as const) : ("degraded" as const), checks: { d1, kv }, dead_letters: deadLetters },
      ok ? 200 : 503,
    );
  });

  app.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "PushBunny Edge API",
      version: API_VERSION,
      description: "AI-written notification copy with live experiments, at the edge.",
    },
  });
  registerDocsPages(app);
}
