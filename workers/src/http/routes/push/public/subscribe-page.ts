import { createRoute, z } from "@hono/zod-openapi";
import { rateLimit } from "../../../../ratelimit/middleware";
import type { App } from "../../../types";
import { NO_AUTH, projectNotFound, publicErrors } from "../shared";
import { subscribePage } from "./assets";
import { LIMITS } from "./limits";
import { ProjectParam, projectOr404 } from "./project";

export const subscribePageRoute = createRoute({
  method: "get",
  path: "/push/{project}/subscribe",
  operationId: "getPushSubscribePage",
  tags: ["push-browser"],
  summary: "A page that registers the service worker and subscribes this browser",
  description:
    "Served under the default CSP: its script and style are /push/subscribe.js and /push/subscribe.css.",
  security: NO_AUTH,
  middleware: [rateLimit("read", LIMITS.read)] as const,
  request: { params: ProjectParam },
  responses: {
    200: { description: "The page", content: { "text/html": { schema: z.string() } } },
    ...publicErrors,
    ...projectNotFound,
  },
});

export function registerSubscribePage(app: App) {
  app.openapi(subscribePageRoute, async (c) => {
    const owner = await projectOr404(c.get("ctx"), c.req.valid("param").project);
    return c.html(subscribePage(owner.projectId), 200, { "cache-control": "no-cache" });
  });
}
