import { createRoute, z } from "@hono/zod-openapi";
import { rateLimit } from "../../../../ratelimit/middleware";
import type { App } from "../../../types";
import { NO_AUTH, publicErrors } from "../shared";
import { SUBSCRIBE_CSS, SUBSCRIBE_JS, serviceWorkerScript } from "./assets";
import { LIMITS } from "./limits";
import { ProjectParam } from "./project";

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
  "The service worker at its first address (/push/sw.js?project=<id>, scope /push/), kept for browsers that registered it there; new pages register /push/{project}/sw.js",
  "text/javascript",
);
// One scope per project: a browser holds one registration per scope, so a shared /push/ scope
// would let one project's page replace another's service worker on the same origin.
export const projectServiceWorkerRoute = createRoute({
  method: "get",
  path: "/push/{project}/sw.js",
  operationId: "getProjectServiceWorker",
  tags: ["push-browser"],
  summary: "The service worker of one project (register with scope /push/{project}/)",
  security: NO_AUTH,
  middleware: [rateLimit("asset", LIMITS.asset)] as const,
  request: { params: ProjectParam },
  responses: {
    200: { description: "The service worker", content: { "text/javascript": { schema: z.string() } } },
    ...publicErrors,
  },
});
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
  // The script names the Worker's origin so a site's own service worker can importScripts it.
  app.openapi(serviceWorkerRoute, (c) =>
    c.body(serviceWorkerScript(new URL(c.req.url).origin, null), 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
      "service-worker-allowed": "/push/",
    }),
  );
  app.openapi(projectServiceWorkerRoute, (c) =>
    c.body(serviceWorkerScript(new URL(c.req.url).origin, c.req.valid("param").project), 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
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
