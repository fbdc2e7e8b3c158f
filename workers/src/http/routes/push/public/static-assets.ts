import { createRoute, z } from "@hono/zod-openapi";
import { rateLimit } from "../../../../ratelimit/middleware";
import type { App } from "../../../types";
import { NO_AUTH, publicErrors } from "../shared";
import { SERVICE_WORKER_JS, SUBSCRIBE_CSS, SUBSCRIBE_JS } from "./assets";
import { LIMITS } from "./limits";

const asset = (path: string, operationId: string, summary: string, type: string) =>
  createRoute({
    method: "get",
    path,
    operationId,
    tags: ["push-browser"],
    summary,
    security: NO_AUTH,
    middleware: [rateLimit("asset", LIMITS.asset)] as const,
    responses: {
      200: { description: summary, content: { [type]: { schema: z.string() } } },
      ...publicErrors,
    },
  });

export const serviceWorkerRoute = asset(
  "/push/sw.js",
  "getPushServiceWorker",
  "The service worker (register as /push/sw.js?project=<id>, scope /push/)",
  "text/javascript",
);
export const subscribeScriptRoute = asset(
  "/push/subscribe.js",
  "getPushSubscribeScript",
  "The subscribe page's script",
  "text/javascript",
);
export const subscribeStyleRoute = asset(
  "/push/subscribe.css",
  "getPushSubscribeStyle",
  "The subscribe page's stylesheet",
  "text/css",
);

/** The static files of the browser side: the service worker and the subscribe page's script and style. */
export function registerStaticAssets(app: App) {
  app.openapi(serviceWorkerRoute, (c) =>
    c.body(SERVICE_WORKER_JS, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
      "service-worker-allowed": "/push/",
    }),
  );
  app.openapi(subscribeScriptRoute, (c) =>
    c.body(SUBSCRIBE_JS, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
    }),
  );
  app.openapi(subscribeStyleRoute, (c) =>
    c.body(SUBSCRIBE_CSS, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "no-cache" }),
  );
}
